/**
 * Playbook outcome records and shipment delay episodes in the store's registry SQLite, written
 * from the same case-index push as the SLA cycles (src/reports/outcome-sql.ts). No rollups: a
 * store has a record per callback, bad rating and late parcel, orders of magnitude fewer than SLA
 * cycles, so a report reads the rows of its range through an index on the trigger instant.
 */
import type { Migration } from "../lib/sql-migrations";
import { isResolvedStatus } from "../cases/state";
import type { CaseStatus } from "../events/model";
import type { CaseActivity } from "./playbook";
import type { OutcomePush, PlaybookCasePage, PlaybookCasesQuery, PlaybookReport, PlaybookRule, ShipmentCasePage, ShipmentCasesQuery, ShipmentsReport } from "./schema";
import { PlaybookRule as PlaybookRuleEnum } from "./schema";

/** Migration ids in the `reports` group, after outcome-sql.ts's. */
export const playbookMigrations: Migration[] = [
  {
    id: 2,
    sql: `CREATE TABLE playbook_outcomes (
            case_id TEXT NOT NULL, rule TEXT NOT NULL, ref TEXT NOT NULL,
            triggered_at INTEGER NOT NULL, due_at INTEGER, acted_at INTEGER, case_ended TEXT,
            PRIMARY KEY (case_id, rule, ref));
          CREATE INDEX playbook_outcomes_triggered ON playbook_outcomes (triggered_at, case_id, rule, ref);
          CREATE TABLE shipment_episodes (
            case_id TEXT NOT NULL, detected_at INTEGER NOT NULL, signal TEXT NOT NULL, reason TEXT,
            contacted_at INTEGER, customer_message_at INTEGER, outcome TEXT NOT NULL, contact_by INTEGER NOT NULL,
            updates_owed INTEGER NOT NULL, updates_sent INTEGER NOT NULL, delivered_at INTEGER,
            PRIMARY KEY (case_id, detected_at));
          CREATE INDEX shipment_episodes_detected ON shipment_episodes (detected_at, case_id);`,
  },
];

interface PlaybookRow {
  case_id: string;
  rule: string;
  ref: string;
  triggered_at: number;
  due_at: number | null;
  acted_at: number | null;
  case_ended: string | null;
  [key: string]: SqlStorageValue;
}

interface EpisodeRow {
  case_id: string;
  detected_at: number;
  signal: string;
  reason: string | null;
  contacted_at: number | null;
  customer_message_at: number | null;
  outcome: string;
  contact_by: number;
  updates_owed: number;
  updates_sent: number;
  delivered_at: number | null;
  [key: string]: SqlStorageValue;
}

