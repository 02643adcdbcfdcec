/**
 * The case object's tables and the SQL that reads and writes them. Plain functions over
 * SqlStorage so the Durable Object class stays a thin RPC surface, and every statement is
 * parameterized.
 *
 * Instants are integer epoch milliseconds. Events are kept as their normalized JSON: the state
 * is always re-derived by folding them (see state.ts and engine.ts), so a fix in the fold fixes old cases too.
 */
import type { NormalizedEvent } from "../events/model";
import type { Migration } from "../lib/sql-migrations";
import type { Reminder } from "../notify/reminder";
import type { PlannedTimer } from "./plan";

export const caseMigrations: Migration[] = [
  {
    id: 1,
    sql: `CREATE TABLE case_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
          CREATE TABLE events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            event_id TEXT NOT NULL UNIQUE,
            provider TEXT NOT NULL,
            provider_event_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            occurred_at INTEGER NOT NULL,
            received_at INTEGER NOT NULL,
            stale INTEGER NOT NULL,
            event TEXT NOT NULL);
          CREATE INDEX events_order ON events (occurred_at, seq);
          CREATE TABLE rule_pins (version INTEGER NOT NULL, from_at INTEGER NOT NULL, pinned_at INTEGER NOT NULL, PRIMARY KEY (version, from_at));
          CREATE TABLE timers (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            due_at INTEGER NOT NULL,
            state TEXT NOT NULL,
            rule_name TEXT NOT NULL,
            rule_path TEXT NOT NULL,
            rule_version INTEGER NOT NULL,
            why TEXT NOT NULL,
            spec TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            fired_at INTEGER,
            closed_reason TEXT);
          CREATE INDEX timers_pending ON timers (state, due_at);
          CREATE TABLE outbox (
            reminder_id TEXT PRIMARY KEY,
            timer_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            due_at INTEGER NOT NULL,
            fired_at INTEGER NOT NULL,
            reminder TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL,
            last_error TEXT,
            dispatched_at INTEGER);
          CREATE INDEX outbox_pending ON outbox (state, next_attempt_at);
          CREATE TABLE notes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            kind TEXT NOT NULL,
            key TEXT NOT NULL UNIQUE,
            text TEXT NOT NULL,
            data TEXT);`,
  },  {
    // Rows written are what a case costs (every index a row touches is one more row): the case
    // meta becomes one row, and timers, outbox and pins are keyed by what they are looked up by,
    // without secondary indexes. The object reads its whole timer table and outbox anyway (a
    // case holds tens of them), so the pending indexes only cost writes.
    id: 2,
    sql: `CREATE TABLE case_record (id INTEGER PRIMARY KEY CHECK (id = 1), meta TEXT NOT NULL);
          INSERT INTO case_record (id, meta) SELECT 1, json_group_object(key, value) FROM case_meta HAVING COUNT(*) > 0;
          DROP TABLE case_meta;
          CREATE TABLE timers_v2 (id TEXT NOT NULL PRIMARY KEY,
            kind TEXT NOT NULL,
            due_at INTEGER NOT NULL,
            state TEXT NOT NULL,
            rule_name TEXT NOT NULL,
            rule_path TEXT NOT NULL,
            rule_version INTEGER NOT NULL,
            why TEXT NOT NULL,
            spec TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            fired_at INTEGER,
            closed_reason TEXT) WITHOUT ROWID;
          INSERT INTO timers_v2 (id, kind, due_at, state, rule_name, rule_path, rule_version, why, spec, attempts, last_error, created_at, updated_at, fired_at, closed_reason) SELECT id, kind, due_at, state, rule_name, rule_path, rule_version, why, spec, attempts, last_error, created_at, updated_at, fired_at, closed_reason FROM timers;
          DROP TABLE timers;
          ALTER TABLE timers_v2 RENAME TO timers;
          CREATE TABLE outbox_v2 (reminder_id TEXT NOT NULL PRIMARY KEY,
            timer_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            due_at INTEGER NOT NULL,
            fired_at INTEGER NOT NULL,
            reminder TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL,
            last_error TEXT,
            dispatched_at INTEGER) WITHOUT ROWID;
          INSERT INTO outbox_v2 (reminder_id, timer_id, kind, due_at, fired_at, reminder, state, attempts, next_attempt_at, last_error, dispatched_at) SELECT reminder_id, timer_id, kind, due_at, fired_at, reminder, state, attempts, next_attempt_at, last_error, dispatched_at FROM outbox;
          DROP TABLE outbox;
          ALTER TABLE outbox_v2 RENAME TO outbox;
          CREATE TABLE rule_pins_v2 (version INTEGER NOT NULL, from_at INTEGER NOT NULL, pinned_at INTEGER NOT NULL, PRIMARY KEY (version, from_at)) WITHOUT ROWID;
          INSERT INTO rule_pins_v2 (version, from_at, pinned_at) SELECT version, from_at, pinned_at FROM rule_pins;
          DROP TABLE rule_pins;
          ALTER TABLE rule_pins_v2 RENAME TO rule_pins;`,
  },
];

