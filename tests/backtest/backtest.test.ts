/**
 * Backtests on hand-built histories: past-dated events handed to the case objects as intake hands
 * them, then a draft replayed over the window through the API. Every figure below is worked out
 * by hand from the history and the two rules documents.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { emptyTotals } from "../../src/backtest/aggregate";
import { caseIdOf } from "../../src/events/model";
import type { RulesDocumentInput } from "../../src/rules/schema";
import { call } from "../support/api";
import { HOUR, ingest, MIN, readCase, storeWithRules, ticketEvent, type TestStore } from "../support/cases";

const DAY = 24 * HOUR;
/** 10:00 UTC three days ago: every event of the histories is in the past. */
const T0 = (Math.floor(Date.now() / DAY) - 3) * DAY + 10 * HOUR;

const policy = (firstReply: string, extra: Record<string, unknown> = {}) => ({
  name: "All",
  targets: { firstReply: { calendar: "24/7", byPriority: { normal: firstReply } } },
  ...extra,
});
const CURRENT: RulesDocumentInput = { policies: [policy("30m")] };

interface View {
  state: string;
  progress: { cases: number; done: number };
  result: {
    casesReplayed: number;
    byMetric: { metric: string; current: { cycles: number; met: number; missed: number }; draft: { cycles: number; met: number; missed: number } }[];
    reminders: Record<"current" | "draft", { total: number; byKind: Record<string, number>; duringQuietHours: number; escalationsByLevel: Record<string, number> }>;
    changed: { caseId: string; firstDifference: string }[];
  } | null;
}

