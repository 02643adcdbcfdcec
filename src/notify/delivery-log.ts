/**
 * The delivery log, inside the store's registry Durable Object: one row per reminder × channel
 * (plus digests and channel notices), every attempt, channel health, and the reminders held for
 * quiet hours. The registry is the single writer, so "record once", "deliver once", "mark dead
 * once" are plain transactions, and the queue messages only point here.
 *
 * Invariants:
 * - A delivery row is created once (`delivery_id` is the key) and never deleted. Re-dispatching
 *   the same reminder finds its rows and only re-sends what was never handed to the queue.
 * - A queue message is sent for a row only after the row is durable (output gates hold the send
 *   until the write is confirmed), and `enqueued_at` is set after the send succeeded. A row that
 *   is pending but never enqueued (the send failed, the object was reset mid-way) is sent by the
 *   registry's alarm, as is a pending row nobody has touched for an hour past its next retry.
 * - Success always wins: a late "delivered" from a duplicate copy turns even a dead row
 *   delivered, because the receiver did get it.
 */
import type { Migration } from "../lib/sql-migrations";
import { needsTicket } from "./channels";
import type { ChannelNotice, DeliveryKind, Outbound, QueueMessage } from "./messages";
import type { DispatchPlan } from "./plan";
import { deliveryIdOf, Reminder } from "./reminder";
import type { AttemptOutcome, ChannelHealthView, DeliveryAttempt, DeliveryPage, DeliveryState, DeliveryView } from "./views";

/** One page of GET /deliveries, whatever its `limit`: the cursor continues where it ended. */
export const DELIVERY_PAGE_MAX_BYTES = 1024 * 1024;

export const deliveryMigrations: Migration[] = [
  {
    id: 1,
    sql: `CREATE TABLE deliveries (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            delivery_id TEXT NOT NULL UNIQUE,
            idempotency_key TEXT NOT NULL,
            store_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            channel TEXT,
            channel_type TEXT,
            state TEXT NOT NULL,
            payload TEXT NOT NULL,
            reminder_id TEXT,
            rules_version INTEGER NOT NULL,
            release_at INTEGER,
            digest_id TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_status INTEGER,
            last_error TEXT,
            last_attempt_at INTEGER,
            next_attempt_at INTEGER,
            enqueued_at INTEGER,
            lease_until INTEGER,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            delivered_at INTEGER,
            dead_at INTEGER);
          CREATE INDEX deliveries_by_state ON deliveries (state, seq);
          CREATE INDEX deliveries_by_reminder ON deliveries (reminder_id);
          CREATE INDEX deliveries_by_digest ON deliveries (digest_id);
          CREATE INDEX deliveries_held ON deliveries (state, release_at);
          CREATE TABLE delivery_attempts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            delivery_id TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            at INTEGER NOT NULL,
            duration_ms INTEGER NOT NULL,
            status INTEGER,
            error TEXT,
            outcome TEXT NOT NULL,
            retry_at INTEGER,
            source TEXT NOT NULL);
          CREATE INDEX delivery_attempts_by_delivery ON delivery_attempts (delivery_id, id);
          CREATE TABLE channel_health (
            channel TEXT PRIMARY KEY,
            consecutive_failures INTEGER NOT NULL,
            healthy INTEGER NOT NULL,
            unhealthy_since INTEGER,
            last_failure_at INTEGER,
            last_error TEXT,
            last_success_at INTEGER);`,
  },
  {
    // Why a delivery was skipped: the channel does not apply to the reminder (a helpdesk note
    // channel, and no ticket of its helpdesk). Kept apart from last_error: nothing failed.
    id: 2,
    sql: `ALTER TABLE deliveries ADD COLUMN skip_reason TEXT;`,
  },
  {
    // What the channel's API said identifies the posted message (a Slack app's channel + ts): kept
    // with the delivery, the one row per reminder × channel, so an action taken anywhere later can
    // rewrite the message it was about (src/slack/echo.ts).
    id: 3,
    sql: `ALTER TABLE deliveries ADD COLUMN receipt TEXT;`,
  },
  {
    // Every index a row touches is one more row written, billed per reminder. The digest and
    // quiet-hours indexes only ever serve rows in a digest or held, so they hold only those; a
    // reminder's deliveries are found by their id's prefix (`<reminder id>#<channel>`, see
    // deliveryIdOf) on the delivery id's own index; an attempt is keyed by its delivery (the only
    // way it is read), numbered within it.
    id: 4,
    sql: `DROP INDEX deliveries_by_reminder;
          DROP INDEX deliveries_by_digest;
          CREATE INDEX deliveries_by_digest ON deliveries (digest_id) WHERE digest_id IS NOT NULL;
          DROP INDEX deliveries_held;
          CREATE INDEX deliveries_held ON deliveries (release_at) WHERE state = 'held';
          CREATE TABLE delivery_attempts_v2 (
            delivery_id TEXT NOT NULL,
            id INTEGER NOT NULL,
            attempt INTEGER NOT NULL,
            at INTEGER NOT NULL,
            duration_ms INTEGER NOT NULL,
            status INTEGER,
            error TEXT,
            outcome TEXT NOT NULL,
            retry_at INTEGER,
            source TEXT NOT NULL,
            PRIMARY KEY (delivery_id, id)) WITHOUT ROWID;
          INSERT INTO delivery_attempts_v2 (delivery_id, id, attempt, at, duration_ms, status, error, outcome, retry_at, source)
            SELECT delivery_id, id, attempt, at, duration_ms, status, error, outcome, retry_at, source FROM delivery_attempts;
          DROP TABLE delivery_attempts;
          ALTER TABLE delivery_attempts_v2 RENAME TO delivery_attempts;`,
  },
];