/**
 * What migrations 1 and 2 leave behind, created in one batch for a new case object. The events
 * table differs, to write one row per event instead of four: it is keyed by the dedupe key, and
 * `seq` is given by insertEvent (the highest plus one: events are never deleted, so it only grows,
 * as the older table's AUTOINCREMENT does). No `events_order` index: the events are read whole and
 * sorted (tens per case), and the newest-instant check reads the table once per delivery (a row
 * read is billed a thousandth of a row written).
 */
export const caseSchema: Migration = {
  id: 2,
  sql: `CREATE TABLE case_record (id INTEGER PRIMARY KEY CHECK (id = 1), meta TEXT NOT NULL);
          CREATE TABLE events (
            event_id TEXT NOT NULL PRIMARY KEY,
            seq INTEGER NOT NULL,
            provider TEXT NOT NULL,
            provider_event_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            occurred_at INTEGER NOT NULL,
            received_at INTEGER NOT NULL,
            stale INTEGER NOT NULL,
            event TEXT NOT NULL) WITHOUT ROWID;
          CREATE TABLE rule_pins (version INTEGER NOT NULL, from_at INTEGER NOT NULL, pinned_at INTEGER NOT NULL, PRIMARY KEY (version, from_at)) WITHOUT ROWID;
          CREATE TABLE timers (id TEXT NOT NULL PRIMARY KEY,
            kind TEXT NOT NULL,
            due_at INTEGER NOT NULL,
            state TEXT NOT NULL,
            rule_name TEXT NOT NULL,
            rule_path TEXT NOT NULL,
            rule_version INTEGER NOT NULL,
            why TEXT NOT NULL,
            spec TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            fired_at INTEGER,
            closed_reason TEXT) WITHOUT ROWID;
          CREATE TABLE outbox (reminder_id TEXT NOT NULL PRIMARY KEY,
            timer_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            due_at INTEGER NOT NULL,
            fired_at INTEGER NOT NULL,
            reminder TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL,
            last_error TEXT,
            dispatched_at INTEGER) WITHOUT ROWID;
          CREATE TABLE notes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            kind TEXT NOT NULL,
            key TEXT NOT NULL UNIQUE,
            text TEXT NOT NULL,
            data TEXT)`,
};

// ── meta ─────────────────────────────────────────────────────────────────────────────────────

/** The JSON path of one meta key (keys are plain names; quoted so any name is one member). */
const metaPath = (key: string) => `$."${key.replaceAll('"', '\\"')}"`;

export function getMeta(sql: SqlStorage, key: string): string | null {
  return sql.exec<{ value: string | null }>(`SELECT json_extract(meta, ?) AS value FROM case_record WHERE id = 1`, metaPath(key)).toArray()[0]?.value ?? null;
}

export function setMeta(sql: SqlStorage, key: string, value: string): void {
  setMetas(sql, { [key]: value });
}

/** Several keys in one row write (the case meta is one row; each statement writing it is billed once). */
export function setMetas(sql: SqlStorage, values: Record<string, string>): void {
  const entries = Object.entries(values);
  if (entries.length === 0) return;
  const marks = entries.map(() => "?, ?").join(", ");
  sql.exec(
    `INSERT INTO case_record (id, meta) VALUES (1, json_object(${marks})) ON CONFLICT (id) DO UPDATE SET meta = json_set(meta, ${marks})`,
    ...entries.flat(),
    ...entries.flatMap(([k, v]) => [metaPath(k), v]),
  );
}

// ── events ───────────────────────────────────────────────────────────────────────────────────

export interface StoredEvent {
  seq: number;
  eventId: string;
  occurredAt: number;
  receivedAt: number;
  /** Arrived after a newer event had already been applied. */
  stale: boolean;
  event: NormalizedEvent;
}

interface EventRow {
  seq: number;
  event_id: string;
  occurred_at: number;
  received_at: number;
  stale: number;
  event: string;
  [key: string]: SqlStorageValue;
}

/** The dedupe key: a provider's event id is unique only within that provider. */
export function eventIdOf(e: Pick<NormalizedEvent, "provider" | "providerEventId">): string {
  return `${e.provider}:${e.providerEventId}`;
}