async function backtest(store: TestStore, rules: unknown, from = T0 - DAY, to = Date.now()): Promise<View> {
  const started = await call("POST", `/v1/stores/${store.storeId}/rules/backtest`, { token: store.adminToken, body: { rules, from: new Date(from).toISOString(), to: new Date(to).toISOString() } });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const id = started.body.backtestId as string;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const got = await call("GET", `/v1/stores/${store.storeId}/rules/backtests/${id}`, { token: store.adminToken });
    expect(got.status).toBe(200);
    if (got.body.state === "done" || Date.now() > deadline) return got.body as View;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A ticket opened at `at`, answered `replyAfter` later (never when null). */
async function ticket(store: TestStore, id: string, at: number, replyAfter: number | null) {
  const opened = ticketEvent(store.storeId, id, "case.opened", at, { status: "open", priority: "normal", subject: `Order ${id}` });
  await ingest([opened]);
  if (replyAfter !== null) await ingest([ticketEvent(store.storeId, id, "case.agent_reply", at + replyAfter)]);
  return caseIdOf(opened.caseKey);
}

const metric = (v: View, m: string) => v.result!.byMetric.find((x) => x.metric === m);

describe("backtest of a rules draft on the store's history", () => {
  it("turns a met first reply into a missed one when the target is shortened, and says so in words", async () => {
    const store = await storeWithRules(CURRENT);
    const late = await ticket(store, "BT-1", T0, 20 * MIN); // 20 min: met under 30m, missed under 15m
    await ticket(store, "BT-2", T0 + HOUR, 5 * MIN); // 5 min: met under both
    // Outside the window (opened and answered 40 days ago): not replayed.
    await ticket(store, "BT-OLD", T0 - 40 * DAY, 5 * MIN);

    const v = await backtest(store, { policies: [policy("15m")] }, T0 - DAY);
    expect(v.state).toBe("done");
    expect(v.result!.casesReplayed).toBe(2);
    expect(v.progress).toEqual({ cases: 2, done: 2 });
    expect(metric(v, "first_reply")).toEqual({ metric: "first_reply", current: { cycles: 2, met: 2, missed: 0 }, draft: { cycles: 2, met: 1, missed: 1 } });
    const hhmm = (t: number) => new Date(t).toISOString().slice(11, 16);
    expect(v.result!.changed).toEqual([
      { caseId: late, at: new Date(T0 + 15 * MIN).toISOString(), firstDifference: expect.stringMatching(new RegExp(`^first reply missed under the draft: due .*${hhmm(T0 + 15 * MIN)}, replied .*${hhmm(T0 + 20 * MIN)} \\(met under the current rules\\)$`)) },
    ]);
    // The shorter target would have sent the breach the current rules never sent.
    expect(v.result!.reminders.current.byKind["first_reply.breach"]).toBeUndefined();
    expect(v.result!.reminders.draft.byKind["first_reply.breach"]).toBe(1);
  });

  it("counts the reminders quiet hours would have held, and a new escalation level", async () => {
    const store = await storeWithRules(CURRENT);
    // Never answered: under the current rules the breach fires at T0 + 30 min, and nothing else.
    await ticket(store, "BT-Q", T0, null);
    const closedAllWeek = { timeZone: "UTC", week: { sun: [["00:00", "00:01"]] }, holidays: [], closures: [] };
    const draft = {
      calendars: { night: closedAllWeek },
      quietHours: { calendar: "night" },
      policies: [policy("30m", { escalations: [{ level: 1, after: "1h", message: "Still overdue" }, { level: 2, after: "2h", message: "Lead: take it" }] })],
    };
    const v = await backtest(store, draft);
    expect(v.result!.reminders.current).toMatchObject({ total: 1, byKind: { "first_reply.breach": 1 }, duringQuietHours: 0, escalationsByLevel: {} });
    // T0 + 30 min breach, + 1 h level 1, + 2 h level 2: all normal urgency, all while the quiet-hours calendar is closed.
    expect(v.result!.reminders.draft).toMatchObject({ total: 3, byKind: { "first_reply.breach": 1, "first_reply.escalation": 2 }, duringQuietHours: 3, escalationsByLevel: { "1": 1, "2": 1 } });
  });

  it("replays each case under the version it ran with, even after that version was replaced", async () => {
    const store = await storeWithRules(CURRENT);
    const caseId = await ticket(store, "BT-V", T0, 20 * MIN); // met under v1's 30m
    // v2 (10m) is saved later; the case stays pinned to v1. A draft equal to v1 changes nothing.
    const put = await call("GET", `/v1/stores/${store.storeId}/rules`, { token: store.adminToken });
    const saved = await call("PUT", `/v1/stores/${store.storeId}/rules`, { token: store.adminToken, body: { policies: [policy("10m")] }, headers: { "if-match": put.headers.get("etag")! } });
    expect(saved.status).toBe(200);
    const v = await backtest(store, CURRENT);
    expect(metric(v, "first_reply")).toEqual({ metric: "first_reply", current: { cycles: 1, met: 1, missed: 0 }, draft: { cycles: 1, met: 1, missed: 0 } });
    expect(v.result!.changed).toEqual([]);
    expect((await readCase(store, caseId)).rules.pins.map((p: { version: number }) => p.version)).toEqual([1]);
  });

  it("changes nothing on the cases and sends nothing", async () => {
    const store = await storeWithRules(CURRENT);
    const caseId = await ticket(store, "BT-S", T0, null);
    const deliveries = async () => (await call("GET", `/v1/stores/${store.storeId}/deliveries`, { token: store.adminToken })).body;
    // Let the real breach (long past due) fire, be handed to delivery and settle first: the
    // snapshot is taken once two reads a moment apart agree.
    const settled = async () => {
      for (let i = 0; i < 200; i++) {
        const [v, d] = [await readCase(store, caseId), await deliveries()];
        await new Promise((r) => setTimeout(r, 100));
        const [v2, d2] = [await readCase(store, caseId), await deliveries()];
        if (v.timers.pending.length === 0 && JSON.stringify(v.timeline) === JSON.stringify(v2.timeline) && JSON.stringify(d) === JSON.stringify(d2)) return { view: v2, deliveries: d2 };
      }
      throw new Error("the case never settled");
    };
    const { view: before, deliveries: deliveriesBefore } = await settled();
    const v = await backtest(store, { policies: [policy("5m", { escalations: [{ level: 1, after: "0s", message: "Overdue" }] })] });
    expect(v.result!.reminders.draft.total).toBeGreaterThan(v.result!.reminders.current.total);
    const after = await readCase(store, caseId);
    // A running clock's used time moves with the wall clock; everything else must be as it was.
    const still = (v: typeof before) => ({ timers: v.timers, timeline: v.timeline, clocks: v.clocks.map(({ usedMs: _u, remainingMs: _r, ...c }: Record<string, unknown>) => c) });
    expect(still(after)).toEqual(still(before));
    expect(await deliveries()).toEqual(deliveriesBefore);
  });
});

describe("backtest limits", () => {
  it("answers 400 with paths for a bad draft, from after to, and a window over 90 days", async () => {
    const store = await storeWithRules(CURRENT);
    const post = (body: unknown) => call("POST", `/v1/stores/${store.storeId}/rules/backtest`, { token: store.adminToken, body });
    const now = Date.now();
    const iso = (t: number) => new Date(t).toISOString();
    const bad = await post({ rules: { policies: [{ name: "x", targets: { firstReply: { byPriority: { normal: "soon" } } } }] }, from: iso(now - DAY), to: iso(now) });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toMatch(/^rules\.policies\[0\]\.targets\.firstReply/);
    const backwards = await post({ rules: CURRENT, from: iso(now), to: iso(now - DAY) });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.issues).toEqual([expect.objectContaining({ path: "from", message: "from is after to" })]);
    const long = await post({ rules: CURRENT, from: iso(now - 91 * DAY), to: iso(now) });
    expect(long.status).toBe(400);
    expect(long.body.error.issues).toEqual([expect.objectContaining({ path: "to", message: "the window is over 90 days" })]);
  });

  it("runs one at a time per store, can be cancelled, and no store can read another's", async () => {
    const store = await storeWithRules(CURRENT);
    const other = await storeWithRules(CURRENT);
    await ticket(store, "BT-L", T0, 5 * MIN);
    const body = { rules: CURRENT, from: new Date(T0 - DAY).toISOString(), to: new Date().toISOString() };
    const post = () => call("POST", `/v1/stores/${store.storeId}/rules/backtest`, { token: store.adminToken, body });
    // A backtest of this store that is still running (its row as the runner keeps it mid-run).
    const runningId = `bt_${"a".repeat(32)}`;
    await runInDurableObject(env.BACKTESTS.getByName(store.storeId), (_i, state) => {
      state.storage.sql.exec(
        `INSERT INTO backtests (backtest_id, store_id, state, draft, draft_version, from_at, to_at, until_at, created_at, updated_at, cases_total, totals)
         VALUES (?, ?, 'running', '{}', 2, 0, 1, 1, ?, ?, 5000, ?)`,
        runningId,
        store.storeId,
        Date.now(),
        Date.now(),
        JSON.stringify(emptyTotals()),
      );
    });
    const refused = await post();
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(runningId);
    const cancelled = await call("DELETE", `/v1/stores/${store.storeId}/rules/backtests/${runningId}`, { token: store.adminToken });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ backtestId: runningId, state: "cancelled", result: null });
    const started = await post();
    expect(started.status).toBe(202);
    const id = started.body.backtestId as string;
    // Another store's token, or this store's id with the other store's token: nothing to see.
    expect((await call("GET", `/v1/stores/${other.storeId}/rules/backtests/${id}`, { token: other.adminToken })).status).toBe(404);
    expect((await call("GET", `/v1/stores/${store.storeId}/rules/backtests/${id}`, { token: other.adminToken })).status).toBe(401);
    expect((await call("DELETE", `/v1/stores/${other.storeId}/rules/backtests/${id}`, { token: other.adminToken })).status).toBe(404);
    expect((await call("GET", `/v1/stores/${store.storeId}/rules/backtests/${id}`, { token: store.adminToken })).status).toBe(200);
  });
});
