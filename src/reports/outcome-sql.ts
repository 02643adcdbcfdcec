/**
 * Outcome records in the store's registry SQLite: one row per SLA cycle (the drill-down and the
 * open cycles), and two daily rollups that reports over long ranges read instead of the rows.
 *
 * - `sla_daily_policy` / `sla_monthly_policy` add finished cycles up per UTC day (month) × metric ×
 *   policy × priority × channel;
 * - `sla_daily_team` / `sla_monthly_team` per UTC day (month) × metric × assignee × group.
 * Each rollup row keeps met and missed counts and a histogram of used time in whole minutes, so
 * medians and 90th percentiles stay nearest-rank exact to the minute. A report whose grouping fits
 * one side reads its monthly rows for the whole months of the range, its daily rows for the other
 * whole days, and the raw rows for the partial days at either end: a year is a dozen monthly rows
 * per group and at most ~60 daily ones. Any other grouping reads the raw rows (see docs/reports.md
 * for what that costs).
 *
 * Rows are upserted as cases push them (riding on the case-index push, behind its sequence
 * guard): a cycle that changes (a late event, a reopening) takes its old contribution out of the
 * rollups and puts the new one in, in the same transaction.
 */
import type { Migration } from "../lib/sql-migrations";
import { ReportTotals, usedMinute } from "./aggregate";
import { cycleKey, decodeCyclesCursor, POLICY_SIDE, TEAM_SIDE, type CycleRecord, type CyclePage, type CyclesQuery, type GroupField, type OutcomePush, type SlaReport } from "./schema";

export const DAY_MS = 86_400_000;

export const outcomeMigrations: Migration[] = [
  {
    id: 1,
    sql: `CREATE TABLE sla_cycles (
            case_id TEXT NOT NULL, metric TEXT NOT NULL, started_at INTEGER NOT NULL,
            policy TEXT NOT NULL, rules_version INTEGER NOT NULL, priority TEXT NOT NULL, channel TEXT,
            provider TEXT NOT NULL, assignee TEXT, grp TEXT, ended_at INTEGER, due_at INTEGER,
            target_ms INTEGER NOT NULL, used_ms INTEGER NOT NULL, paused_ms INTEGER NOT NULL, outcome TEXT NOT NULL,
            PRIMARY KEY (case_id, metric, started_at));
          CREATE INDEX sla_cycles_ended ON sla_cycles (ended_at, case_id, metric, started_at) WHERE ended_at IS NOT NULL;
          CREATE INDEX sla_cycles_open ON sla_cycles (due_at) WHERE ended_at IS NULL;
          CREATE TABLE sla_daily_policy (
            period INTEGER NOT NULL, metric TEXT NOT NULL, policy TEXT NOT NULL, priority TEXT NOT NULL, channel TEXT NOT NULL,
            met INTEGER NOT NULL, missed INTEGER NOT NULL, used TEXT NOT NULL,
            PRIMARY KEY (period, metric, policy, priority, channel));
          CREATE TABLE sla_monthly_policy (
            period INTEGER NOT NULL, metric TEXT NOT NULL, policy TEXT NOT NULL, priority TEXT NOT NULL, channel TEXT NOT NULL,
            met INTEGER NOT NULL, missed INTEGER NOT NULL, used TEXT NOT NULL,
            PRIMARY KEY (period, metric, policy, priority, channel));
          CREATE TABLE sla_daily_team (
            period INTEGER NOT NULL, metric TEXT NOT NULL, assignee TEXT NOT NULL, grp TEXT NOT NULL,
            met INTEGER NOT NULL, missed INTEGER NOT NULL, used TEXT NOT NULL,
            PRIMARY KEY (period, metric, assignee, grp));
          CREATE TABLE sla_monthly_team (
            period INTEGER NOT NULL, metric TEXT NOT NULL, assignee TEXT NOT NULL, grp TEXT NOT NULL,
            met INTEGER NOT NULL, missed INTEGER NOT NULL, used TEXT NOT NULL,
            PRIMARY KEY (period, metric, assignee, grp));`,
  },
  {
    // Keyed by what it is looked up by (the cycle): without the rowid, the key is the row, one
    // row written per cycle pushed instead of two (plus the open/ended index). (Id 2 of this
    // group is the playbook tables, src/reports/playbook-sql.ts.)
    id: 3,
    sql: `CREATE TABLE sla_cycles_v2 (
            case_id TEXT NOT NULL, metric TEXT NOT NULL, started_at INTEGER NOT NULL,
            policy TEXT NOT NULL, rules_version INTEGER NOT NULL, priority TEXT NOT NULL, channel TEXT,
            provider TEXT NOT NULL, assignee TEXT, grp TEXT, ended_at INTEGER, due_at INTEGER,
            target_ms INTEGER NOT NULL, used_ms INTEGER NOT NULL, paused_ms INTEGER NOT NULL, outcome TEXT NOT NULL,
            PRIMARY KEY (case_id, metric, started_at)) WITHOUT ROWID;
          INSERT INTO sla_cycles_v2 (case_id, metric, started_at, policy, rules_version, priority, channel, provider, assignee, grp, ended_at, due_at, target_ms, used_ms, paused_ms, outcome) SELECT case_id, metric, started_at, policy, rules_version, priority, channel, provider, assignee, grp, ended_at, due_at, target_ms, used_ms, paused_ms, outcome FROM sla_cycles;
          DROP TABLE sla_cycles;
          ALTER TABLE sla_cycles_v2 RENAME TO sla_cycles;
          CREATE INDEX sla_cycles_ended ON sla_cycles (ended_at, case_id, metric, started_at) WHERE ended_at IS NOT NULL;
          CREATE INDEX sla_cycles_open ON sla_cycles (due_at) WHERE ended_at IS NULL;`,
  },
];