/** `seq`: the stored row's arrival order (absent for a duplicate). */
export type InsertOutcome = { eventId: string; duplicate: boolean; stale: boolean; seq?: number };

/**
 * Stores one event unless its key is already stored. An event older than the newest one already
 * applied is stored and marked stale: the fold orders by occurredAt, and state.ts makes sure an
 * older change never overrides a newer one.
 */
export function insertEvent(sql: SqlStorage, e: NormalizedEvent, receivedAt: number): InsertOutcome {
  const eventId = eventIdOf(e);
  // One statement for both questions: each exec is a cursor the runtime collects later, and this
  // runs on every delivery.
  const seen = sql
    .exec<{ stale: number | null; newest: number | null }>(`SELECT (SELECT stale FROM events WHERE event_id = ?) AS stale, (SELECT MAX(occurred_at) FROM events) AS newest`, eventId)
    .one();
  if (seen.stale !== null) return { eventId, duplicate: true, stale: seen.stale === 1 };
  const occurredAt = Date.parse(e.occurredAt);
  const stale = seen.newest !== null && occurredAt < seen.newest;
  const { seq } = sql.exec<{ seq: number }>(
    `INSERT INTO events (seq, event_id, provider, provider_event_id, kind, occurred_at, received_at, stale, event)
     VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM events), ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
    eventId,
    e.provider,
    e.providerEventId,
    e.kind,
    occurredAt,
    receivedAt,
    stale ? 1 : 0,
    JSON.stringify(e),
  ).one();
  return { eventId, duplicate: false, stale, seq };
}

/** The first event stored: it names the case (store, case key), so the identity needs no row of its own. */
export function firstEvent(sql: SqlStorage): NormalizedEvent | null {
  const row = sql.exec<{ event: string }>(`SELECT event FROM events ORDER BY seq LIMIT 1`).toArray()[0];
  return row ? (JSON.parse(row.event) as NormalizedEvent) : null;
}

/** All events in the order they happened (arrival order breaks ties). */
export function readEvents(sql: SqlStorage): StoredEvent[] {
  return sql
    .exec<EventRow>(`SELECT seq, event_id, occurred_at, received_at, stale, event FROM events ORDER BY occurred_at, seq`)
    .toArray()
    .map((r) => ({
      seq: r.seq,
      eventId: r.event_id,
      occurredAt: r.occurred_at,
      receivedAt: r.received_at,
      stale: r.stale === 1,
      // Validated before it was stored; parsing again on every fold would only cost CPU.
      event: JSON.parse(r.event) as NormalizedEvent,
    }));
}

// ── rule pins ────────────────────────────────────────────────────────────────────────────────

export interface PinRow {
  version: number;
  from: number;
}

/**
 * The pins as last read, per case object's storage: every re-plan needs them and they change only
 * when the case is opened or the store's rules move on. addPin drops the copy; a transaction that
 * throws must call `forgetPins` (as for the timer table below).
 */
const pinLists = new WeakMap<SqlStorage, readonly PinRow[]>();

export function forgetPins(sql: SqlStorage): void {
  pinLists.delete(sql);
}

export function readPins(sql: SqlStorage): PinRow[] {
  let pins = pinLists.get(sql);
  if (!pins) {
    pins = sql
      .exec<{ version: number; from_at: number }>(`SELECT version, from_at FROM rule_pins ORDER BY from_at, pinned_at`)
      .toArray()
      .map((r) => ({ version: r.version, from: r.from_at }));
    pinLists.set(sql, pins);
  }
  return pins.map((p) => ({ ...p }));
}

export function addPin(sql: SqlStorage, version: number, from: number, now: number): void {
  forgetPins(sql);
  sql.exec(`INSERT OR IGNORE INTO rule_pins (version, from_at, pinned_at) VALUES (?, ?, ?)`, version, from, now);
}

// ── timers ───────────────────────────────────────────────────────────────────────────────────

export type TimerState = "pending" | "fired" | "cancelled";

export interface TimerRow {
  id: string;
  kind: string;
  dueAt: number;
  state: TimerState;
  rule: { name: string; path: string; version: number };
  why: string;
  spec: PlannedTimer;
  attempts: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  firedAt: number | null;
  closedReason: string | null;
}

interface TimerSqlRow {
  id: string;
  kind: string;
  due_at: number;
  state: string;
  rule_name: string;
  rule_path: string;
  rule_version: number;
  why: string;
  spec: string;
  attempts: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  fired_at: number | null;
  closed_reason: string | null;
  [key: string]: SqlStorageValue;
}

function timerOf(r: TimerSqlRow): TimerRow {
  return {
    id: r.id,
    kind: r.kind,
    dueAt: r.due_at,
    state: r.state as TimerState,
    rule: { name: r.rule_name, path: r.rule_path, version: r.rule_version },
    why: r.why,
    spec: JSON.parse(r.spec) as PlannedTimer,
    attempts: r.attempts,
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    firedAt: r.fired_at,
    closedReason: r.closed_reason,
  };
}

/**
 * The timer table as last read, per case object's storage. Every event re-plans its case, and a
 * re-plan read the timers four times (plan, reconcile, index summary, alarm); profiles of busy
 * cases showed those reads as a fifth of the object's time. Only this module writes the table and
 * every write below drops the copy, so it is read again after any change. Rows are shared: callers
 * must not modify them. A transaction that throws must call `forgetTimers` (its writes are undone
 * but a read inside it may have been kept).
 */
const timerTables = new WeakMap<SqlStorage, readonly TimerRow[]>();

export function forgetTimers(sql: SqlStorage): void {
  timerTables.delete(sql);
}

function timerTable(sql: SqlStorage): readonly TimerRow[] {
  let rows = timerTables.get(sql);
  if (!rows) {
    rows = sql.exec<TimerSqlRow>(`SELECT * FROM timers ORDER BY due_at, id`).toArray().map(timerOf);
    timerTables.set(sql, rows);
  }
  return rows;
}

/** Every timer, by due instant then id. */
export function readTimers(sql: SqlStorage): TimerRow[] {
  return timerTable(sql).slice();
}

/** Keys of every timer and of the fired ones, per timer table as read: each re-plan asks for them. */
const timerKeySets = new WeakMap<readonly TimerRow[], { known: ReadonlySet<string>; fired: ReadonlySet<string> }>();

/** What planning needs to know of the timers: every key it has planned, and which fired (never planned again). */
export function timerKeys(sql: SqlStorage): { known: ReadonlySet<string>; fired: ReadonlySet<string> } {
  const rows = timerTable(sql);
  let keys = timerKeySets.get(rows);
  if (!keys) {
    keys = { known: new Set(rows.map((t) => t.id)), fired: new Set(rows.filter((t) => t.state === "fired").map((t) => t.id)) };
    timerKeySets.set(rows, keys);
  }
  return keys;
}

/** The earliest pending timers, due instant and kind only (what the case index is told). */
export function upcomingTimers(sql: SqlStorage, limit: number): { dueAt: number; kind: string }[] {
  const out: { dueAt: number; kind: string }[] = [];
  for (const t of timerTable(sql)) {
    if (out.length >= limit) break;
    if (t.state === "pending") out.push({ dueAt: t.dueAt, kind: t.kind });
  }
  return out;
}

export function insertTimer(sql: SqlStorage, t: PlannedTimer, now: number, state: TimerState = "pending", closedReason: string | null = null): void {
  forgetTimers(sql);
  sql.exec(
    `INSERT INTO timers (id, kind, due_at, state, rule_name, rule_path, rule_version, why, spec, attempts, created_at, updated_at, closed_reason)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
    t.key,
    t.kind,
    t.dueAt,
    state,
    t.rule.name,
    t.rule.path,
    t.rule.version,
    t.why,
    JSON.stringify(t),
    now,
    now,
    closedReason,
  );
}

