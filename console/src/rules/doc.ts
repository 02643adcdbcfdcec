/**
 * Plain-data helpers for the rules editor (no DOM): reading and writing a field of the draft by
 * the same path the API names in its errors (`policies[0].targets.firstReply.byPriority.normal`),
 * a structural diff of two documents, and the merge that replays "my edits" onto a version someone
 * else saved meanwhile (the 412 case).
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Segment = string | number;

/** `policies[0].targets.firstReply` → ["policies", 0, "targets", "firstReply"]. */
export function parsePath(path: string): Segment[] {
  const out: Segment[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

export function formatPath(segments: readonly Segment[]): string {
  return segments.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

const isObj = (v: unknown): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

export function getAt(doc: Json, path: string | readonly Segment[]): Json | undefined {
  let cur: Json | undefined = doc;
  for (const seg of typeof path === "string" ? parsePath(path) : path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, Json>)[seg as string];
  }
  return cur;
}

/** A copy of `doc` with the value at `path` replaced (`undefined` deletes it); missing parents are created. */
export function setAt(doc: Json, path: string | readonly Segment[], value: Json | undefined): Json {
  const segs = typeof path === "string" ? parsePath(path) : [...path];
  if (segs.length === 0) return value ?? null;
  const [head, ...rest] = segs;
  const base: Json = Array.isArray(doc) ? [...doc] : isObj(doc) ? { ...doc } : typeof head === "number" ? [] : {};
  const child = (base as Record<string, Json>)[head as string];
  const next = rest.length === 0 ? value : setAt(child ?? (typeof rest[0] === "number" ? [] : {}), rest, value);
  if (next === undefined) {
    if (Array.isArray(base)) base.splice(head as number, 1);
    else delete (base as Record<string, Json>)[head as string];
  } else (base as Record<string, Json>)[head as string] = next;
  return base;
}

export interface Change {
  path: string;
  op: "added" | "removed" | "changed";
  from?: Json;
  to?: Json;
}

/** Every leaf (or whole array) that differs from `a` to `b`. Arrays of scalars compare whole. */
export function diffDocs(a: Json | undefined, b: Json | undefined, at: Segment[] = []): Change[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a === undefined) return [{ path: formatPath(at), op: "added", to: b! }];
  if (b === undefined) return [{ path: formatPath(at), op: "removed", from: a }];
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => diffDocs(a[k], b[k], [...at, k]));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.some((x) => typeof x === "object" && x !== null)) {
    return a.flatMap((x, i) => diffDocs(x, b[i], [...at, i]));
  }
  return [{ path: formatPath(at), op: "changed", from: a, to: b }];
}

/** `theirs` with every change from `base` to `mine` applied on top; where both changed a field, mine wins and it is listed. */
export function mergeOnto(base: Json, mine: Json, theirs: Json): { merged: Json; overlaps: string[] } {
  const ours = diffDocs(base, mine);
  const theirPaths = new Set(diffDocs(base, theirs).map((c) => c.path));
  let merged = theirs;
  const overlaps: string[] = [];
  for (const c of ours) {
    if ([...theirPaths].some((p) => p === c.path || p.startsWith(`${c.path}.`) || p.startsWith(`${c.path}[`) || c.path.startsWith(`${p}.`) || c.path.startsWith(`${p}[`))) overlaps.push(c.path);
    merged = setAt(merged, c.path, c.op === "removed" ? undefined : c.to);
  }
  return { merged, overlaps };
}

export function show(v: Json | undefined): string {
  if (v === undefined) return "—";
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

/** The API names paths with or without a `rules.` / `body.` prefix depending on the route. */
export function fieldPath(apiPath: string): string {
  return apiPath.replace(/^(body\.)?(rules\.)?/, "");
}
