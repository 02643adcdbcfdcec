/**
 * Checks that a Slack payload a receiver got is Block Kit Slack accepts: every block one of the
 * `@slack/types` KnownBlock shapes we use (header, section, context), every text object well
 * formed, and Slack's size limits respected (a message over them is answered 400 invalid_payload).
 * The assertion narrows to the library's types, so the fields tests read are the typed ones.
 */
import type { ContextBlock, HeaderBlock, KnownBlock, SectionBlock } from "@slack/types";
import { SLACK_LIMITS } from "../../../src/notify/channels/slack";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function text(v: unknown, where: string, max: number, kinds: readonly string[] = ["plain_text", "mrkdwn"]): void {
  if (!isObj(v) || typeof v.type !== "string" || !kinds.includes(v.type)) throw new Error(`${where}: expected a ${kinds.join("/")} text object`);
  if (typeof v.text !== "string" || v.text.length < 1 || v.text.length > max) throw new Error(`${where}: text must be 1–${max} characters (got ${String(v.text).length})`);
  const allowed = v.type === "plain_text" ? ["type", "text", "emoji"] : ["type", "text", "verbatim"];
  for (const k of Object.keys(v)) if (!allowed.includes(k)) throw new Error(`${where}: unexpected field ${k}`);
}

function header(b: Obj, where: string): asserts b is Obj & HeaderBlock {
  text(b.text, `${where}.text`, SLACK_LIMITS.header, ["plain_text"]);
}

function section(b: Obj, where: string): asserts b is Obj & SectionBlock {
  if (b.text === undefined && b.fields === undefined) throw new Error(`${where}: a section needs text or fields`);
  if (b.text !== undefined) text(b.text, `${where}.text`, SLACK_LIMITS.sectionText);
  if (b.fields !== undefined) {
    if (!Array.isArray(b.fields) || b.fields.length < 1 || b.fields.length > SLACK_LIMITS.fields) throw new Error(`${where}.fields: 1–${SLACK_LIMITS.fields} items`);
    b.fields.forEach((f, i) => text(f, `${where}.fields[${i}]`, SLACK_LIMITS.field));
  }
}

function context(b: Obj, where: string): asserts b is Obj & ContextBlock {
  if (!Array.isArray(b.elements) || b.elements.length < 1 || b.elements.length > SLACK_LIMITS.contextElements) throw new Error(`${where}.elements: 1–10 items`);
  b.elements.forEach((e, i) => text(e, `${where}.elements[${i}]`, SLACK_LIMITS.sectionText));
}

export interface CheckedSlackPayload {
  text: string;
  blocks: KnownBlock[];
}

export function assertSlackPayload(payload: unknown): asserts payload is CheckedSlackPayload {
  if (!isObj(payload)) throw new Error("payload is not an object");
  if (typeof payload.text !== "string" || payload.text === "") throw new Error("payload needs fallback text");
  if (!Array.isArray(payload.blocks) || payload.blocks.length < 1 || payload.blocks.length > SLACK_LIMITS.blocks) throw new Error(`blocks: 1–${SLACK_LIMITS.blocks}`);
  payload.blocks.forEach((b: unknown, i) => {
    const where = `blocks[${i}]`;
    if (!isObj(b)) throw new Error(`${where}: not an object`);
    if (b.type === "header") header(b, where);
    else if (b.type === "section") section(b, where);
    else if (b.type === "context") context(b, where);
    else throw new Error(`${where}: unexpected block type ${String(b.type)}`);
  });
}

/** All visible text of the blocks, for asserting what a reader sees. */
export function blockText(blocks: KnownBlock[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    if (b.type === "header") out.push(b.text.text);
    else if (b.type === "section") {
      if (b.text) out.push(b.text.text);
      for (const f of b.fields ?? []) out.push(f.text);
    } else if (b.type === "context") {
      for (const e of b.elements) if ("text" in e && typeof e.text === "string") out.push(e.text);
    }
  }
  return out.join("\n");
}