/** Re-plans a known timer: its instant, wording or channels may have changed; it becomes pending again. */
export function replanTimer(sql: SqlStorage, t: PlannedTimer, now: number): void {
  forgetTimers(sql);
  sql.exec(
    `UPDATE timers SET kind = ?, due_at = ?, state = 'pending', rule_name = ?, rule_path = ?, rule_version = ?, why = ?, spec = ?, updated_at = ?, closed_reason = NULL WHERE id = ?`,
    t.kind,
    t.dueAt,
    t.rule.name,
    t.rule.path,
    t.rule.version,
    t.why,
    JSON.stringify(t),
    now,
    t.key,
  );
}

export function cancelTimer(sql: SqlStorage, id: string, reason: string, now: number): void {
  forgetTimers(sql);
  sql.exec(`UPDATE timers SET state = 'cancelled', closed_reason = ?, updated_at = ? WHERE id = ? AND state = 'pending'`, reason, now, id);
}

/** Fires a timer: this alarm run's attempt is counted with it. */
export function markTimerFired(sql: SqlStorage, id: string, now: number): void {
  forgetTimers(sql);
  sql.exec(`UPDATE timers SET state = 'fired', fired_at = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?`, now, now, id);
}

/** Pending timers an alarm run at `now` has to take up. */
export function dueTimerIds(sql: SqlStorage, now: number): string[] {
  return timerTable(sql)
    .filter((t) => t.state === "pending" && t.dueAt <= now)
    .map((t) => t.id);
}

