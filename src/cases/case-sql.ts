/**
 * The case object's tables and the SQL that reads and writes them. Plain functions over
 * SqlStorage so the Durable Object class stays a thin RPC surface, and every statement is
 * parameterized.
 *
 * Instants are integer epoch milliseconds. Events are kept as their normalized JSON: the state
 * is always re-derived by folding them (see state.ts), so a fix in the fold fixes old cases too.
 */
import type { NormalizedEvent } from "../events/model";
import type { Migration } from "../lib/sql-migrations";

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
          CREATE TABLE timers (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            due_at INTEGER NOT NULL,
            state TEXT NOT NULL,
            rule_name TEXT NOT NULL,
            rule_path TEXT,
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
            channels TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            enqueued_at INTEGER);
          CREATE TABLE metric_events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            metric TEXT NOT NULL,
            what TEXT NOT NULL,
            detail TEXT,
            UNIQUE (metric, what, at));
          CREATE TABLE callbacks (
            id TEXT PRIMARY KEY,
            at INTEGER NOT NULL,
            owner TEXT,
            note TEXT,
            phone TEXT,
            source TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            done_at INTEGER,
            done_by TEXT);
          CREATE TABLE notes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            kind TEXT NOT NULL,
            key TEXT NOT NULL UNIQUE,
            text TEXT NOT NULL,
            data TEXT);`,
  },
];

// ── meta ─────────────────────────────────────────────────────────────────────────────────────

export function getMeta(sql: SqlStorage, key: string): string | null {
  return sql.exec<{ value: string }>(`SELECT value FROM case_meta WHERE key = ?`, key).toArray()[0]?.value ?? null;
}

export function setMeta(sql: SqlStorage, key: string, value: string): void {
  sql.exec(`INSERT INTO case_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value);
}

export function deleteMeta(sql: SqlStorage, key: string): void {
  sql.exec(`DELETE FROM case_meta WHERE key = ?`, key);
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

export type InsertOutcome = { eventId: string; duplicate: boolean; stale: boolean };

/**
 * Stores one event unless its key is already stored. An event older than the newest one already
 * applied is stored and marked stale: the fold orders by occurredAt, and state.ts makes sure an
 * older change never overrides a newer one.
 */
export function insertEvent(sql: SqlStorage, e: NormalizedEvent, receivedAt: number): InsertOutcome {
  const eventId = eventIdOf(e);
  const existing = sql.exec<{ stale: number }>(`SELECT stale FROM events WHERE event_id = ?`, eventId).toArray()[0];
  if (existing) return { eventId, duplicate: true, stale: existing.stale === 1 };
  const occurredAt = Date.parse(e.occurredAt);
  const newest = sql.exec<{ t: number | null }>(`SELECT MAX(occurred_at) AS t FROM events`).one().t;
  const stale = newest !== null && occurredAt < newest;
  sql.exec(
    `INSERT INTO events (event_id, provider, provider_event_id, kind, occurred_at, received_at, stale, event) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    eventId,
    e.provider,
    e.providerEventId,
    e.kind,
    occurredAt,
    receivedAt,
    stale ? 1 : 0,
    JSON.stringify(e),
  );
  return { eventId, duplicate: false, stale };
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