interface CycleRow {
  case_id: string;
  metric: string;
  started_at: number;
  policy: string;
  rules_version: number;
  priority: string;
  channel: string | null;
  provider: string;
  assignee: string | null;
  grp: string | null;
  ended_at: number | null;
  due_at: number | null;
  target_ms: number;
  used_ms: number;
  paused_ms: number;
  outcome: string;
  [key: string]: SqlStorageValue;
}

/** A side of the rollups: the grouping fields it keeps (`group` is the column `grp`), by day and by month. */
interface Rollup {
  daily: string;
  monthly: string;
  fields: readonly GroupField[];
}
const ROLLUPS: readonly Rollup[] = [
  { daily: "sla_daily_policy", monthly: "sla_monthly_policy", fields: POLICY_SIDE },
  { daily: "sla_daily_team", monthly: "sla_monthly_team", fields: TEAM_SIDE },
];

/** UTC months as one number (year × 12 + month), and where one starts. */
const monthOf = (ms: number): number => {
  const d = new Date(ms);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};
const monthStart = (month: number): number => Date.UTC(Math.floor(month / 12), month % 12, 1);
const column = (f: GroupField): string => (f === "group" ? "grp" : f);

/** Rollup keys cannot hold NULL (it is never equal to itself in a key): absent is the empty string. */
const keyValue = (v: string | null): string => v ?? "";
const fromKey = (v: string): string | null => (v === "" ? null : v);

function fieldsOfRow(r: CycleRow): Record<GroupField, string | null> {
  return { metric: r.metric, policy: r.policy, priority: r.priority, channel: r.channel, assignee: r.assignee, group: r.grp };
}

const finished = (r: CycleRow): boolean => r.ended_at !== null && (r.outcome === "met" || r.outcome === "missed");

/** Adds (sign 1) or takes out (sign −1) one finished cycle's contribution to every rollup. */
function rollupApply(sql: SqlStorage, r: CycleRow, sign: 1 | -1): void {
  const fields = fieldsOfRow(r);
  const minute = usedMinute(r.used_ms);
  const day = Math.floor(r.ended_at! / DAY_MS);
  const month = monthOf(r.ended_at!);
  const targets = ROLLUPS.flatMap((rollup) => [
    { rollup, table: rollup.daily, period: day },
    { rollup, table: rollup.monthly, period: month },
  ]);
  for (const { rollup, table, period } of targets) {
    const cols = rollup.fields.map(column);
    const keys = rollup.fields.map((f) => keyValue(fields[f]));
    const where = cols.map((c) => `${c} = ?`).join(" AND ");
    const row = sql.exec<{ met: number; missed: number; used: string }>(`SELECT met, missed, used FROM ${table} WHERE period = ? AND ${where}`, period, ...keys).toArray()[0];
    const used = new Map<number, number>(row ? (JSON.parse(row.used) as [number, number][]) : []);
    used.set(minute, (used.get(minute) ?? 0) + sign);
    if (used.get(minute)! <= 0) used.delete(minute);
    const met = (row?.met ?? 0) + (r.outcome === "met" ? sign : 0);
    const missed = (row?.missed ?? 0) + (r.outcome === "missed" ? sign : 0);
    if (met + missed <= 0) {
      sql.exec(`DELETE FROM ${table} WHERE period = ? AND ${where}`, period, ...keys);
      continue;
    }
    const usedJson = JSON.stringify([...used.entries()]);
    sql.exec(
      `INSERT INTO ${table} (period, ${cols.join(", ")}, met, missed, used) VALUES (?, ${cols.map(() => "?").join(", ")}, ?, ?, ?)
       ON CONFLICT DO UPDATE SET met = excluded.met, missed = excluded.missed, used = excluded.used`,
      period,
      ...keys,
      met,
      missed,
      usedJson,
    );
  }
}