/**
 * Counts an alarm run that failed before it could fire these timers: they stay pending (the
 * next run tries again) and keep the error, so the case view says why one fired late.
 */
export function markTimerAttemptFailed(sql: SqlStorage, ids: readonly string[], error: string, now: number): void {
  forgetTimers(sql);
  for (const id of ids) {
    sql.exec(`UPDATE timers SET attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ? AND state = 'pending'`, error.slice(0, 500), now, id);
  }
}

/** The earliest instant the case must wake at: a pending timer or an outbox retry. */
export function nextWakeAt(sql: SqlStorage): number | null {
  let t: number | null = null;
  for (const row of timerTable(sql)) if (row.state === "pending" && (t === null || row.dueAt < t)) t = row.dueAt;
  const o = sql.exec<{ t: number | null }>(`SELECT MIN(next_attempt_at) AS t FROM outbox WHERE state = 'pending'`).one().t;
  if (t === null) return o;
  if (o === null) return t;
  return Math.min(t, o);
}

// ── outbox ───────────────────────────────────────────────────────────────────────────────────

export type OutboxState = "pending" | "dispatched";

export interface OutboxRow {
  reminderId: string;
  timerId: string;
  kind: string;
  dueAt: number;
  firedAt: number;
  reminder: Reminder;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  dispatchedAt: number | null;
}

interface OutboxSqlRow {
  reminder_id: string;
  timer_id: string;
  kind: string;
  due_at: number;
  fired_at: number;
  reminder: string;
  state: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  dispatched_at: number | null;
  [key: string]: SqlStorageValue;
}

function outboxOf(r: OutboxSqlRow): OutboxRow {
  return {
    reminderId: r.reminder_id,
    timerId: r.timer_id,
    kind: r.kind,
    dueAt: r.due_at,
    firedAt: r.fired_at,
    reminder: JSON.parse(r.reminder) as Reminder,
    state: r.state as OutboxState,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    dispatchedAt: r.dispatched_at,
  };
}

/** Writes a reminder once: a second alarm run for the same timer finds it and adds nothing. */
export function insertOutbox(sql: SqlStorage, timerId: string, reminder: Reminder, dueAt: number, now: number): void {
  sql.exec(
    `INSERT OR IGNORE INTO outbox (reminder_id, timer_id, kind, due_at, fired_at, reminder, state, attempts, next_attempt_at)
     VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?)`,
    reminder.id,
    timerId,
    reminder.kind,
    dueAt,
    now,
    JSON.stringify(reminder),
    now,
  );
}

export function readOutbox(sql: SqlStorage, onlyDueBy?: number): OutboxRow[] {
  const rows =
    onlyDueBy === undefined
      ? sql.exec<OutboxSqlRow>(`SELECT * FROM outbox ORDER BY fired_at, reminder_id`).toArray()
      : sql.exec<OutboxSqlRow>(`SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY fired_at, reminder_id`, onlyDueBy).toArray();
  return rows.map(outboxOf);
}

export function markDispatched(sql: SqlStorage, reminderId: string, now: number): void {
  sql.exec(`UPDATE outbox SET state = 'dispatched', attempts = attempts + 1, dispatched_at = ?, last_error = NULL WHERE reminder_id = ?`, now, reminderId);
}

export function markDispatchFailed(sql: SqlStorage, reminderId: string, error: string, retryAt: number): void {
  sql.exec(`UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE reminder_id = ?`, error.slice(0, 500), retryAt, reminderId);
}

// ── notes (from other cases: a linked shipment's delay) ──────────────────────────────────────

export interface NoteRow {
  at: number;
  kind: string;
  key: string;
  text: string;
  data: unknown;
}

export function insertNote(sql: SqlStorage, n: NoteRow): boolean {
  return (
    sql.exec(`INSERT OR IGNORE INTO notes (at, kind, key, text, data) VALUES (?, ?, ?, ?, ?)`, n.at, n.kind, n.key, n.text, n.data === undefined ? null : JSON.stringify(n.data))
      .rowsWritten > 0
  );
}

export function readNotes(sql: SqlStorage): NoteRow[] {
  return sql
    .exec<{ at: number; kind: string; key: string; text: string; data: string | null }>(`SELECT at, kind, key, text, data FROM notes ORDER BY at, seq`)
    .toArray()
    .map((r) => ({ at: r.at, kind: r.kind, key: r.key, text: r.text, data: r.data === null ? null : (JSON.parse(r.data) as unknown) }));
}
