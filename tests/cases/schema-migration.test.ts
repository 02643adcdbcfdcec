/**
 * The case object's storage was reshaped to write fewer rows (issue 26). Case objects opened
 * before that keep their events, timers, reminders, pins and identity through the migration, and
 * go on working; a new object gets the same shape in one batch. Run on the storage of a registry
 * object for a store that does not exist (it keeps no tables of its own, see strangers.test.ts).
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { NormalizedEvent } from "../../src/events/model";
import { caseMigrations, caseSchema, getMeta, insertEvent, readEvents, readOutbox, readPins, readTimers, setMetas } from "../../src/cases/case-sql";
import { applyMigrations } from "../../src/lib/sql-migrations";
import { deliveryMigrations } from "../../src/notify/delivery-log";

const scratch = (name: string) => env.STORES.getByName(`st_scratch_${name}_${crypto.randomUUID().slice(0, 8)}`);

const tableSql = (sql: SqlStorage, name: string) => sql.exec<{ sql: string }>(`SELECT sql FROM sqlite_master WHERE name = ?`, name).toArray()[0]?.sql ?? "";
const indexes = (sql: SqlStorage, table: string) =>
  sql.exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`, table).toArray().map((r) => r.name);

function event(id: string, occurredAt: string): NormalizedEvent {
  return { provider: "custom", providerEventId: id, kind: "case.customer_message", occurredAt, storeId: "st_x", caseKey: { type: "ticket", provider: "custom", ticketId: "T-1" } } as unknown as NormalizedEvent;
}

describe("the case object's storage", () => {
  it("keeps an existing case's identity, events, timers, reminders and pins through the migration", async () => {
    await runInDurableObject(scratch("old"), (_i, state) => {
      const sql = state.storage.sql;
      applyMigrations(state.storage, "case", caseMigrations.slice(0, 1));
      for (const [k, v] of Object.entries({ caseId: "ticket:custom:T-1", storeId: "st_x", caseKey: '{"type":"ticket"}', indexSeq: "7" })) sql.exec(`INSERT INTO case_meta (key, value) VALUES (?, ?)`, k, v);
      insertEvent(sql, event("e1", "2026-01-01T10:00:00.000Z"), 1);
      insertEvent(sql, event("e2", "2026-01-01T09:00:00.000Z"), 2);
      sql.exec(`INSERT INTO rule_pins (version, from_at, pinned_at) VALUES (3, 0, 1)`);
      sql.exec(
        `INSERT INTO timers (id, kind, due_at, state, rule_name, rule_path, rule_version, why, spec, attempts, created_at, updated_at) VALUES ('k1', 'first_reply.breach', 500, 'pending', 'r', 'p', 3, 'why', '{"key":"k1"}', 0, 1, 1)`,
      );
      sql.exec(`INSERT INTO outbox (reminder_id, timer_id, kind, due_at, fired_at, reminder, state, attempts, next_attempt_at) VALUES ('c:k0', 'k0', 'x', 1, 2, '{"id":"c:k0"}', 'pending', 0, 3)`);

      applyMigrations(state.storage, "case", caseMigrations, caseSchema);

      expect(getMeta(sql, "caseId")).toBe("ticket:custom:T-1");
      expect(getMeta(sql, "indexSeq")).toBe("7");
      expect(getMeta(sql, "missing")).toBeNull();
      expect(readEvents(sql).map((e) => e.eventId)).toEqual(["custom:e2", "custom:e1"]);
      expect(readTimers(sql).map((t) => [t.id, t.state, t.dueAt, t.rule.version])).toEqual([["k1", "pending", 500, 3]]);
      expect(readOutbox(sql).map((o) => [o.reminderId, o.state, o.nextAttemptAt])).toEqual([["c:k0", "pending", 3]]);
      expect(readPins(sql)).toEqual([{ version: 3, from: 0 }]);
      // Reshaped: keyed by the lookup, no secondary indexes left to write.
      expect(tableSql(sql, "timers")).toMatch(/WITHOUT ROWID/);
      expect(tableSql(sql, "outbox")).toMatch(/WITHOUT ROWID/);
      expect(indexes(sql, "timers")).toEqual([]);
      expect(indexes(sql, "outbox")).toEqual([]);
      // The older events table goes on numbering after what it holds; a duplicate is still one.
      expect(insertEvent(sql, event("e3", "2026-01-01T11:00:00.000Z"), 3)).toMatchObject({ duplicate: false, seq: 3 });
      expect(insertEvent(sql, event("e3", "2026-01-01T11:00:00.000Z"), 4)).toMatchObject({ duplicate: true });
      setMetas(sql, { indexSeq: "8", indexed: "{}" });
      expect([getMeta(sql, "indexSeq"), getMeta(sql, "indexed"), getMeta(sql, "storeId")]).toEqual(["8", "{}", "st_x"]);
    });
  });

  it("is created in one batch for a new case, recorded once, and numbers, orders and deduplicates events", async () => {
    await runInDurableObject(scratch("new"), (_i, state) => {
      const sql = state.storage.sql;
      applyMigrations(state.storage, "case", caseMigrations, caseSchema);
      applyMigrations(state.storage, "case", caseMigrations, caseSchema);
      expect(sql.exec<{ id: number }>(`SELECT id FROM _migrations WHERE grp = 'case'`).toArray().map((r) => r.id)).toEqual([caseSchema.id]);
      expect(insertEvent(sql, event("a", "2026-01-01T10:00:00.000Z"), 1)).toMatchObject({ duplicate: false, stale: false, seq: 1 });
      expect(insertEvent(sql, event("b", "2026-01-01T09:00:00.000Z"), 2)).toMatchObject({ duplicate: false, stale: true, seq: 2 });
      expect(insertEvent(sql, event("a", "2026-01-01T10:00:00.000Z"), 3)).toMatchObject({ duplicate: true });
      expect(readEvents(sql).map((e) => [e.eventId, e.seq, e.stale])).toEqual([
        ["custom:b", 2, true],
        ["custom:a", 1, false],
      ]);
      expect(getMeta(sql, "indexed")).toBeNull();
      setMetas(sql, { indexed: '{"a":1}', indexSeq: "5" });
      setMetas(sql, { indexSeq: "6" });
      expect([getMeta(sql, "indexed"), getMeta(sql, "indexSeq")]).toEqual(['{"a":1}', "6"]);
    });
  });

  it("keeps a store's delivery attempts, in order, when attempts are re-keyed by delivery", async () => {
    await runInDurableObject(scratch("deliveries"), (_i, state) => {
      const sql = state.storage.sql;
      applyMigrations(state.storage, "deliveries", deliveryMigrations.slice(0, 3));
      for (const [d, attempt] of [["d1", 1], ["d2", 1], ["d1", 2]] as const) {
        sql.exec(`INSERT INTO delivery_attempts (delivery_id, attempt, at, duration_ms, outcome, source) VALUES (?, ?, 1, 1, 'retry', 'queue')`, d, attempt);
      }
      applyMigrations(state.storage, "deliveries", deliveryMigrations);
      const rows = sql.exec<{ delivery_id: string; attempt: number }>(`SELECT delivery_id, attempt FROM delivery_attempts ORDER BY delivery_id, id`).toArray();
      expect(rows.map((r) => [r.delivery_id, r.attempt])).toEqual([["d1", 1], ["d1", 2], ["d2", 1]]);
      expect(tableSql(sql, "deliveries_held")).toMatch(/WHERE state = 'held'/);
      expect(tableSql(sql, "delivery_attempts")).toMatch(/WITHOUT ROWID/);
    });
  });
});