function rowOf(r: CycleRecord): CycleRow {
  return {
    case_id: r.caseId,
    metric: r.metric,
    started_at: r.startedAt,
    policy: r.policy,
    rules_version: r.rulesVersion,
    priority: r.priority,
    channel: r.channel,
    provider: r.provider,
    assignee: r.assignee,
    grp: r.group,
    ended_at: r.endedAt,
    due_at: r.dueAt,
    target_ms: r.targetMs,
    used_ms: Math.round(r.usedMs),
    paused_ms: Math.round(r.pausedMs),
    outcome: r.outcome,
  };
}

function readRow(sql: SqlStorage, caseId: string, metric: string, startedAt: number): CycleRow | undefined {
  return sql.exec<CycleRow>(`SELECT * FROM sla_cycles WHERE case_id = ? AND metric = ? AND started_at = ?`, caseId, metric, startedAt).toArray()[0];
}

/** Takes a case's outcome push. Call in the transaction that took its index push. */
export function applyOutcomePush(sql: SqlStorage, caseId: string, push: OutcomePush): void {
  for (const key of push.remove) {
    const m = /^(\w+)@(-?\d+)$/.exec(key);
    if (!m) continue;
    const old = readRow(sql, caseId, m[1]!, Number(m[2]));
    if (!old) continue;
    if (finished(old)) rollupApply(sql, old, -1);
    sql.exec(`DELETE FROM sla_cycles WHERE case_id = ? AND metric = ? AND started_at = ?`, caseId, old.metric, old.started_at);
  }
  for (const record of push.upsert) {
    // A case only ever writes its own cycles, whatever a push says.
    const r = rowOf({ ...record, caseId });
    const old = readRow(sql, caseId, r.metric, r.started_at);
    if (old && finished(old)) rollupApply(sql, old, -1);
    sql.exec(
      `INSERT OR REPLACE INTO sla_cycles (case_id, metric, started_at, policy, rules_version, priority, channel, provider, assignee, grp, ended_at, due_at, target_ms, used_ms, paused_ms, outcome)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      r.case_id, r.metric, r.started_at, r.policy, r.rules_version, r.priority, r.channel, r.provider, r.assignee, r.grp, r.ended_at, r.due_at, r.target_ms, r.used_ms, r.paused_ms, r.outcome,
    );
    if (finished(r)) rollupApply(sql, r, 1);
  }
}

/**
 * How to read `[from, to)`: whole UTC months from the monthly rollup, other whole UTC days from the
 * daily one, and the partial days at the ends from the rows. Each part is `[start, end)`.
 */
export function planRange(from: number, to: number): { months: [number, number] | null; days: [number, number][]; raw: [number, number][] } {
  const firstDay = Math.ceil(from / DAY_MS);
  const endDay = Math.floor(to / DAY_MS);
  if (endDay <= firstDay) return { months: null, days: [], raw: [[from, to]] };
  const raw: [number, number][] = [
    [from, firstDay * DAY_MS],
    [endDay * DAY_MS, to],
  ];
  let firstMonth = monthOf(firstDay * DAY_MS);
  if (monthStart(firstMonth) < firstDay * DAY_MS) firstMonth += 1;
  const endMonth = monthOf(endDay * DAY_MS);
  if (endMonth <= firstMonth) return { months: null, days: [[firstDay, endDay]], raw };
  return {
    months: [firstMonth, endMonth],
    days: [
      [firstDay, monthStart(firstMonth) / DAY_MS],
      [monthStart(endMonth) / DAY_MS, endDay],
    ],
    raw,
  };
}

/**
 * The SLA report: finished cycles that ended in `[from, to)`, and cycles running now (counted
 * as of `now`, whatever the range), grouped by `groupBy`.
 */
export function slaReport(sql: SqlStorage, q: { from: number; to: number; groupBy: GroupField[] }, now: number): SlaReport {
  const totals = new ReportTotals(q.groupBy);
  const rollup = ROLLUPS.find((r) => q.groupBy.every((f) => r.fields.includes(f)));
  const addRaw = (from: number, to: number): void => {
    if (to <= from) return;
    const cols = q.groupBy.map(column);
    for (const r of sql.exec<{ outcome: string; minute: number; n: number } & Record<string, SqlStorageValue>>(
      `SELECT ${cols.join(", ")}, outcome, used_ms / 60000 AS minute, COUNT(*) AS n FROM sla_cycles
       WHERE ended_at >= ? AND ended_at < ? AND outcome IN ('met', 'missed') GROUP BY ${cols.join(", ")}, outcome, minute`,
      from,
      to,
    )) {
      const fields = Object.fromEntries(q.groupBy.map((f) => [f, r[column(f)] as string | null])) as Record<GroupField, string | null>;
      const n = r.n;
      totals.addFinished(fields, r.outcome === "met" ? n : 0, r.outcome === "missed" ? n : 0, [[Math.floor(r.minute), n]]);
    }
  };
  if (rollup) {
    const plan = planRange(q.from, q.to);
    const cols = q.groupBy.map(column);
    const addRollup = (table: string, start: number, end: number): void => {
      if (end <= start) return;
      for (const r of sql.exec<{ met: number; missed: number; used: string } & Record<string, SqlStorageValue>>(
        `SELECT ${cols.join(", ")}, met, missed, used FROM ${table} WHERE period >= ? AND period < ?`,
        start,
        end,
      )) {
        const fields = Object.fromEntries(q.groupBy.map((f) => [f, fromKey(r[column(f)] as string)])) as Record<GroupField, string | null>;
        totals.addFinished(fields, r.met, r.missed, JSON.parse(r.used) as [number, number][]);
      }
    };
    if (plan.months) addRollup(rollup.monthly, plan.months[0], plan.months[1]);
    for (const [a, b] of plan.days) addRollup(rollup.daily, a, b);
    for (const [a, b] of plan.raw) addRaw(a, b);
  } else addRaw(q.from, q.to);
  for (const r of sql.exec<CycleRow>(`SELECT * FROM sla_cycles WHERE ended_at IS NULL`)) {
    totals.addOpen(fieldsOfRow(r), r.due_at !== null && r.due_at <= now);
  }
  return { from: new Date(q.from).toISOString(), to: new Date(q.to).toISOString(), groupBy: q.groupBy, rows: totals.rows() };
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function viewOf(r: CycleRow, now: number): CyclePage["cycles"][number] {
  const outcome = r.ended_at === null ? (r.due_at !== null && r.due_at <= now ? "open_missed" : "in_progress") : (r.outcome as "met" | "missed");
  return {
    caseId: r.case_id,
    metric: r.metric as CycleRecord["metric"],
    policy: r.policy,
    rulesVersion: r.rules_version,
    priority: r.priority,
    channel: r.channel,
    provider: r.provider,
    assignee: r.assignee,
    group: r.grp,
    startedAt: new Date(r.started_at).toISOString(),
    dueAt: iso(r.due_at),
    endedAt: iso(r.ended_at),
    targetMs: r.target_ms,
    usedMs: r.used_ms,
    pausedMs: r.paused_ms,
    outcome,
  };
}

const encodeCursor = (r: CycleRow): string => btoa(JSON.stringify([r.ended_at ?? r.due_at ?? 0, r.case_id, r.metric, r.started_at]));

/**
 * The cycles behind a figure: finished ones ended in `[from, to)` (all, or `met` / `missed`), or
 * with `open_missed` / `in_progress` the cycles running now. Oldest end first; the cursor is the
 * last row's position.
 */
export function listCycles(sql: SqlStorage, q: Omit<CyclesQuery, "from" | "to"> & { from: number; to: number }, now: number): CyclePage {
  const where: string[] = [];
  const args: SqlStorageValue[] = [];
  const open = q.outcome === "open_missed" || q.outcome === "in_progress";
  // For running cycles the position is the due instant (null sorts as 0: paused, not yet due).
  const pos = open ? "IFNULL(due_at, 0)" : "ended_at";
  if (open) {
    where.push("ended_at IS NULL");
    if (q.outcome === "open_missed") where.push("due_at IS NOT NULL AND due_at <= ?");
    else where.push("(due_at IS NULL OR due_at > ?)");
    args.push(now);
  } else {
    where.push("ended_at IS NOT NULL AND ended_at >= ? AND ended_at < ?");
    args.push(q.from, q.to);
    where.push(q.outcome ? "outcome = ?" : "outcome IN ('met', 'missed')");
    if (q.outcome) args.push(q.outcome);
  }
  const filters: [GroupField, string | undefined][] = [
    ["metric", q.metric],
    ["policy", q.policy],
    ["priority", q.priority],
    ["channel", q.channel],
    ["assignee", q.assignee],
    ["group", q.group],
  ];
  for (const [f, v] of filters) {
    if (v === undefined) continue;
    where.push(`${column(f)} = ?`);
    args.push(v);
  }
  const at = q.cursor ? decodeCyclesCursor(q.cursor) : null;
  if (at) {
    where.push(`(${pos}, case_id, metric, started_at) > (?, ?, ?, ?)`);
    args.push(...at);
  }
  const rows = sql
    .exec<CycleRow>(`SELECT * FROM sla_cycles WHERE ${where.join(" AND ")} ORDER BY ${pos}, case_id, metric, started_at LIMIT ?`, ...args, q.limit + 1)
    .toArray();
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return { cycles: page.map((r) => viewOf(r, now)), nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null };
}

export { cycleKey };