/** Takes a case's playbook and shipment records. Call in the transaction that took its index push. */
export function applyPlaybookPush(sql: SqlStorage, caseId: string, push: Pick<OutcomePush, "playbook" | "shipments">): void {
  if (push.playbook) {
    for (const key of push.playbook.remove) {
      const i = key.indexOf(":");
      if (i > 0) sql.exec(`DELETE FROM playbook_outcomes WHERE case_id = ? AND rule = ? AND ref = ?`, caseId, key.slice(0, i), key.slice(i + 1));
    }
    // A case only ever writes its own records, whatever a push says.
    for (const r of push.playbook.upsert) {
      sql.exec(
        `INSERT OR REPLACE INTO playbook_outcomes (case_id, rule, ref, triggered_at, due_at, acted_at, case_ended) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        caseId, r.rule, r.ref, r.triggeredAt, r.dueAt, r.actedAt, r.caseEnded ?? null,
      );
    }
  }
  if (push.shipments) {
    for (const key of push.shipments.remove) {
      if (/^-?\d+$/.test(key)) sql.exec(`DELETE FROM shipment_episodes WHERE case_id = ? AND detected_at = ?`, caseId, Number(key));
    }
    for (const e of push.shipments.upsert) {
      sql.exec(
        `INSERT OR REPLACE INTO shipment_episodes (case_id, detected_at, signal, reason, contacted_at, customer_message_at, outcome, contact_by, updates_owed, updates_sent, delivered_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        caseId, e.detectedAt, e.signal, e.reason, e.contactedAt, e.customerMessageAt, e.outcome, e.contactBy, e.updatesOwed, e.updatesSent, e.deliveredAt,
      );
    }
  }
}

/** As of `now`: acted on by its due instant, late or not at all past it, or still open. */
const actedSql = (now: number): [string, number[]] => [
  `CASE WHEN acted_at IS NOT NULL AND (due_at IS NULL OR acted_at <= due_at) THEN 'actedInTime'
        WHEN acted_at IS NOT NULL OR (due_at IS NOT NULL AND due_at <= ?) THEN 'missed' ELSE 'open' END`,
  [now],
];

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** Per rule (every rule, zeros included): records triggered in `[from, to)`. */
export function playbookReport(sql: SqlStorage, q: { from: number; to: number }, now: number): PlaybookReport {
  const [verdict, args] = actedSql(now);
  const counts = new Map<string, { triggered: number; actedInTime: number; missed: number }>();
  for (const r of sql.exec<{ rule: string; verdict: string; n: number }>(
    `SELECT rule, ${verdict} AS verdict, COUNT(*) AS n FROM playbook_outcomes WHERE triggered_at >= ? AND triggered_at < ? GROUP BY rule, verdict`,
    ...args,
    q.from,
    q.to,
  )) {
    const c = counts.get(r.rule) ?? { triggered: 0, actedInTime: 0, missed: 0 };
    c.triggered += r.n;
    if (r.verdict === "actedInTime") c.actedInTime += r.n;
    if (r.verdict === "missed") c.missed += r.n;
    counts.set(r.rule, c);
  }
  return {
    from: iso(q.from),
    to: iso(q.to),
    rows: PlaybookRuleEnum.options.map((rule: PlaybookRule) => ({ rule, ...(counts.get(rule) ?? { triggered: 0, actedInTime: 0, missed: 0 }) })),
  };
}

export function playbookCases(sql: SqlStorage, q: Omit<PlaybookCasesQuery, "from" | "to"> & { from: number; to: number }, now: number): PlaybookCasePage {
  const [verdict, args] = actedSql(now);
  const where = ["triggered_at >= ?", "triggered_at < ?"];
  const params: SqlStorageValue[] = [...args, q.from, q.to];
  if (q.rule) {
    where.push("rule = ?");
    params.push(q.rule);
  }
  if (q.outcome) {
    where.push(`(${verdict}) = ?`);
    params.push(...args, q.outcome);
  }
  const offset = q.cursor ? Number(q.cursor) : 0;
  const rows = sql
    .exec<PlaybookRow & { verdict: string }>(
      `SELECT *, ${verdict} AS verdict FROM playbook_outcomes WHERE ${where.join(" AND ")} ORDER BY triggered_at, case_id, rule, ref LIMIT ? OFFSET ?`,
      ...params,
      q.limit + 1,
      offset,
    )
    .toArray();
  return {
    items: rows.slice(0, q.limit).map((r) => ({
      caseId: r.case_id,
      rule: r.rule as PlaybookRule,
      ref: r.ref,
      triggeredAt: iso(r.triggered_at),
      dueAt: isoOrNull(r.due_at),
      actedAt: isoOrNull(r.acted_at),
      caseEnded: r.case_ended,
      outcome: r.verdict as "actedInTime" | "missed" | "open",
    })),
    nextCursor: rows.length > q.limit ? String(offset + q.limit) : null,
  };
}

const targetMet = (r: EpisodeRow): boolean => r.contacted_at !== null && r.contacted_at <= r.contact_by;

/** Delay episodes detected in `[from, to)`. */
export function shipmentsReport(sql: SqlStorage, q: { from: number; to: number }): ShipmentsReport {
  const rows = sql.exec<EpisodeRow>(`SELECT * FROM shipment_episodes WHERE detected_at >= ? AND detected_at < ?`, q.from, q.to).toArray();
  const count = (o: string): number => rows.filter((r) => r.outcome === o).length;
  const delays = rows.map((r) => (r.contacted_at === null ? null : r.contacted_at - r.detected_at)).filter((d): d is number => d !== null).sort((a, b) => a - b);
  const contactedFirst = count("contactedFirst");
  return {
    from: iso(q.from),
    to: iso(q.to),
    delays: rows.length,
    contactedFirst,
    customerFirst: count("customerFirst"),
    notContacted: count("notContacted"),
    reachedFirstRate: rows.length === 0 ? null : contactedFirst / rows.length,
    proactiveTargetMet: rows.filter(targetMet).length,
    updatesOwed: rows.reduce((n, r) => n + r.updates_owed, 0),
    updatesSent: rows.reduce((n, r) => n + r.updates_sent, 0),
    // Nearest rank: the ⌈n/2⌉-th smallest.
    medianContactDelayMs: delays.length === 0 ? null : delays[Math.ceil(delays.length / 2) - 1]!,
  };
}

export function shipmentCases(sql: SqlStorage, q: Omit<ShipmentCasesQuery, "from" | "to"> & { from: number; to: number }): ShipmentCasePage {
  const where = ["detected_at >= ?", "detected_at < ?"];
  const params: SqlStorageValue[] = [q.from, q.to];
  if (q.outcome) {
    where.push("outcome = ?");
    params.push(q.outcome);
  }
  if (q.proactiveTargetMet !== undefined) where.push(q.proactiveTargetMet === "true" ? "contacted_at IS NOT NULL AND contacted_at <= contact_by" : "(contacted_at IS NULL OR contacted_at > contact_by)");
  const offset = q.cursor ? Number(q.cursor) : 0;
  const rows = sql
    .exec<EpisodeRow>(`SELECT * FROM shipment_episodes WHERE ${where.join(" AND ")} ORDER BY detected_at, case_id LIMIT ? OFFSET ?`, ...params, q.limit + 1, offset)
    .toArray();
  return {
    episodes: rows.slice(0, q.limit).map((r) => ({
      caseId: r.case_id,
      detectedAt: iso(r.detected_at),
      signal: r.signal,
      reason: r.reason,
      contactedAt: isoOrNull(r.contacted_at),
      customerMessageAt: isoOrNull(r.customer_message_at),
      outcome: r.outcome as ShipmentCasePage["episodes"][number]["outcome"],
      contactBy: iso(r.contact_by),
      proactiveTargetMet: targetMet(r),
      updatesOwed: r.updates_owed,
      updatesSent: r.updates_sent,
      deliveredAt: isoOrNull(r.delivered_at),
    })),
    nextCursor: rows.length > q.limit ? String(offset + q.limit) : null,
  };
}

/**
 * Read in the case object: the instants of its log the playbook records need (src/reports/playbook.ts),
 * without parsing its events. Only what the case can use: a ticket without a bad rating and a parcel
 * without a shipment need nothing.
 */
export function readCaseActivity(sql: SqlStorage, want: { replies: boolean; shipment: boolean; conversation: boolean }): CaseActivity {
  const out = { agentReplies: [] as number[], customerMessages: [] as number[], carrierScans: [] as number[], conversation: [] as { at: number; message: boolean; resolved: boolean | null }[] };
  if (!want.replies && !want.shipment && !want.conversation) return out;
  const kinds = ["kind IN ('case.agent_reply', 'case.customer_message')"];
  if (want.shipment) kinds.push("(kind LIKE 'shipment.%' AND kind <> 'shipment.label_created')");
  // A status rides on many kinds (a message that reopens, an opening already solved): read it from the stored event.
  const status = want.conversation ? "json_extract(event, '$.status')" : "NULL";
  if (want.conversation) kinds.push(`${status} IS NOT NULL`);
  for (const r of sql.exec<{ kind: string; occurred_at: number; status: string | null }>(
    `SELECT kind, occurred_at, ${status} AS status FROM events WHERE ${kinds.join(" OR ")} ORDER BY occurred_at, seq`,
  )) {
    if (r.kind === "case.agent_reply") out.agentReplies.push(r.occurred_at);
    else if (r.kind === "case.customer_message") out.customerMessages.push(r.occurred_at);
    else if (r.kind.startsWith("shipment.") && want.shipment) out.carrierScans.push(r.occurred_at);
    if (want.conversation && (r.status !== null || r.kind === "case.customer_message")) {
      out.conversation.push({ at: r.occurred_at, message: r.kind === "case.customer_message", resolved: r.status === null || r.kind.startsWith("shipment.") ? null : isResolvedStatus(r.status as CaseStatus) });
    }
  }
  return out;
}