/**
 * A failing alarm handler is retried by the platform with backoff, but only about six times;
 * after that the alarm is gone, and with it the release of held quiet-hours reminders and the
 * safety net for lost hand-overs. From this retry on the handler re-arms itself instead of
 * throwing (the same guard as the case object's alarm).
 */
export const SELF_REARM_AFTER_RETRIES = 4;
export const SELF_REARM_DELAY_MS = 30_000;

/** When a failed alarm run must be re-armed by the handler itself, or null to throw and let the platform retry. */
export function rearmAfterFailedAlarm(retryCount: number, now: number): number | null {
  return retryCount >= SELF_REARM_AFTER_RETRIES ? now + SELF_REARM_DELAY_MS : null;
}

/** How finely a healthy channel's last success is kept (see trackHealth). */
export const HEALTH_SUCCESS_GRAIN_MS = 60_000;
/** Consecutive failed attempts after which a channel is unhealthy and the other channels are told. */
export const UNHEALTHY_AFTER = 20;
/** A pending row untouched this long past its expected next attempt is re-queued by the alarm. */
export const STALE_AFTER_MS = 60 * 60_000;
/** Retry for a failed hand-over to the queue. */
const ENQUEUE_RETRY_MS = 30_000;
/** The soonest the alarm looks again for stale rows: never a busy loop on a row at the threshold. */
const STALE_CHECK_FLOOR_MS = 1_000;
/** Per sendBatch call (the queue takes up to 100 messages / 256 KB; ours are tiny). */
const SEND_CHUNK = 50;
/** SQLite in Durable Objects allows at most 100 bound parameters per statement. */
const IN_CHUNK = 90;

interface Row {
  seq: number;
  delivery_id: string;
  idempotency_key: string;
  store_id: string;
  kind: string;
  channel: string | null;
  channel_type: string | null;
  state: string;
  payload: string;
  reminder_id: string | null;
  rules_version: number;
  release_at: number | null;
  digest_id: string | null;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  last_attempt_at: number | null;
  next_attempt_at: number | null;
  enqueued_at: number | null;
  lease_until: number | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
  dead_at: number | null;
  skip_reason: string | null;
  [key: string]: SqlStorageValue;
}

interface AttemptRow {
  delivery_id: string;
  attempt: number;
  at: number;
  duration_ms: number;
  status: number | null;
  error: string | null;
  outcome: string;
  retry_at: number | null;
  source: string;
  [key: string]: SqlStorageValue;
}

interface HealthRow {
  channel: string;
  consecutive_failures: number;
  healthy: number;
  unhealthy_since: number | null;
  last_failure_at: number | null;
  last_error: string | null;
  last_success_at: number | null;
  [key: string]: SqlStorageValue;
}

export interface RecordOutcome {
  deliveries: { deliveryId: string; channel: string | null; state: DeliveryState }[];
  /** Queue messages sent by this call (rows already handed to the queue are not sent again). */
  enqueued: number;
}

export type StartOutcome =
  | { action: "send"; outbound: Outbound; channel: string; attempt: number }
  | { action: "skip"; reason: string }
  /**
   * Try this one again after `seconds`: another copy holds the claim (it may have crashed), or
   * the store is over its outbound cap (`reason` says which).
   */
  | { action: "wait"; seconds: number; reason?: string }
  /**
   * This delivery could not be claimed (its row did not read back): nothing was claimed, and the
   * message is retried with backoff exactly as if the call had failed, without holding back the
   * other deliveries claimed in the same call.
   */
  | { action: "error"; error: string };

export interface FinishInput {
  deliveryId: string;
  at: number;
  durationMs: number;
  status: number | null;
  error: string | null;
  /** `skipped`: the channel turned out not to apply (a note channel, no ticket of its helpdesk); not a failure. */
  outcome: "delivered" | "retry" | "dead" | "skipped";
  /** For retries: when the consumer asked the queue to try again. */
  retryAt: number | null;
  /** The store's channels in its current rules, so a notice can go to the others. */
  storeChannels: { name: string; type: string }[];
  /** Delivered: what identifies the posted message, where the channel's API says (see Classification). */
  receipt?: string | undefined;
}

/**
 * One per finished attempt: the row's state afterwards and the notices it caused, or why the
 * attempt could not be recorded or its notices not handed to the queue (the message is then
 * retried, as a failed call would be; an attempt that did not commit is never lost).
 */
export type FinishOutcome = { state: DeliveryState | null; noticesSent: number } | { error: string };

