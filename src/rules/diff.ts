/**
 * A structural diff of two rules documents that a support lead can read: one entry per changed
 * leaf, with the path written the way the validation errors write it.
 *
 * Policies are compared by name, not position, so inserting a policy at the top shows as one
 * added policy (with where it sits, since that decides what it overrides) rather than every
 * policy "changed"; an order change among kept policies is its own entry. Lists of plain values
 * (warnings, tags, statuses) are compared as whole values. Secrets never appear: a changed
 * secret shows as a change from "********" to "********".
 */
import { z } from "zod";
import { formatPath } from "../http/errors";
import { SECRET_FIELDS, SECRET_MASK, type ChannelType, type RulesDocument } from "./schema";
import { maskSecrets } from "./secrets";

export const DiffEntry = z.object({
  path: z.string(),
  op: z.enum(["added", "removed", "changed"]),
  from: z.unknown().optional(),
  to: z.unknown().optional(),
  note: z.string().optional(),
});
export type DiffEntry = z.infer<typeof DiffEntry>;

type Path = (string | number)[];
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isScalar = (v: unknown) => v === null || typeof v !== "object";

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function walk(a: unknown, b: unknown, path: Path, out: DiffEntry[]): void {
  if (sameJson(a, b)) return;
  if (a === undefined) {
    out.push({ path: formatPath(path), op: "added", to: b });
    return;
  }
  if (b === undefined) {
    out.push({ path: formatPath(path), op: "removed", from: a });
    return;
  }
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    // Own keys only: a calendar named "toString" added in `b` is an addition, not a change from Object.prototype's.
    const own = (o: Record<string, unknown>, key: string) => (Object.hasOwn(o, key) ? o[key] : undefined);
    for (const key of keys) walk(own(a, key), own(b, key), [...path, key], out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && !a.every(isScalar) && !b.every(isScalar)) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) walk(a[i], b[i], [...path, i], out);
    return;
  }
  out.push({ path: formatPath(path), op: "changed", from: a, to: b });
}

function policyPath(name: string): Path {
  return ["policies", `[${JSON.stringify(name)}]`];
}

/** `policies.["VIP"]` → `policies["VIP"]`: formatPath joins string segments with dots. */
function tidy(entry: DiffEntry): DiffEntry {
  return { ...entry, path: entry.path.replace(/\.\[/g, "[") };
}

/** Every difference from `from` to `to`, secrets masked. */
export function diffRules(from: RulesDocument, to: RulesDocument): DiffEntry[] {
  const a = maskSecrets(from);
  const b = maskSecrets(to);
  const out: DiffEntry[] = [];
  const { policies: pa, ...restA } = a;
  const { policies: pb, ...restB } = b;
  walk(restA, restB, [], out);

  // Secrets differ only in the unmasked documents.
  for (const [name, chB] of Object.entries(to.channels)) {
    const chA = Object.hasOwn(from.channels, name) ? from.channels[name] : undefined;
    if (!chA || chA.type !== chB.type) continue;
    for (const field of SECRET_FIELDS[chB.type as ChannelType]) {
      const va = (chA as Obj)[field];
      const vb = (chB as Obj)[field];
      if (va !== vb) out.push({ path: formatPath(["channels", name, field]), op: "changed", from: SECRET_MASK, to: SECRET_MASK, note: "secret replaced" });
    }
  }

  const namesA = pa.map((p) => p.name);
  const namesB = pb.map((p) => p.name);
  const byNameA = new Map(pa.map((p) => [p.name, p]));
  const byNameB = new Map(pb.map((p) => [p.name, p]));
  for (const p of pa) if (!byNameB.has(p.name)) out.push({ path: formatPath(policyPath(p.name)), op: "removed", from: p });
  for (const [i, p] of pb.entries()) {
    const prev = byNameA.get(p.name);
    const below = pb[i + 1];
    const where = below ? `inserted at policies[${i}], checked before "${below.name}"` : `added at policies[${i}], checked last`;
    if (!prev) out.push({ path: formatPath(policyPath(p.name)), op: "added", to: p, note: where });
    else walk(prev, p, policyPath(p.name), out);
  }
  const keptA = namesA.filter((n) => byNameB.has(n));
  const keptB = namesB.filter((n) => byNameA.has(n));
  if (!sameJson(keptA, keptB)) {
    out.push({ path: "policies", op: "changed", from: namesA, to: namesB, note: "policy order changed (the first matching policy wins)" });
  }
  return out.map(tidy);
}

/** One line for a version list: "2 changes: policies["VIP"].targets.firstReply…, channels.ops added". */
export function summarizeDiff(entries: DiffEntry[]): string {
  if (entries.length === 0) return "no changes";
  const shown = entries.slice(0, 3).map((e) => `${e.path} ${e.op}`);
  const more = entries.length > 3 ? `, and ${entries.length - 3} more` : "";
  return `${entries.length} change(s): ${shown.join("; ")}${more}`;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? "undefined";
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** One line per change, for people: `~ policies["VIP"].notify: ["team"] → ["team","lead"]`. */
export function renderDiff(entries: DiffEntry[]): string[] {
  return entries.map((e) => {
    const note = e.note ? ` (${e.note})` : "";
    if (e.op === "added") return `+ ${e.path}: ${show(e.to)}${note}`;
    if (e.op === "removed") return `- ${e.path}: was ${show(e.from)}${note}`;
    return `~ ${e.path}: ${show(e.from)} → ${show(e.to)}${note}`;
  });
}
