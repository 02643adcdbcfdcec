/**
 * Channel secrets inside a stored rules document are sealed (src/lib/secret-box.ts) in the
 * registry row and in the KV copy, and opened only where a version is read inside the Worker.
 */
import { SECRET_FIELDS, type ChannelType, type RulesDocument } from "../rules/schema";
import { isSealed, type SecretBox } from "../lib/secret-box";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function secretFieldsOf(channel: Obj): readonly string[] {
  const type = channel.type;
  return typeof type === "string" && Object.hasOwn(SECRET_FIELDS, type) ? SECRET_FIELDS[type as ChannelType] : [];
}

async function mapSecrets(doc: unknown, f: (value: string) => Promise<string>): Promise<unknown> {
  if (!isObj(doc) || !isObj(doc.channels)) return doc;
  const channels: [string, unknown][] = [];
  for (const [name, raw] of Object.entries(doc.channels)) {
    if (!isObj(raw)) {
      channels.push([name, raw]);
      continue;
    }
    const channel: Obj = { ...raw };
    for (const field of secretFieldsOf(channel)) {
      const v = channel[field];
      if (typeof v === "string") channel[field] = await f(v);
    }
    channels.push([name, channel]);
  }
  return { ...doc, channels: Object.fromEntries(channels) };
}

/** The document as it is stored: every channel secret sealed (with a key configured). */
export async function sealDocument(box: SecretBox, doc: RulesDocument): Promise<unknown> {
  return mapSecrets(doc, (v) => box.seal(v));
}

/** A stored document with its secrets opened; values stored before sealing pass as they are. */
export async function openDocument(box: SecretBox, stored: unknown): Promise<unknown> {
  return mapSecrets(stored, (v) => (isSealed(v) ? box.open(v) : Promise.resolve(v)));
}