export type RetryOutcome = { type: "requeued"; delivery: DeliveryView } | { type: "not_found" } | { type: "not_retryable"; state: string };

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class DeliveryLog {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly queue: Queue,
    /**
     * How long a pending delivery may go without any activity before it is queued again. Queues
     * are durable in production, so an hour is only a safety net; under `wrangler dev` queued
     * messages live in memory and a killed process drops them, so `npm start` uses a minute.
     */
    private readonly staleAfterMs: number = STALE_AFTER_MS,
  ) {}

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  private row(deliveryId: string): Row | undefined {
    return this.sql.exec<Row>(`SELECT * FROM deliveries WHERE delivery_id = ?`, deliveryId).toArray()[0];
  }

  private rowsWhereIn(column: "delivery_id" | "reminder_id", values: string[]): Row[] {
    if (column === "reminder_id") return values.flatMap((id) => this.rowsOfReminder(id)).sort((a, b) => a.seq - b.seq);
    return chunks(values, IN_CHUNK).flatMap((part) =>
      this.sql.exec<Row>(`SELECT * FROM deliveries WHERE ${column} IN (${part.map(() => "?").join(",")}) ORDER BY seq`, ...part).toArray(),
    );
  }

  /** A reminder's deliveries: a range of the delivery id's index (`<reminder id>#…`, '$' sorts right after '#'). */
  private rowsOfReminder(reminderId: string, limit = -1): Row[] {
    return this.sql
      .exec<Row>(`SELECT * FROM deliveries WHERE delivery_id >= ? AND delivery_id < ? AND reminder_id = ? ORDER BY seq LIMIT ?`, `${reminderId}#`, `${reminderId}$`, reminderId, limit)
      .toArray();
  }

  private insert(
    r: {
      deliveryId: string;
      key: string;
      storeId: string;
      kind: DeliveryKind;
      channel: string | null;
      channelType: string | null;
      state: DeliveryState;
      payload: unknown;
      reminderId: string | null;
      rulesVersion: number;
      releaseAt?: number | null;
      lastError?: string | null;
      skipReason?: string | null;
      /** Marked handed over in the same row write, by a caller that sends it right after (see record). */
      enqueuedAt?: number | null;
    },
    now: number,
  ): boolean {
    const written = this.sql.exec(
      `INSERT OR IGNORE INTO deliveries (delivery_id, idempotency_key, store_id, kind, channel, channel_type, state, payload, reminder_id, rules_version,
         release_at, last_error, created_at, updated_at, dead_at, skip_reason, enqueued_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      r.deliveryId,
      r.key,
      r.storeId,
      r.kind,
      r.channel,
      r.channelType,
      r.state,
      JSON.stringify(r.payload),
      r.reminderId,
      r.rulesVersion,
      r.releaseAt ?? null,
      r.lastError ?? null,
      now,
      now,
      r.state === "dead" ? now : null,
      r.skipReason ?? null,
      r.enqueuedAt ?? null,
    ).rowsWritten;
    return written > 0;
  }

  private logAttempt(a: { deliveryId: string; attempt: number; at: number; durationMs: number; status: number | null; error: string | null; outcome: AttemptOutcome; retryAt?: number | null; source: string }): void {
    this.sql.exec(
      `INSERT INTO delivery_attempts (delivery_id, id, attempt, at, duration_ms, status, error, outcome, retry_at, source)
       VALUES (?1, (SELECT COALESCE(MAX(id), 0) + 1 FROM delivery_attempts WHERE delivery_id = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)`,
      a.deliveryId,
      a.attempt,
      a.at,
      Math.max(0, Math.round(a.durationMs)),
      a.status,
      a.error,
      a.outcome,
      a.retryAt ?? null,
      a.source,
    );
  }

  // ── Dispatch ──────────────────────────────────────────────────────────────────────────────

  /** Records a reminder's deliveries (idempotent per reminder × channel) and sends the pending ones. */
  async record(plan: DispatchPlan): Promise<RecordOutcome> {
    const r = plan.reminder;
    const now = plan.now;
    const ids: string[] = [];
    this.storage.transactionSync(() => {
      if (plan.channels.length === 0) {
        const deliveryId = deliveryIdOf(r.id, "");
        ids.push(deliveryId);
        this.insert({ deliveryId, key: r.id, storeId: r.storeId, kind: "reminder", channel: null, channelType: null, state: "no_channels", payload: r, reminderId: r.id, rulesVersion: plan.rulesVersion }, now);
        return;
      }
      for (const c of plan.channels) {
        const deliveryId = deliveryIdOf(r.id, c.name);
        ids.push(deliveryId);
        const missing = c.type === null ? `channel "${c.name}" is not defined in the store's rules (version ${plan.rulesVersion}); add it and retry this delivery` : null;
        // A channel that does not apply is skipped, held or not: there is nothing to send, now or at the opening.
        const state: DeliveryState = missing ? "dead" : c.skip !== null ? "skipped" : plan.holdUntil !== null ? "held" : "pending";
        const created = this.insert(
          {
            deliveryId,
            key: r.id,
            storeId: r.storeId,
            kind: "reminder",
            channel: c.name,
            channelType: c.type,
            state,
            payload: r,
            reminderId: r.id,
            rulesVersion: plan.rulesVersion,
            releaseAt: state === "held" ? plan.holdUntil : null,
            lastError: missing,
            skipReason: state === "skipped" ? c.skip : null,
            // Sent right below: marking it now saves a second write of the row per delivery. If
            // this object dies before the send, the case's call fails and it records the reminder
            // again, which sends every pending delivery not yet attempted (below).
            enqueuedAt: state === "pending" ? now : null,
          },
          now,
        );
        if (created && missing) this.logAttempt({ deliveryId, attempt: 0, at: now, durationMs: 0, status: null, error: missing, outcome: "dead", source: "dispatch" });
      }
    });
    const rows = this.rowsWhereIn("delivery_id", ids);
    // Not yet attempted and not claimed: a copy may already be in the queue (the consumer drops
    // the second), but after a crash between this row's write and its send there is none.
    const toSend = rows.filter((row) => row.state === "pending" && row.digest_id === null && (row.enqueued_at === null || (row.attempts === 0 && row.lease_until === null)));
    await this.enqueue(toSend, now);
    await this.armAt(this.wakeFor(rows, now));
    return { deliveries: rows.map((row) => ({ deliveryId: row.delivery_id, channel: row.channel, state: row.state as DeliveryState })), enqueued: toSend.length };
  }

  /**
   * Hands rows to the queue, then marks them enqueued. If the send fails the alarm is armed to
   * try again and the error propagates, so the caller (the case object) retries as well.
   */
  private async enqueue(rows: Row[], now: number): Promise<void> {
    for (const part of chunks(rows, SEND_CHUNK)) {
      const messages = part.map((row) => ({
        body: {
          v: 1,
          kind: row.kind as DeliveryKind,
          storeId: row.store_id,
          deliveryId: row.delivery_id,
          channel: row.channel ?? "",
          idempotencyKey: row.idempotency_key,
          rulesVersion: row.rules_version,
        } satisfies QueueMessage,
        contentType: "json" as const,
      }));
      try {
        await this.queue.sendBatch(messages);
      } catch (err) {
        // Rows marked before the send (record) are unmarked, so the alarm's sweep of unsent rows takes them.
        const marked = part.filter((row) => row.enqueued_at !== null).map((row) => row.delivery_id);
        if (marked.length > 0) this.sql.exec(`UPDATE deliveries SET enqueued_at = NULL WHERE state = 'pending' AND attempts = 0 AND delivery_id IN (${marked.map(() => "?").join(",")})`, ...marked);
        await this.armAt(now + ENQUEUE_RETRY_MS);
        throw err;
      }
      const ids = part.filter((row) => row.enqueued_at === null).map((row) => row.delivery_id);
      if (ids.length > 0) this.sql.exec(`UPDATE deliveries SET enqueued_at = ? WHERE delivery_id IN (${ids.map(() => "?").join(",")})`, Date.now(), ...ids);
    }
  }

  // ── Consumer ──────────────────────────────────────────────────────────────────────────────

  /**
   * Claims deliveries for one send each, in the order given (one call per store per queue batch).
   * Anything but a pending row is skipped (delivered: a duplicate copy; dead: only an admin retry
   * revives it). A row another copy is sending right now is not sent twice at once: this copy
   * waits until the claim expires, then finds the row delivered (and is dropped) or still pending
   * because the claimer died mid-send (and sends it). The same delivery twice in one call is two
   * copies: the first claims it, the second waits.
   */
  startMany(deliveryIds: string[], leaseMs: number, now: number): StartOutcome[] {
    return deliveryIds.map((deliveryId) => {
      try {
        return this.start(deliveryId, leaseMs, now);
      } catch (err) {
        return { action: "error", error: errorText(err) };
      }
    });
  }

  private start(deliveryId: string, leaseMs: number, now: number): StartOutcome {
    const row = this.row(deliveryId);
    if (!row) return { action: "skip", reason: "no such delivery in this store's log" };
    if (row.state !== "pending") return { action: "skip", reason: `already ${row.state}` };
    if (row.lease_until !== null && row.lease_until > now) return { action: "wait", seconds: Math.ceil((row.lease_until - now) / 1000) + 1 };
    if (row.channel === null) return { action: "skip", reason: "delivery has no channel" };
    // Read before claiming, so a row that does not read back is not left claimed.
    const outbound = this.outbound(row);
    this.sql.exec(`UPDATE deliveries SET lease_until = ? WHERE delivery_id = ?`, now + leaseMs, deliveryId);
    return { action: "send", outbound, channel: row.channel, attempt: row.attempts + 1 };
  }

  /** Gives back claims taken by `startMany` for deliveries that will not be posted now (over the store's cap). */
  releaseClaims(deliveryIds: string[]): void {
    for (const deliveryId of deliveryIds) this.sql.exec(`UPDATE deliveries SET lease_until = NULL WHERE delivery_id = ? AND state = 'pending'`, deliveryId);
  }

  private outbound(row: Row): Outbound {
    if (row.kind === "digest") {
      const members = this.sql.exec<Row>(`SELECT * FROM deliveries WHERE digest_id = ? ORDER BY seq`, row.delivery_id).toArray();
      const payload = JSON.parse(row.payload) as { releasedAt: string };
      return { kind: "digest", key: row.idempotency_key, deliveryId: row.delivery_id, storeId: row.store_id, releasedAt: payload.releasedAt, reminders: members.map((m) => Reminder.parse(JSON.parse(m.payload))) };
    }
    if (row.kind === "notice") return { kind: "notice", key: row.idempotency_key, deliveryId: row.delivery_id, notice: JSON.parse(row.payload) as ChannelNotice };
    return { kind: "reminder", key: row.idempotency_key, deliveryId: row.delivery_id, reminder: Reminder.parse(JSON.parse(row.payload)) };
  }

  /**
   * Records attempts in the order given (one call per store per queue batch), each exactly as if
   * it came alone: its own transaction, channel health, and notices when it tips a channel over.
   * One that fails does not undo or hold back the others.
   */
  async finishMany(inputs: FinishInput[]): Promise<FinishOutcome[]> {
    const out: FinishOutcome[] = [];
    for (const input of inputs) {
      try {
        out.push(await this.finish(input));
      } catch (err) {
        out.push({ error: errorText(err) });
      }
    }
    return out;
  }

  /** Records one attempt, moves the row, tracks the channel's health and sends notices when it tips over. */
  private async finish(input: FinishInput): Promise<{ state: DeliveryState | null; noticesSent: number }> {
    const row = this.row(input.deliveryId);
    if (!row) return { state: null, noticesSent: 0 };
    const notices: Row[] = [];
    let state = row.state as DeliveryState;
    this.storage.transactionSync(() => {
      const attempt = row.attempts + 1;
      this.logAttempt({ deliveryId: row.delivery_id, attempt, at: input.at, durationMs: input.durationMs, status: input.status, error: input.error, outcome: input.outcome, retryAt: input.retryAt, source: "queue" });
      const skipped = input.outcome === "skipped";
      if (input.outcome === "delivered") state = "delivered";
      else if ((input.outcome === "dead" || skipped) && row.state !== "delivered") state = skipped ? "skipped" : "dead";
      this.sql.exec(
        `UPDATE deliveries SET attempts = ?, last_status = ?, last_error = CASE WHEN ? THEN NULL ELSE COALESCE(?, last_error) END, last_attempt_at = ?, next_attempt_at = ?,
           lease_until = NULL, state = ?, updated_at = ?, skip_reason = ?, receipt = COALESCE(?, receipt),
           delivered_at = CASE WHEN ? = 'delivered' THEN COALESCE(delivered_at, ?) ELSE delivered_at END,
           dead_at = CASE WHEN ? = 'dead' THEN ? ELSE NULL END
         WHERE delivery_id = ?`,
        attempt,
        input.status,
        // Delivered: an earlier attempt's error is that attempt's (in `attempts`), not the delivery's.
        input.outcome === "delivered" ? 1 : 0,
        skipped ? null : input.error,
        input.at,
        input.outcome === "retry" ? input.retryAt : null,
        state,
        input.at,
        state === "skipped" ? input.error : null,
        input.outcome === "delivered" ? (input.receipt ?? null) : null,
        state,
        input.at,
        state,
        input.at,
        row.delivery_id,
      );
      if (row.kind === "digest") this.settleDigestMembers(row.delivery_id, state, input.at, state === "skipped" ? input.error : null);
      // A skip says nothing about the channel: it neither breaks nor extends a run of failures.
      if (row.channel !== null && !skipped) {
        const tipped = this.trackHealth(row.channel, input.outcome === "delivered", input.error, input.at);
        if (tipped) notices.push(...this.createNotices(row, tipped, input.storeChannels, input.at));
      }
    });
    if (notices.length > 0) await this.enqueue(notices, input.at);
    return { state, noticesSent: notices.length };
  }

  /** Reminders carried by a digest follow it: delivered, dead, skipped, or back to pending on a retry. */
  private settleDigestMembers(digestId: string, state: DeliveryState, at: number, skipReason: string | null = null): void {
    this.sql.exec(
      `UPDATE deliveries SET state = ?, updated_at = ?, skip_reason = ?,
         delivered_at = CASE WHEN ? = 'delivered' THEN COALESCE(delivered_at, ?) ELSE delivered_at END,
         dead_at = CASE WHEN ? = 'dead' THEN ? ELSE NULL END
       WHERE digest_id = ?`,
      state,
      at,
      skipReason,
      state,
      at,
      state,
      at,
      digestId,
    );
  }

  /** Returns the health row when this failure tipped the channel into unhealthy, else null. */
  private trackHealth(channel: string, ok: boolean, error: string | null, at: number): HealthRow | null {
    const current = this.sql.exec<HealthRow>(`SELECT * FROM channel_health WHERE channel = ?`, channel).toArray()[0];
    // A healthy channel's run of successes changes nothing but the last success's time: kept to
    // the minute, it is one row written per channel per minute, not one per reminder.
    if (ok && current && current.healthy === 1 && current.consecutive_failures === 0 && current.last_success_at !== null && at - current.last_success_at < HEALTH_SUCCESS_GRAIN_MS && at >= current.last_success_at) return null;
    if (ok) {
      this.sql.exec(
        `INSERT INTO channel_health (channel, consecutive_failures, healthy, last_success_at) VALUES (?, 0, 1, ?)
         ON CONFLICT (channel) DO UPDATE SET consecutive_failures = 0, healthy = 1, unhealthy_since = NULL, last_success_at = excluded.last_success_at`,
        channel,
        at,
      );
      return null;
    }
    const failures = (current?.consecutive_failures ?? 0) + 1;
    const wasHealthy = (current?.healthy ?? 1) === 1;
    const tips = wasHealthy && failures >= UNHEALTHY_AFTER;
    this.sql.exec(
      `INSERT INTO channel_health (channel, consecutive_failures, healthy, unhealthy_since, last_failure_at, last_error) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (channel) DO UPDATE SET consecutive_failures = excluded.consecutive_failures, healthy = excluded.healthy,
         unhealthy_since = excluded.unhealthy_since, last_failure_at = excluded.last_failure_at, last_error = excluded.last_error`,
      channel,
      failures,
      wasHealthy && !tips ? 1 : 0,
      tips ? at : (current?.unhealthy_since ?? null),
      at,
      error,
    );
    return tips ? this.sql.exec<HealthRow>(`SELECT * FROM channel_health WHERE channel = ?`, channel).one() : null;
  }

  /**
   * One notice per other channel that can take one: healthy, and not a helpdesk note channel
   * (a note needs a ticket, and "Slack is down" belongs on no particular ticket).
   */
  private createNotices(failing: Row, health: HealthRow, storeChannels: { name: string; type: string }[], at: number): Row[] {
    const unhealthy = new Set(this.sql.exec<{ channel: string }>(`SELECT channel FROM channel_health WHERE healthy = 0`).toArray().map((h) => h.channel));
    const notice: ChannelNotice = {
      storeId: failing.store_id,
      channel: failing.channel ?? "",
      channelType: failing.channel_type,
      consecutiveFailures: health.consecutive_failures,
      since: new Date(at).toISOString(),
      lastError: health.last_error,
    };
    const key = `notice:${failing.store_id}:${failing.channel ?? ""}:unhealthy:${at}`;
    const ids: string[] = [];
    for (const c of storeChannels) {
      if (c.name === failing.channel || unhealthy.has(c.name) || needsTicket(c.type)) continue;
      const deliveryId = deliveryIdOf(key, c.name);
      if (this.insert({ deliveryId, key, storeId: failing.store_id, kind: "notice", channel: c.name, channelType: c.type, state: "pending", payload: notice, reminderId: null, rulesVersion: failing.rules_version }, at)) ids.push(deliveryId);
    }
    return ids.length > 0 ? this.rowsWhereIn("delivery_id", ids) : [];
  }

  /** A message that exhausted its queue retries: the delivery is dead until an admin retries it. */
  deadLetter(deliveryId: string, now: number): { state: DeliveryState | null } {
    const row = this.row(deliveryId);
    if (!row) return { state: null };
    if (row.state !== "pending" || row.digest_id !== null) return { state: row.state as DeliveryState };
    // A copy is being sent right now: it decides (a duplicate copy ran out of retries, not the delivery).
    if (row.lease_until !== null && row.lease_until > now) return { state: "pending" };
    const reason = `gave up after ${row.attempts} attempt(s): the queue's retries are exhausted${row.last_error ? `; last error: ${row.last_error}` : ""}`;
    this.storage.transactionSync(() => {
      this.logAttempt({ deliveryId, attempt: row.attempts, at: now, durationMs: 0, status: null, error: reason, outcome: "dead", source: "dlq" });
      this.sql.exec(`UPDATE deliveries SET state = 'dead', dead_at = ?, updated_at = ?, lease_until = NULL, next_attempt_at = NULL, last_error = ? WHERE delivery_id = ?`, now, now, reason, deliveryId);
      if (row.kind === "digest") this.settleDigestMembers(deliveryId, "dead", now);
    });
    return { state: "dead" };
  }

  // ── Admin ─────────────────────────────────────────────────────────────────────────────────

  /** Newest first. */
  list(q: { state?: DeliveryState | undefined; limit: number; cursor?: number | undefined }): DeliveryPage {
    const rows = this.sql
      .exec<Row>(
        `SELECT * FROM deliveries WHERE (?1 IS NULL OR state = ?1) AND seq < ?2 ORDER BY seq DESC LIMIT ?3`,
        q.state ?? null,
        q.cursor ?? Number.MAX_SAFE_INTEGER,
        q.limit + 1,
      )
      .toArray();
    const page = rows.slice(0, q.limit);
    // Issue 22: a page also ends at about 1 MB (a delivery carries every attempt), never empty.
    const views = this.views(page);
    let kept = 0;
    let used = 0;
    for (const v of views) {
      const cost = JSON.stringify(v).length;
      if (kept > 0 && used + cost > DELIVERY_PAGE_MAX_BYTES) break;
      used += cost;
      kept += 1;
    }
    return { deliveries: views.slice(0, kept), nextCursor: rows.length > kept && kept > 0 ? String(page[kept - 1]!.seq) : null };
  }

  /** Every delivery of these reminders (for a case's timeline). */
  /** Delivered reminders' messages that can be rewritten (a receipt), with the reminder each carried. */
  receiptsFor(reminderIds: string[]): { channel: string; receipt: string; reminder: Reminder }[] {
    return this.rowsWhereIn("reminder_id", reminderIds)
      .filter((r) => r.kind === "reminder" && r.channel !== null && typeof r.receipt === "string")
      .map((r) => ({ channel: r.channel!, receipt: r.receipt as string, reminder: JSON.parse(r.payload) as Reminder }));
  }

  forReminders(reminderIds: string[]): DeliveryView[] {
    return this.views(this.rowsWhereIn("reminder_id", reminderIds));
  }

  private views(rows: Row[]): DeliveryView[] {
    const attempts = new Map<string, DeliveryAttempt[]>();
    for (const part of chunks(rows.map((r) => r.delivery_id), IN_CHUNK)) {
      const found = this.sql.exec<AttemptRow>(`SELECT * FROM delivery_attempts WHERE delivery_id IN (${part.map(() => "?").join(",")}) ORDER BY id`, ...part).toArray();
      for (const a of found) {
        const list = attempts.get(a.delivery_id) ?? [];
        list.push({ attempt: a.attempt, at: iso(a.at)!, durationMs: a.duration_ms, status: a.status, error: a.error, outcome: a.outcome as AttemptOutcome, retryAt: iso(a.retry_at), source: a.source });
        attempts.set(a.delivery_id, list);
      }
    }
    const digestSizes = new Map<string, number>();
    const digests = rows.filter((r) => r.kind === "digest").map((r) => r.delivery_id);
    for (const part of chunks(digests, IN_CHUNK)) {
      const counts = this.sql
        .exec<{ digest_id: string; n: number }>(`SELECT digest_id, COUNT(*) AS n FROM deliveries WHERE digest_id IN (${part.map(() => "?").join(",")}) GROUP BY digest_id`, ...part)
        .toArray();
      for (const c of counts) digestSizes.set(c.digest_id, c.n);
    }
    return rows.map((row) => {
      let reminder: DeliveryView["reminder"] = null;
      if (row.kind === "reminder") {
        const r = JSON.parse(row.payload) as Reminder;
        reminder = { id: r.id, caseId: r.caseId, kind: r.kind, urgency: r.urgency, title: r.title, dueAt: r.dueAt, firedAt: r.firedAt };
      }
      return {
        id: row.seq,
        deliveryId: row.delivery_id,
        idempotencyKey: row.idempotency_key,
        kind: row.kind as DeliveryKind,
        channel: row.channel,
        channelType: row.channel_type,
        state: row.state as DeliveryState,
        reminder,
        heldUntil: row.state === "held" ? iso(row.release_at) : null,
        skippedBecause: row.state === "skipped" ? row.skip_reason : null,
        digestId: row.digest_id,
        digestSize: row.kind === "digest" ? (digestSizes.get(row.delivery_id) ?? 0) : null,
        attemptCount: row.attempts,
        lastStatus: row.last_status,
        // Rows delivered before last_error was cleared on delivery still hold an old attempt's error.
        lastError: row.state === "delivered" ? null : row.last_error,
        lastAttemptAt: iso(row.last_attempt_at),
        nextAttemptAt: row.state === "pending" ? iso(row.next_attempt_at) : null,
        createdAt: iso(row.created_at)!,
        updatedAt: iso(row.updated_at)!,
        deliveredAt: iso(row.delivered_at),
        deadAt: iso(row.dead_at),
        attempts: attempts.get(row.delivery_id) ?? [],
      };
    });
  }

  /**
   * Sends a dead delivery again, with the same idempotency key. A reminder that went out inside a
   * digest is retried through its digest (the digest is what was sent).
   */
  async retry(seq: number, actor: string, now: number): Promise<RetryOutcome> {
    let row = this.sql.exec<Row>(`SELECT * FROM deliveries WHERE seq = ?`, seq).toArray()[0];
    if (!row) return { type: "not_found" };
    if (row.digest_id !== null) row = this.row(row.digest_id) ?? row;
    if (row.state !== "dead") return { type: "not_retryable", state: row.state };
    const target = row;
    this.storage.transactionSync(() => {
      this.logAttempt({ deliveryId: target.delivery_id, attempt: target.attempts, at: now, durationMs: 0, status: null, error: null, outcome: "requeued", source: `admin:${actor}` });
      this.sql.exec(
        `UPDATE deliveries SET state = 'pending', dead_at = NULL, enqueued_at = NULL, lease_until = NULL, next_attempt_at = NULL, updated_at = ? WHERE delivery_id = ?`,
        now,
        target.delivery_id,
      );
      if (target.kind === "digest") this.settleDigestMembers(target.delivery_id, "pending", now);
    });
    await this.enqueue([this.row(target.delivery_id)!], now);
    await this.rearm(now);
    const fresh = this.sql.exec<Row>(`SELECT * FROM deliveries WHERE seq = ?`, seq).one();
    return { type: "requeued", delivery: this.views([fresh])[0]! };
  }

  health(): ChannelHealthView[] {
    return this.sql
      .exec<HealthRow>(`SELECT * FROM channel_health ORDER BY channel`)
      .toArray()
      .map((h) => ({
        channel: h.channel,
        healthy: h.healthy === 1,
        consecutiveFailures: h.consecutive_failures,
        unhealthySince: iso(h.unhealthy_since),
        lastFailureAt: iso(h.last_failure_at),
        lastError: h.last_error,
        lastSuccessAt: iso(h.last_success_at),
      }));
  }

  // ── Alarm: quiet hours, lost hand-overs, stale rows ───────────────────────────────────────

  /**
   * The registry's alarm. Releases held reminders whose opening has come as one digest per
   * channel (per ticket for helpdesk notes), sends rows the queue never got, re-queues rows
   * nobody has touched long past their next retry, and sets the next alarm last. Safe to run
   * twice: every step reads state and moves it forward in a transaction.
   */
  async onAlarm(now: number): Promise<void> {
    this.releaseHeld(now);
    this.requeueStale(now);
    const unsent = this.sql
      .exec<Row>(`SELECT * FROM deliveries WHERE state = 'pending' AND digest_id IS NULL AND enqueued_at IS NULL ORDER BY seq LIMIT 500`)
      .toArray();
    try {
      await this.enqueue(unsent, now);
    } catch (err) {
      // enqueue armed a retry; returning normally keeps the platform's alarm retries for real faults.
      console.log(JSON.stringify({ msg: "deliveries.enqueue_failed", error: err instanceof Error ? err.message : String(err) }));
      return;
    }
    await this.rearm(now, true);
  }

  /**
   * The breach reminder that made a held warning stale, if it has fired: the warning ("due in
   * under a minute") would otherwise arrive in the morning's digest after the urgent breach of
   * the same target. Their reminder ids differ only in the timer key's tail: a warning's
   * `…:warning:<level>:<at>`, its breach's `…:due:0:<the target's due instant>` (the warning's `dueAt`).
   */
  private breachSentFor(row: Row): string | null {
    if (row.kind !== "reminder" || row.reminder_id === null || !row.reminder_id.includes(":warning:")) return null;
    const r = JSON.parse(row.payload) as Reminder;
    if (!r.kind.endsWith(".warning")) return null;
    const breachId = row.reminder_id.replace(/:warning:\d+:\d+$/, `:due:0:${Date.parse(r.dueAt)}`);
    if (breachId === row.reminder_id) return null;
    return this.rowsOfReminder(breachId, 1).length > 0 ? breachId : null;
  }

  private releaseHeld(now: number): void {
    const due = this.sql.exec<Row>(`SELECT * FROM deliveries WHERE state = 'held' AND release_at <= ? ORDER BY seq`, now).toArray();
    const stale = new Map<string, string>();
    for (const row of due) {
      const breachId = this.breachSentFor(row);
      if (breachId !== null) stale.set(row.delivery_id, breachId);
    }
    if (stale.size > 0) {
      this.storage.transactionSync(() => {
        for (const [deliveryId, breachId] of stale) {
          this.sql.exec(
            `UPDATE deliveries SET state = 'skipped', skip_reason = ?, updated_at = ? WHERE delivery_id = ? AND state = 'held'`,
            `dropped from the quiet-hours digest: the breach of the same target had already fired (${breachId})`,
            now,
            deliveryId,
          );
        }
      });
    }
    const held = due.filter((row) => !stale.has(row.delivery_id));
    if (held.length === 0) return;
    const groups = new Map<string, Row[]>();
    for (const row of held) {
      let key = row.channel ?? "";
      if (needsTicket(row.channel_type ?? "")) {
        const t = (JSON.parse(row.payload) as Reminder).ticket;
        key += t ? `:${t.provider}:${t.ticketId}` : ":no-ticket";
      }
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    this.storage.transactionSync(() => {
      for (const [groupKey, rows] of groups) {
        const first = rows[0]!;
        const releasedAt = new Date(Math.min(...rows.map((r) => r.release_at ?? now))).toISOString();
        const suffix = groupKey.slice((first.channel ?? "").length);
        const key = `digest:${first.store_id}:${releasedAt}${suffix}`;
        const deliveryId = deliveryIdOf(key, first.channel ?? "");
        this.insert(
          { deliveryId, key, storeId: first.store_id, kind: "digest", channel: first.channel, channelType: first.channel_type, state: "pending", payload: { releasedAt }, reminderId: null, rulesVersion: first.rules_version },
          now,
        );
        for (const part of chunks(rows.map((r) => r.delivery_id), IN_CHUNK - 2)) {
          this.sql.exec(
            `UPDATE deliveries SET state = 'pending', digest_id = ?, updated_at = ? WHERE state = 'held' AND delivery_id IN (${part.map(() => "?").join(",")})`,
            deliveryId,
            now,
            ...part,
          );
        }
      }
    });
  }

  private requeueStale(now: number): void {
    const stale = this.sql
      .exec<Row>(
        `SELECT * FROM deliveries WHERE state = 'pending' AND digest_id IS NULL AND enqueued_at IS NOT NULL
           AND (lease_until IS NULL OR lease_until < ?1) AND MAX(updated_at, COALESCE(next_attempt_at, 0), enqueued_at) < ?2 LIMIT 500`,
        now,
        now - this.staleAfterMs,
      )
      .toArray();
    if (stale.length === 0) return;
    this.storage.transactionSync(() => {
      for (const row of stale) {
        // A warning never tried whose queue message was lost (a restart under `wrangler dev`)
        // would go out now, after its target's breach, saying "due in under a minute". One
        // already tried is sent again: the receiver may have seen it, and it is owed its end.
        const breachId = row.attempts === 0 ? this.breachSentFor(row) : null;
        if (breachId !== null) {
          this.sql.exec(
            `UPDATE deliveries SET state = 'skipped', skip_reason = ?, updated_at = ?, next_attempt_at = NULL, enqueued_at = NULL WHERE delivery_id = ?`,
            `dropped: not sent before the breach of the same target fired (${breachId}), and would now arrive after it`,
            now,
            row.delivery_id,
          );
          continue;
        }
        this.logAttempt({ deliveryId: row.delivery_id, attempt: row.attempts, at: now, durationMs: 0, status: null, error: `no activity for ${Math.round(this.staleAfterMs / 1000)} s past the expected attempt: sent to the queue again`, outcome: "requeued", source: "sweeper" });
        this.sql.exec(`UPDATE deliveries SET enqueued_at = NULL, updated_at = ? WHERE delivery_id = ?`, now, row.delivery_id);
      }
    });
  }

  /** The earliest instant the alarm has work: a held release, an unsent row, or a stale check. */
  private nextWake(now: number): number | null {
    const held = this.sql.exec<{ t: number | null }>(`SELECT MIN(release_at) AS t FROM deliveries WHERE state = 'held'`).one().t;
    const unsent = this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM deliveries WHERE state = 'pending' AND digest_id IS NULL AND enqueued_at IS NULL`).one().n;
    // When the first pending row could be re-queued: quiet for staleAfterMs and no longer claimed.
    // Counting the claim here (as requeueStale does) is what lets the wake come right at that
    // instant: with a floor of a whole retry period instead, a row checked a few milliseconds too
    // early waited another full period, and a dropped delivery took two (issue 28).
    const stale = this.sql
      .exec<{ t: number | null }>(
        `SELECT MIN(MAX(MAX(updated_at, COALESCE(next_attempt_at, 0), COALESCE(enqueued_at, 0)) + ?, COALESCE(lease_until, 0))) AS t
           FROM deliveries WHERE state = 'pending' AND digest_id IS NULL AND enqueued_at IS NOT NULL`,
        this.staleAfterMs,
      )
      .one().t;
    const candidates = [held, unsent > 0 ? now + ENQUEUE_RETRY_MS : null, stale === null ? null : Math.max(stale + 1, now + STALE_CHECK_FLOOR_MS)].filter(
      (t): t is number => t !== null,
    );
    return candidates.length > 0 ? Math.min(...candidates) : null;
  }

  /**
   * Keeps the alarm at the earliest work. Outside the alarm handler an earlier alarm is left as is
   * (it will re-arm when it runs); inside it (`force`), the alarm is set to exactly what is next.
   */
  private async rearm(now: number, force = false): Promise<void> {
    const next = this.nextWake(now);
    const current = await this.storage.getAlarm();
    if (next === null) {
      if (force && current !== null) await this.storage.deleteAlarm();
      return;
    }
    if (force || current === null || next < current) await this.storage.setAlarm(next);
  }

  /**
   * When the safety net must look at these rows next: a held one at its release, a pending one
   * once it could have gone stale. This is what `nextWake` would add for them, worked out from
   * the rows alone: `nextWake` scans every pending delivery of the store, and calling it for each
   * fired reminder made recording cost grow with the backlog, so a delivery backlog fed itself
   * (bench §2: 30 % of the runtime's CPU at 80 reminders a second). The alarm itself still
   * recomputes the exact next wake.
   */
  private wakeFor(rows: Row[], now: number): number | null {
    const at = rows.flatMap((row) => {
      if (row.state === "held" && row.release_at !== null) return [row.release_at];
      if (row.state === "pending" && row.digest_id === null) return [Math.max(row.updated_at + this.staleAfterMs + 1, now + STALE_CHECK_FLOOR_MS)];
      return [];
    });
    return at.length > 0 ? Math.min(...at) : null;
  }

  private async armAt(at: number | null): Promise<void> {
    if (at === null) return;
    const current = await this.storage.getAlarm();
    if (current === null || at < current) await this.storage.setAlarm(at);
  }
}
