/**
 * How much one audit entry holds, and how much one page of the audit log may weigh. 40 saves of
 * a 1 MB document once made GET /audit answer 500 (the RPC result passed 32 MiB), and a save
 * whose diff passed ~2 MB failed in SQLite. An entry keeps every changed path while it fits; a
 * large value is replaced by a note, and past the entry's budget the rest is counted, not
 * listed. Nothing is lost: the versions themselves stay whole, and
 * GET /rules/versions/:version/diff recomputes the full diff from them.
 */
import type { DiffEntry } from "../rules/diff";

/** The changes of one audit entry, as stored and as answered. */
export const AUDIT_CHANGES_MAX_BYTES = 16 * 1024;
/** A single `from` / `to` value kept in an audit entry. */
export const AUDIT_VALUE_MAX_BYTES = 1024;
/** One page of GET /audit, whatever its `limit`: the page ends early, `nextBefore` continues. */
export const AUDIT_PAGE_MAX_BYTES = 1024 * 1024;

const size = (v: unknown) => (JSON.stringify(v) ?? "").length;

function fullDiff(toVersion: number | null | undefined): string {
  return toVersion ? `GET /rules/versions/${toVersion}/diff shows it in full` : "the versions hold it in full";
}

/** The changes as an audit entry keeps them: whole when small, summarised when not. */
export function boundChanges(changes: DiffEntry[], toVersion?: number | null): DiffEntry[] {
  if (size(changes) <= AUDIT_CHANGES_MAX_BYTES) return changes;
  const out: DiffEntry[] = [];
  let used = 2;
  for (let i = 0; i < changes.length; i++) {
    const e = changes[i]!;
    const entry: DiffEntry = { path: e.path.length > 300 ? `${e.path.slice(0, 299)}…` : e.path, op: e.op };
    let cut = false;
    for (const side of ["from", "to"] as const) {
      if (e[side] === undefined) continue;
      if (size(e[side]) <= AUDIT_VALUE_MAX_BYTES) entry[side] = e[side];
      else cut = true;
    }
    const note = cut ? `value too large for the audit log (${fullDiff(toVersion)})` : e.note;
    if (note !== undefined) entry.note = note.length > 300 ? `${note.slice(0, 299)}…` : note;
    const cost = size(entry) + 1;
    // Room is kept for the closing entry that counts what was left out.
    if (used + cost > AUDIT_CHANGES_MAX_BYTES - 400) {
      out.push({ path: "(root)", op: "changed", note: `${changes.length - i} more change(s) not listed here (${fullDiff(toVersion)})` });
      return out;
    }
    out.push(entry);
    used += cost;
  }
  return out;
}
