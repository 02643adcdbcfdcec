/**
 * Stand-in keys, inside the store's registry object: which case a source's stand-in key really
 * names. Shopify's fulfillment events name a fulfillment, never the parcel; its fulfillment
 * webhooks name both. Learned from the events that say so (`alsoKnownAs`), read by intake for
 * events keyed by a stand-in (`standInKey`), so one parcel stays one case with one timeline.
 *
 * A stand-in can move: a fulfillment's tracking number can be corrected. The mapping learned from
 * the newest event (by the event's own time) wins, so a retried or reordered older delivery never
 * points the stand-in back at the old parcel.
 */
import { caseIdOf, CaseKey } from "../events/model";
import type { Migration } from "../lib/sql-migrations";

export const caseAliasMigrations: Migration[] = [
  {
    id: 1,
    sql: `CREATE TABLE case_aliases (
            alias_case_id TEXT PRIMARY KEY, case_key TEXT NOT NULL, case_id TEXT NOT NULL,
            as_of INTEGER NOT NULL, learned_at INTEGER NOT NULL,
            -- the case the stand-in's own case (if it had one) was handed over to
            handed_to TEXT);`,
  },
];

/**
 * Records what `caseKey` is also known as (a stand-in for itself is no stand-in and is skipped).
 * Returns the stand-ins that already have a case of their own, opened by an event that came before
 * the stand-in was named, and not yet handed over to this case: intake moves their events here.
 */
export function learnAliases(sql: SqlStorage, caseKey: CaseKey, aliases: readonly CaseKey[], asOf: number, now: number): string[] {
  const caseId = caseIdOf(caseKey);
  const toHandOver: string[] = [];
  for (const alias of aliases) {
    const aliasCaseId = caseIdOf(alias);
    if (aliasCaseId === caseId) continue;
    sql.exec(
      `INSERT INTO case_aliases (alias_case_id, case_key, case_id, as_of, learned_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (alias_case_id) DO UPDATE SET case_key = excluded.case_key, case_id = excluded.case_id, as_of = excluded.as_of, learned_at = excluded.learned_at
       WHERE excluded.as_of >= case_aliases.as_of`,
      aliasCaseId,
      JSON.stringify(caseKey),
      caseId,
      asOf,
      now,
    );
    const waiting = sql
      .exec(
        `SELECT 1 FROM case_aliases a JOIN case_index c ON c.case_id = a.alias_case_id
         WHERE a.alias_case_id = ? AND a.case_id = ? AND (a.handed_to IS NULL OR a.handed_to <> a.case_id)`,
        aliasCaseId,
        caseId,
      )
      .toArray();
    if (waiting.length > 0) toHandOver.push(aliasCaseId);
  }
  return toHandOver;
}

/** The stand-in's own case has handed its events to `caseId` and closed. */
export function markHandedOver(sql: SqlStorage, aliasCaseId: string, caseId: string): void {
  sql.exec(`UPDATE case_aliases SET handed_to = ? WHERE alias_case_id = ?`, caseId, aliasCaseId);
}

/** The real key behind each stand-in case id that has one; stand-ins not (yet) learned are left out. */
export function resolveAliases(sql: SqlStorage, aliasCaseIds: readonly string[]): Record<string, CaseKey> {
  const out: Record<string, CaseKey> = {};
  for (const id of new Set(aliasCaseIds)) {
    const row = sql.exec<{ case_key: string }>(`SELECT case_key FROM case_aliases WHERE alias_case_id = ?`, id).toArray()[0];
    if (row) out[id] = CaseKey.parse(JSON.parse(row.case_key));
  }
  return out;
}
