/**
 * The case object inside workerd: many timers on one alarm, each firing once at its instant,
 * cancelled when its reason goes away, never sent twice, and explained in the case view.
 *
 * Events carry past timestamps so their timers are due (or nearly) now; timers meant to stay
 * pending are put hours ahead so the real alarm cannot reach them during the test.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { SupportCase } from "../../src/cases/support-case";
import { caseIdOf } from "../../src/events/model";
import type { RulesDocumentInput } from "../../src/rules/schema";
import { call } from "../support/api";
import { cancelled, caseStub, fired, HOUR, ingest, MIN, pending, readCase, saveRules, shipmentEvent, storeWithRules, ticketEvent, waitForCase, type ViewLike } from "../support/cases";

const RULES: RulesDocumentInput = {
  channels: { team: { type: "webhook", url: "http://127.0.0.1:9/hook", secret: "whsec_dGVzdHNlY3JldHRlc3RzZWNyZXQ=" } },
  policies: [
    {
      name: "Urgent chat",
      when: { channels: ["chat"], priorities: ["urgent"] },
      targets: { firstReply: { calendar: "24/7", byPriority: { urgent: "5m" }, warnings: ["2m"] } },
      notify: ["team"],
      escalations: [{ level: 1, after: "5m", message: "Shift lead: take it now" }],
    },
    {
      name: "Everything else",
      targets: {
        firstReply: { byPriority: { low: "8h", normal: "4h", high: "2h", urgent: "1h" } },
        nextReply: { byPriority: { low: "8h", normal: "4h", high: "2h", urgent: "1h" } },
      },
      notify: ["team"],
    },
  ],
};

describe("SLA timers on one alarm", () => {
  it("plans warning, breach and escalation at their instants and sets the alarm to the earliest", async () => {
    const store = await storeWithRules(RULES);
    const t0 = Date.now() + 2 * HOUR; // far enough ahead that nothing fires during the test
    const opened = ticketEvent(store.storeId, "T-plan", "case.opened", t0, { channel: "chat", priority: "urgent", status: "open" });
    await ingest([opened]);
    const caseId = caseIdOf(opened.caseKey);
    const view = (await readCase(store, caseId)) as ViewLike;
    const due = (kind: string) => Date.parse(pending(view, kind)[0]!.dueAt);
    expect(due("first_reply.warning")).toBe(t0 + 3 * MIN);
    expect(due("first_reply.breach")).toBe(t0 + 5 * MIN);
    expect(due("first_reply.escalation")).toBe(t0 + 10 * MIN);
    expect(view.rules).toMatchObject({ policy: { name: "Urgent chat" } });
    const alarm = await runInDurableObject(caseStub(store.storeId, opened), (_i, state) => state.storage.getAlarm());
    expect(alarm).toBe(t0 + 3 * MIN);
  });

  it("fires what is due, once, with the reminder an agent needs", async () => {
    const store = await storeWithRules(RULES);
    const t0 = Date.now() - 7 * MIN; // breach due 2 min ago, escalation in 3 min
    const opened = ticketEvent(store.storeId, "T-fire", "case.opened", t0, { channel: "chat", priority: "urgent", status: "open", subject: "Where is my order?", customer: { name: "Ayşe", email: "ayse@example.com" } });
    await ingest([opened]);
    const caseId = caseIdOf(opened.caseKey);
    const view = await waitForCase<ViewLike>(store, caseId, (v) => fired(v, "first_reply.breach").length === 1);
    // First seen after its own breach: a warning now would only be noise, so none is sent.
    expect(fired(view, "first_reply.warning")).toHaveLength(0);
    expect(pending(view, "first_reply.escalation")).toHaveLength(1);
    const breach = view.timeline.reminders.find((r) => r.kind === "first_reply.breach")!;
    expect(breach.title).toMatch(/First reply overdue by 2m — urgent chat/);
    expect(breach.nextAction).toContain("Ayşe");
    expect(breach.channels).toEqual(["team"]);
    // A second alarm run (alarms may fire twice) adds nothing.
    const stub = caseStub(store.storeId, opened);
    await runInDurableObject(stub, (instance: SupportCase) => instance.alarm({ retryCount: 0, isRetry: true, scheduledTime: Date.now() }));
    await runInDurableObject(stub, (instance: SupportCase) => instance.alarm());
    const again = (await readCase(store, caseId)) as ViewLike;
    expect(again.timeline.reminders.filter((r) => r.kind.startsWith("first_reply."))).toHaveLength(1);
    expect(fired(again, "first_reply.breach")).toHaveLength(1);
  });

  it("a reply that lands before the breach cancels it and says why", async () => {
    const store = await storeWithRules(RULES);
    const t0 = Date.now() + 3 * HOUR;
    const opened = ticketEvent(store.storeId, "T-reply", "case.opened", t0, { channel: "chat", priority: "urgent", status: "open" });
    await ingest([opened]);
    await ingest([ticketEvent(store.storeId, "T-reply", "case.agent_reply", t0 + 4 * MIN)]);
    const view = (await readCase(store, caseIdOf(opened.caseKey))) as ViewLike;
    expect(view.timers.pending).toHaveLength(0);
    expect(cancelled(view, "first_reply.breach")[0]!.cancelledBecause).toBe(`first reply fulfilled at ${new Date(t0 + 4 * MIN).toISOString()}`);
    const alarm = await runInDurableObject(caseStub(store.storeId, opened), (_i, state) => state.storage.getAlarm());
    expect(alarm).toBeNull();
  });

  it("a private note does not count as a reply", async () => {
    const store = await storeWithRules(RULES);
    const t0 = Date.now() + 3 * HOUR;
    const opened = ticketEvent(store.storeId, "T-note", "case.opened", t0, { channel: "chat", priority: "urgent" });
    await ingest([opened, ticketEvent(store.storeId, "T-note", "case.agent_note", t0 + MIN)]);
    const view = (await readCase(store, caseIdOf(opened.caseKey))) as ViewLike;
    expect(pending(view, "first_reply.breach")).toHaveLength(1);
  });

  it("events given out of order end in the same case as in order", async () => {
    const store = await storeWithRules(RULES);
    const t0 = Date.now() + 3 * HOUR;
    const mk = (id: string) => [
      ticketEvent(store.storeId, id, "case.opened", t0, { channel: "email", status: "open" }),
      ticketEvent(store.storeId, id, "case.agent_reply", t0 + 30 * MIN),
      ticketEvent(store.storeId, id, "case.customer_message", t0 + 40 * MIN),
      ticketEvent(store.storeId, id, "case.status_changed", t0 + 50 * MIN, { status: "pending" }),
    ];
    const inOrder = mk("T-order-a");
    const reversed = mk("T-order-b").reverse();
    for (const e of inOrder) await ingest([e]);
    for (const e of reversed) await ingest([e]);
    const a = (await readCase(store, caseIdOf(inOrder[0]!.caseKey))) as ViewLike;
    const b = (await readCase(store, caseIdOf(reversed[0]!.caseKey))) as ViewLike;
    const shape = (v: ViewLike) => ({ status: v.status, clocks: v.clocks, pending: v.timers.pending.map((t) => [t.kind, t.dueAt]) });
    expect(shape(b)).toEqual(shape(a));
    expect(a.status).toBe("pending");
    // The late ones are stored and marked, not applied over newer state.
    expect(b.timeline.events.filter((e) => e.stale)).toHaveLength(3);
  });

  it("a duplicate delivery changes nothing", async () => {
    const store = await storeWithRules(RULES);
    const opened = ticketEvent(store.storeId, "T-dup", "case.opened", Date.now() + HOUR, { channel: "email" });
    const first = await ingest([opened]);
    const second = await ingest([opened]);
    expect(first.results[0]!.duplicate).toBe(false);
    expect(second.results[0]!.duplicate).toBe(true);
    const view = (await readCase(store, first.caseId)) as ViewLike;
    expect(view.timeline.events).toHaveLength(1);
  });
});

describe("next-reply, periodic-update and resolution clocks on the alarm", () => {
  const CLOCKS: RulesDocumentInput = {
    policies: [
      {
        name: "All clocks",
        targets: {
          firstReply: { byPriority: { normal: "1h" } },
          nextReply: { byPriority: { normal: "2h" }, warnings: ["30m"] },
          periodicUpdate: { byPriority: { normal: "3h" }, warnings: ["30m"] },
          resolution: { byPriority: { normal: "1d" }, warnings: ["2h"] },
        },
      },
    ],
  };

  it("plans each clock's warning and breach at their instants, and cancels them when the clock is met", async () => {
    const store = await storeWithRules(CLOCKS);
    const t0 = Date.now() + 2 * HOUR; // nothing fires during the test
    const id = "T-clocks-plan";
    const opened = ticketEvent(store.storeId, id, "case.opened", t0, { channel: "email", priority: "normal", status: "open" });
    await ingest([opened, ticketEvent(store.storeId, id, "case.agent_reply", t0 + 10 * MIN), ticketEvent(store.storeId, id, "case.customer_message", t0 + 20 * MIN)]);
    const caseId = caseIdOf(opened.caseKey);
    const view = (await readCase(store, caseId)) as ViewLike;
    const due = (v: ViewLike, kind: string) => pending(v, kind).map((t) => Date.parse(t.dueAt));
    expect(due(view, "next_reply.warning")).toEqual([t0 + 20 * MIN + 90 * MIN]);
    expect(due(view, "next_reply.breach")).toEqual([t0 + 20 * MIN + 2 * HOUR]);
    expect(due(view, "periodic_update.warning")).toEqual([t0 + 10 * MIN + 150 * MIN]);
    expect(due(view, "periodic_update.breach")).toEqual([t0 + 10 * MIN + 3 * HOUR]);
    expect(due(view, "resolution.warning")).toEqual([t0 + 22 * HOUR]);
    expect(due(view, "resolution.breach")).toEqual([t0 + 24 * HOUR]);
    const stub = caseStub(store.storeId, opened);
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBe(t0 + 110 * MIN);

    // The reply answers the customer and is the update: next reply is met, the update clock starts over.
    await ingest([ticketEvent(store.storeId, id, "case.agent_reply", t0 + 40 * MIN)]);
    const replied = (await readCase(store, caseId)) as ViewLike;
    expect(pending(replied, "next_reply.breach")).toHaveLength(0);
    expect(cancelled(replied, "next_reply.breach")[0]!.cancelledBecause).toBe(`next reply fulfilled at ${new Date(t0 + 40 * MIN).toISOString()}`);
    expect(due(replied, "periodic_update.breach")).toEqual([t0 + 40 * MIN + 3 * HOUR]);
    expect(cancelled(replied, "periodic_update.breach")[0]!.cancelledBecause).toBe(`deadline moved to ${new Date(t0 + 40 * MIN + 3 * HOUR).toISOString()}`);
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBe(t0 + 40 * MIN + 150 * MIN);

    // Solving meets every clock: nothing is left, and the alarm is gone.
    await ingest([ticketEvent(store.storeId, id, "case.status_changed", t0 + 50 * MIN, { status: "solved" })]);
    const solved = (await readCase(store, caseId)) as ViewLike;
    expect(solved.timers.pending).toHaveLength(0);
    const solvedAt = new Date(t0 + 50 * MIN).toISOString();
    expect(cancelled(solved, "resolution.breach")[0]!.cancelledBecause).toBe(`resolution fulfilled at ${solvedAt}`);
    expect(cancelled(solved, "periodic_update.breach").map((t) => t.cancelledBecause)).toContain(`periodic update fulfilled at ${solvedAt}`);
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBeNull();
  });

  it("fires each clock's breach once at its instant, with words for that clock", async () => {
    const store = await storeWithRules(CLOCKS);
    const now = Date.now();
    const id = "T-clocks-fire";
    const openedAt = now - 24 * HOUR - 5 * MIN; // resolution due 5 min ago
    const repliedAt = openedAt + 5 * MIN; // first reply met; the update it started was due 3 h later
    const messageAt = now - 2 * HOUR - 3 * MIN; // next reply due 3 min ago
    const opened = ticketEvent(store.storeId, id, "case.opened", openedAt, { channel: "email", priority: "normal", status: "open", customer: { name: "Jana" } });
    await ingest([opened, ticketEvent(store.storeId, id, "case.agent_reply", repliedAt), ticketEvent(store.storeId, id, "case.customer_message", messageAt)]);
    const caseId = caseIdOf(opened.caseKey);
    const kinds = ["next_reply.breach", "periodic_update.breach", "resolution.breach"];
    const view = await waitForCase<ViewLike>(store, caseId, (v) => kinds.every((k) => fired(v, k).length === 1));
    const dueAt = (kind: string) => Date.parse(fired(view, kind)[0]!.dueAt);
    expect(dueAt("next_reply.breach")).toBe(messageAt + 2 * HOUR);
    expect(dueAt("periodic_update.breach")).toBe(repliedAt + 3 * HOUR);
    expect(dueAt("resolution.breach")).toBe(openedAt + 24 * HOUR);
    const reminder = (kind: string) => view.timeline.reminders.find((r) => r.kind === kind)!;
    expect(reminder("next_reply.breach").title).toMatch(/^Next reply overdue by 3m — normal email/);
    expect(reminder("next_reply.breach").nextAction).toBe("Reply to Jana now: the next reply target has passed.");
    expect(reminder("periodic_update.breach").title).toMatch(/^Periodic update overdue by /);
    expect(reminder("resolution.breach").nextAction).toBe("Resolve it or tell Jana what happens next, now.");
    // Warnings first planned after their own breach would only be noise.
    for (const k of ["next_reply.warning", "periodic_update.warning", "resolution.warning"]) expect(fired(view, k)).toHaveLength(0);
    // Alarms may run twice: nothing is sent twice.
    const stub = caseStub(store.storeId, opened);
    await runInDurableObject(stub, async (instance: SupportCase) => {
      await instance.alarm({ retryCount: 0, isRetry: true, scheduledTime: Date.now() });
      await instance.alarm();
    });
    const again = (await readCase(store, caseId)) as ViewLike;
    for (const k of kinds) expect(again.timeline.reminders.filter((r) => r.kind === k), k).toHaveLength(1);
  });
});

describe("the alarm survives what the platform does to it", () => {
  it("repairs a missing alarm whenever the case is touched", async () => {
    const store = await storeWithRules(RULES);
    const opened = ticketEvent(store.storeId, "T-stale", "case.opened", Date.now() + 2 * HOUR, { channel: "email" });
    await ingest([opened]);
    const stub = caseStub(store.storeId, opened);
    await runInDurableObject(stub, (_i, state) => state.storage.deleteAlarm());
    await readCase(store, caseIdOf(opened.caseKey));
    const alarm = await runInDurableObject(stub, (_i, state) => state.storage.getAlarm());
    expect(alarm).toBe(Date.parse(opened.occurredAt) + 4 * HOUR); // normal first reply: 4h
  });

  it("repairs an alarm stuck in the past while a due timer is still pending", async () => {
    const store = await storeWithRules(RULES);
    // Urgent chat, 5-minute target, opened 6 minutes ago: the breach is due and still pending.
    const opened = ticketEvent(store.storeId, "T-stuck", "case.opened", Date.now() - 6 * MIN, { channel: "chat", priority: "urgent", status: "open" });
    const stub = caseStub(store.storeId, opened);
    const outcome = await runInDurableObject(stub, async (instance: SupportCase, state) => {
      await instance.ingest([opened]);
      await state.storage.deleteAlarm();
      // The scheduler lost the alarm it still reports: ten minutes in the past, never run.
      const storage = (instance as unknown as { ctx: DurableObjectState }).ctx.storage;
      const stuck = vi.spyOn(storage, "getAlarm").mockResolvedValue(Date.now() - 10 * MIN);
      const set = vi.spyOn(storage, "setAlarm");
      const before = Date.now();
      await instance.view(); // any touch of the case
      const after = Date.now();
      const sets = set.mock.calls.map((c) => Number(c[0]));
      stuck.mockRestore();
      set.mockRestore();
      const pendingBreach = state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM timers WHERE kind = 'first_reply.breach' AND state = 'pending'`).one().n;
      return { pendingBreach, sets, before, after };
    });
    expect(outcome.pendingBreach).toBe(1);
    expect(outcome.sets).toHaveLength(1);
    expect(outcome.sets[0]).toBeGreaterThanOrEqual(outcome.before);
    expect(outcome.sets[0]).toBeLessThanOrEqual(outcome.after);
    // Set to now, the repaired alarm fires the breach.
    const view = await waitForCase<ViewLike>(store, caseIdOf(opened.caseKey), (v) => fired(v, "first_reply.breach").length === 1);
    expect(view.timeline.reminders.filter((r) => r.kind === "first_reply.breach")).toHaveLength(1);
  });

  it("a run that fails before firing counts the attempt on the timer, and the next run fires it", async () => {
    const store = await storeWithRules(RULES);
    const opened = ticketEvent(store.storeId, "T-attempts", "case.opened", Date.now() - 6 * MIN, { channel: "chat", priority: "urgent", status: "open" });
    const stub = caseStub(store.storeId, opened);
    const rows = await runInDurableObject(stub, async (instance: SupportCase, state) => {
      await instance.ingest([opened]);
      await state.storage.deleteAlarm();
      const read = () => state.storage.sql.exec<{ state: string; attempts: number; last_error: string | null }>(`SELECT state, attempts, last_error FROM timers WHERE kind = 'first_reply.breach'`).one();
      const broken = vi.spyOn(instance as unknown as { evaluation: () => Promise<unknown> }, "evaluation").mockRejectedValueOnce(new Error("rules unavailable"));
      const failed = await instance.alarm({ retryCount: 0, isRetry: false, scheduledTime: Date.now() }).then(
        () => null,
        (e: unknown) => (e instanceof Error ? e.message : String(e)),
      );
      const afterFailure = { ...read() };
      broken.mockRestore();
      await instance.alarm({ retryCount: 1, isRetry: true, scheduledTime: Date.now() });
      return { failed, afterFailure, afterRetry: { ...read() } };
    });
    expect(rows.failed).toBe("rules unavailable");
    expect(rows.afterFailure).toEqual({ state: "pending", attempts: 1, last_error: "rules unavailable" });
    expect(rows.afterRetry).toEqual({ state: "fired", attempts: 2, last_error: "rules unavailable" });
    const view = (await readCase(store, caseIdOf(opened.caseKey))) as ViewLike;
    expect(fired(view, "first_reply.breach")[0]).toMatchObject({ attempts: 2, lastError: "rules unavailable" });
    expect(view.timeline.reminders.filter((r) => r.kind === "first_reply.breach")).toHaveLength(1);
    // A timer that fired at the first try says so.
    const onTime = ticketEvent(store.storeId, "T-attempts-1", "case.opened", Date.now() - 6 * MIN, { channel: "chat", priority: "urgent", status: "open" });
    await ingest([onTime]);
    const once = await waitForCase<ViewLike>(store, caseIdOf(onTime.caseKey), (v) => fired(v, "first_reply.breach").length === 1);
    expect(fired(once, "first_reply.breach")[0]).toMatchObject({ attempts: 1, lastError: null });
  });

  it("re-arms itself instead of throwing once the platform's retries run low", async () => {
    const store = await storeWithRules(RULES);
    const opened = ticketEvent(store.storeId, "T-retry", "case.opened", Date.now() + 2 * HOUR, { channel: "email" });
    await ingest([opened]);
    const stub = caseStub(store.storeId, opened);
    const outcome = await runInDurableObject(stub, async (instance: SupportCase, state) => {
      // Make this run's rules lookup fail, as a KV and registry outage would.
      const broken = vi.spyOn(instance as unknown as { evaluation: () => Promise<unknown> }, "evaluation").mockRejectedValue(new Error("rules unavailable"));
      let early: unknown = null;
      try {
        await instance.alarm({ retryCount: 1, isRetry: true, scheduledTime: Date.now() });
      } catch (e) {
        early = e;
      }
      await state.storage.deleteAlarm();
      const before = Date.now();
      await instance.alarm({ retryCount: 5, isRetry: true, scheduledTime: Date.now() });
      const rearmed = await state.storage.getAlarm();
      broken.mockRestore();
      return { early: early instanceof Error ? early.message : null, rearmedIn: rearmed === null ? null : rearmed - before };
    });
    expect(outcome.early).toBe("rules unavailable");
    expect(outcome.rearmedIn).toBeGreaterThan(20_000);
    expect(outcome.rearmedIn).toBeLessThan(60_000);
  });

  it("keeps a reminder it could not hand to delivery and sends it on a later wake-up", async () => {
    const store = await storeWithRules(RULES);
    const opened = ticketEvent(store.storeId, "T-outbox", "case.opened", Date.now() - 10 * MIN, { channel: "email", priority: "low" });
    // low priority, 8h target: nothing due; a bad rating is due at once.
    const rating = ticketEvent(store.storeId, "T-outbox", "case.rating", Date.now() - MIN, { rating: { score: "bad", comment: "slow" } });
    const stub = caseStub(store.storeId, opened);
    const result = await runInDurableObject(stub, async (instance: SupportCase, state) => {
      const env = (instance as unknown as { env: Env }).env;
      const realGet = env.STORES.getByName.bind(env.STORES);
      // Ingest normally, then let the first hand-off to delivery fail.
      await instance.ingest([opened, rating]);
      await state.storage.deleteAlarm();
      let failNext = true;
      const spy = vi.spyOn(env.STORES, "getByName").mockImplementation((name: string) => {
        const real = realGet(name);
        return new Proxy(real, {
          get(target, prop, receiver) {
            if (prop === "deliveriesRecord" && failNext) {
              failNext = false;
              return () => Promise.reject(new Error("queue unavailable"));
            }
            return Reflect.get(target, prop, receiver) as unknown;
          },
        });
      });
      await instance.alarm();
      const afterFailure = state.storage.sql.exec<{ state: string; attempts: number; last_error: string | null }>(`SELECT state, attempts, last_error FROM outbox`).toArray();
      const retryAlarm = await state.storage.getAlarm();
      state.storage.sql.exec(`UPDATE outbox SET next_attempt_at = 0`);
      await instance.alarm();
      spy.mockRestore();
      const afterRetry = state.storage.sql.exec<{ state: string; attempts: number }>(`SELECT state, attempts FROM outbox`).toArray();
      return { afterFailure, retryAlarm, afterRetry };
    });
    expect(result.afterFailure).toEqual([{ state: "pending", attempts: 1, last_error: "queue unavailable" }]);
    expect(result.retryAlarm).not.toBeNull();
    expect(result.afterRetry).toEqual([{ state: "dispatched", attempts: 2 }]);
  });

  it("runDurableObjectAlarm with nothing due sends nothing", async () => {
    const store = await storeWithRules(RULES);
    const opened = ticketEvent(store.storeId, "T-idle", "case.opened", Date.now() + 2 * HOUR, { channel: "email" });
    await ingest([opened]);
    const stub = caseStub(store.storeId, opened);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const view = (await readCase(store, caseIdOf(opened.caseKey))) as ViewLike;
    expect(view.timeline.reminders).toHaveLength(0);
    expect(view.timers.pending.length).toBeGreaterThan(0);
  });
});

describe("rule version pinning", () => {
  it("a case keeps its version's deadlines after a new version, unless the new one is applied to open cases", async () => {
    const store = await storeWithRules(RULES);
    const t0 = Date.now() - 30 * MIN;
    const a = ticketEvent(store.storeId, "T-pin-a", "case.opened", t0, { channel: "email", priority: "normal" });
    const b = ticketEvent(store.storeId, "T-pin-b", "case.opened", t0, { channel: "email", priority: "normal" });
    await ingest([a]);
    await ingest([b]);
    const faster: RulesDocumentInput = { ...RULES, policies: [{ ...RULES.policies![1]!, targets: { firstReply: { byPriority: { normal: "1h" } } } }] };
    const v2 = await saveRules(store, faster);
    const pinned = (await readCase(store, caseIdOf(a.caseKey))) as ViewLike;
    expect(pinned.clocks.find((c) => c.metric === "first_reply")!.dueAt).toBe(new Date(t0 + 4 * HOUR).toISOString());
    // A new case gets v2 at once.
    const c = ticketEvent(store.storeId, "T-pin-c", "case.opened", t0, { channel: "email", priority: "normal" });
    await ingest([c]);
    const fresh = (await readCase(store, caseIdOf(c.caseKey))) as ViewLike;
    expect(fresh.clocks.find((x) => x.metric === "first_reply")!.dueAt).toBe(new Date(t0 + HOUR).toISOString());
    expect((fresh.rules as { pins: { version: number }[] }).pins.map((p) => p.version)).toEqual([v2]);
    // Applying v3 to open cases moves them, keeping the 30 minutes already used.
    const v3rules: RulesDocumentInput = { ...RULES, policies: [{ ...RULES.policies![1]!, targets: { firstReply: { byPriority: { normal: "2h" } } } }] };
    await saveRules(store, v3rules, { applyToOpenCases: true });
    const moved = (await readCase(store, caseIdOf(b.caseKey))) as ViewLike;
    const clock = moved.clocks.find((x) => x.metric === "first_reply")!;
    expect(clock.dueAt).toBe(new Date(t0 + 2 * HOUR).toISOString());
    expect(clock.usedMs).toBeGreaterThanOrEqual(30 * MIN);
  });
});

describe("playbook timers", () => {
  it("a promised callback is reminded, breached after the grace and escalated, and stops when done", async () => {
    const store = await storeWithRules({ ...RULES, playbook: { callback: { remindBefore: "15m", grace: "10m", escalateAfter: "30m" } } });
    const opened = ticketEvent(store.storeId, "T-cb", "case.opened", Date.now() - HOUR, { channel: "phone", customer: { phone: "+90 555 000 11 22" } });
    await ingest([opened]);
    const caseId = caseIdOf(opened.caseKey);
    const at = Date.now() + 5 * HOUR;
    const res = await call("POST", `/v1/stores/${store.storeId}/cases/${encodeURIComponent(caseId)}/callbacks`, { token: store.adminToken, body: { at: new Date(at).toISOString(), owner: "Deniz", note: "about the refund" } });
    expect(res.status).toBe(201);
    const view = (await readCase(store, caseId)) as ViewLike;
    expect(Date.parse(pending(view, "callback.reminder")[0]!.dueAt)).toBe(at - 15 * MIN);
    expect(Date.parse(pending(view, "callback.due")[0]!.dueAt)).toBe(at + 10 * MIN);
    expect(Date.parse(pending(view, "callback.escalation")[0]!.dueAt)).toBe(at + 40 * MIN);
    const done = await call("POST", `/v1/stores/${store.storeId}/cases/${encodeURIComponent(caseId)}/callbacks/${res.body.callbackId}/done`, { token: store.adminToken, body: {} });
    expect(done.status).toBe(200);
    const after = (await readCase(store, caseId)) as ViewLike;
    expect(pending(after, "callback.due")).toHaveLength(0);
    expect(cancelled(after, "callback.due")[0]!.cancelledBecause).toMatch(/^callback done/);
  });

  it("a callback promised in the past or months ahead is refused with the field path", async () => {
    const store = await storeWithRules(RULES);
    const opened = ticketEvent(store.storeId, "T-cb-bad", "case.opened", Date.now() - HOUR, { channel: "phone" });
    await ingest([opened]);
    const path = `/v1/stores/${store.storeId}/cases/${encodeURIComponent(caseIdOf(opened.caseKey))}/callbacks`;
    for (const at of [Date.now() - MIN, Date.now() + 100 * 24 * HOUR]) {
      const res = await call("POST", path, { token: store.adminToken, body: { at: new Date(at).toISOString() } });
      expect(res.status).toBe(400);
      expect(res.body.error.issues[0].path).toBe("at");
    }
    const view = (await readCase(store, caseIdOf(opened.caseKey))) as ViewLike;
    expect(view.timeline.events).toHaveLength(1);
  });

  it("a bad rating opens a reply target; the agent's reply stops it", async () => {
    const store = await storeWithRules({ ...RULES, playbook: { badRating: { replyWithin: "2h" } } });
    const t0 = Date.now() + HOUR;
    const opened = ticketEvent(store.storeId, "T-rating", "case.opened", t0 - HOUR, { channel: "email" });
    await ingest([opened, ticketEvent(store.storeId, "T-rating", "case.rating", t0, { rating: { score: "bad", comment: "never again" } })]);
    const caseId = caseIdOf(opened.caseKey);
    const view = (await readCase(store, caseId)) as ViewLike;
    expect(Date.parse(pending(view, "rating.reply_due")[0]!.dueAt)).toBe(t0 + 2 * HOUR);
    await ingest([ticketEvent(store.storeId, "T-rating", "case.agent_reply", t0 + 30 * MIN)]);
    const after = (await readCase(store, caseId)) as ViewLike;
    expect(pending(after, "rating.reply_due")).toHaveLength(0);
  });

  it("four customer messages without resolution nudge the agent to call; a dispute word suggests a refund", async () => {
    const store = await storeWithRules(RULES);
    const t0 = Date.now() - HOUR;
    const events = [ticketEvent(store.storeId, "T-circles", "case.opened", t0, { channel: "email", customer: { phone: "+49 151 0000000" } })];
    for (let i = 1; i <= 4; i++) events.push(ticketEvent(store.storeId, "T-circles", "case.customer_message", t0 + i * MIN, { body: i === 4 ? "I will file a chargeback with my bank" : "any news?" }));
    await ingest(events);
    const caseId = caseIdOf(events[0]!.caseKey);
    const view = await waitForCase<ViewLike>(store, caseId, (v) => fired(v, "circles.call_nudge").length === 1 && fired(v, "dispute.escalation").length === 1);
    const nudge = view.timeline.reminders.find((r) => r.kind === "circles.call_nudge")!;
    expect(nudge.nextAction).toContain("+49 151 0000000");
    const dispute = view.timeline.reminders.find((r) => r.kind === "dispute.escalation")!;
    expect(dispute.title).toContain('"chargeback"');
    expect(dispute.nextAction).toMatch(/refund or a coupon/);
  });
});

describe("shipments", () => {
  it("an exception asks for proactive contact (phone first), owes updates until delivered, and notes the open ticket", async () => {
    const store = await storeWithRules({ ...RULES, playbook: { shipmentDelay: { updateEvery: "24h", proactiveContactWithin: "4h" } } });
    const email = `buyer-${crypto.randomUUID()}@example.com`;
    const ticket = ticketEvent(store.storeId, "T-ship", "case.opened", Date.now() - 2 * HOUR, { channel: "email", customer: { email }, subject: "Where is my parcel?" });
    await ingest([ticket]);
    const t0 = Date.now() - 10 * MIN;
    const tracking = `1Z${crypto.randomUUID().slice(0, 8)}`;
    const label = shipmentEvent(store.storeId, tracking, "shipment.label_created", t0 - 24 * HOUR, { customer: { email, phone: "+90 532 000 00 00" } });
    const exception = shipmentEvent(store.storeId, tracking, "shipment.exception", t0, { shipment: { carrier: "ups", trackingNumber: tracking, reason: "Held in customs" } });
    await ingest([label, shipmentEvent(store.storeId, tracking, "shipment.in_transit", t0 - 20 * HOUR), exception]);
    const caseId = caseIdOf(label.caseKey);
    const view = await waitForCase<ViewLike>(store, caseId, (v) => fired(v, "shipment.proactive_contact").length === 1);
    const contact = view.timeline.reminders.find((r) => r.kind === "shipment.proactive_contact")!;
    expect(contact.nextAction).toMatch(/^Call \+90 532 000 00 00 before .*: Held in customs\. /);
    expect(Date.parse(pending(view, "shipment.update_due")[0]!.dueAt)).toBe(t0 + 24 * HOUR);
    const ticketView = await waitForCase<ViewLike>(store, caseIdOf(ticket.caseKey), (v) => v.timeline.notes.length > 0);
    expect(ticketView.timeline.notes[0]!.text).toContain("Late parcel");
    await ingest([shipmentEvent(store.storeId, tracking, "shipment.delivered", Date.now())]);
    const delivered = (await readCase(store, caseId)) as ViewLike;
    expect(delivered.timers.pending).toHaveLength(0);
    expect(cancelled(delivered, "shipment.update_due")[0]!.cancelledBecause).toMatch(/^delivered at/);
  });

  it("nobody contacted the customer by the proactive-contact target: it fires once, saying so", async () => {
    const store = await storeWithRules({ ...RULES, playbook: { shipmentDelay: { proactiveContactWithin: "4h" } } });
    const tracking = `1Z${crypto.randomUUID().slice(0, 8)}`;
    const exceptionAt = Date.now() - 5 * HOUR; // contact was due 1 h ago
    const scan = shipmentEvent(store.storeId, tracking, "shipment.in_transit", exceptionAt - 20 * HOUR, { customer: { name: "Ali", phone: "+90 533 444 55 66" } });
    await ingest([scan, shipmentEvent(store.storeId, tracking, "shipment.exception", exceptionAt, { shipment: { carrier: "ups", trackingNumber: tracking, reason: "Held in customs" } })]);
    const caseId = caseIdOf(scan.caseKey);
    const view = await waitForCase<ViewLike>(store, caseId, (v) => fired(v, "shipment.contact_due").length === 1);
    expect(Date.parse(fired(view, "shipment.contact_due")[0]!.dueAt)).toBe(exceptionAt + 4 * HOUR);
    const due = view.timeline.reminders.find((r) => r.kind === "shipment.contact_due")!;
    expect(due.title).toBe("Late parcel: nobody has told Ali yet (target passed 1h ago)");
    expect(due.nextAction).toMatch(/^Call \+90 533 444 55 66 now: Held in customs\. Tell the customer before they ask: .* Then mark the parcel contacted on its case\.$/);
    await runInDurableObject(caseStub(store.storeId, scan), (instance: SupportCase) => instance.alarm());
    const again = (await readCase(store, caseId)) as ViewLike;
    expect(again.timeline.reminders.filter((r) => r.kind === "shipment.contact_due")).toHaveLength(1);
  });

  it("marking the parcel contacted through the API, or an agent's reply on it, cancels the contact target", async () => {
    const store = await storeWithRules({ ...RULES, playbook: { shipmentDelay: { proactiveContactWithin: "4h", updateEvery: "24h" } } });
    const delayed = async (tracking: string) => {
      const exceptionAt = Date.now() - 10 * MIN;
      const exception = shipmentEvent(store.storeId, tracking, "shipment.exception", exceptionAt, { shipment: { carrier: "ups", trackingNumber: tracking, reason: "Held in customs" } });
      await ingest([shipmentEvent(store.storeId, tracking, "shipment.in_transit", exceptionAt - HOUR), exception]);
      const caseId = caseIdOf(exception.caseKey);
      const view = (await readCase(store, caseId)) as ViewLike;
      expect(Date.parse(pending(view, "shipment.contact_due")[0]!.dueAt)).toBe(exceptionAt + 4 * HOUR);
      return caseId;
    };
    // Through the case API: the call is on the timeline, the target is cancelled, the updates go on.
    const called = await delayed(`1Z${crypto.randomUUID().slice(0, 8)}`);
    const res = await call("POST", `/v1/stores/${store.storeId}/cases/${encodeURIComponent(called)}/contacted`, { token: store.adminToken, body: { channel: "phone", note: "told them about customs" } });
    expect(res.status).toBe(200);
    expect(res.body.channel).toBe("phone");
    const after = (await readCase(store, called)) as ViewLike;
    expect(pending(after, "shipment.contact_due")).toHaveLength(0);
    expect(cancelled(after, "shipment.contact_due")[0]!.cancelledBecause).toBe(`customer contacted at ${res.body.contactedAt}`);
    // The customer was just told: the next update is owed a day after the call, not a day after the delay began.
    expect(pending(after, "shipment.update_due").map((t) => Date.parse(t.dueAt))).toEqual([Date.parse(res.body.contactedAt) + 24 * HOUR]);
    expect(cancelled(after, "shipment.update_due")[0]!.cancelledBecause).toBe(`customer contacted at ${res.body.contactedAt}: the next update is owed an interval after that`);
    const event = (after.timeline.events as unknown as { kind: string; provider: string; summary: string }[]).find((e) => e.kind === "case.agent_reply")!;
    expect(event.provider).toBe("promptly");
    expect(event.summary).toBe(`case.agent_reply · contacted the customer by phone: told them about customs (by ${store.tokenId})`);
    // A public agent reply recorded on the shipment case itself does the same.
    const replied = await delayed(`1Z${crypto.randomUUID().slice(0, 8)}`);
    const replyAt = Date.now();
    await ingest([shipmentEvent(store.storeId, replied.split(":")[2]!, "case.agent_reply", replyAt)]);
    const afterReply = (await readCase(store, replied)) as ViewLike;
    expect(pending(afterReply, "shipment.contact_due")).toHaveLength(0);
    expect(cancelled(afterReply, "shipment.contact_due")[0]!.cancelledBecause).toBe(`customer contacted at ${new Date(replyAt).toISOString()}`);
  });

  it("no carrier scan for the configured time starts a delay; every scan re-arms the watch", async () => {
    const store = await storeWithRules({ ...RULES, playbook: { shipmentDelay: { signals: { noScanFor: "48h" } } } });
    const tracking = `1Z${crypto.randomUUID().slice(0, 8)}`;
    const t0 = Date.now() - HOUR;
    const scan = shipmentEvent(store.storeId, tracking, "shipment.in_transit", t0);
    await ingest([scan]);
    const caseId = caseIdOf(scan.caseKey);
    const first = (await readCase(store, caseId)) as ViewLike;
    expect(Date.parse(pending(first, "shipment.proactive_contact")[0]!.dueAt)).toBe(t0 + 48 * HOUR);
    await ingest([shipmentEvent(store.storeId, tracking, "shipment.in_transit", t0 + 30 * MIN)]);
    const second = (await readCase(store, caseId)) as ViewLike;
    expect(Date.parse(pending(second, "shipment.proactive_contact")[0]!.dueAt)).toBe(t0 + 30 * MIN + 48 * HOUR);
    expect(cancelled(second, "shipment.proactive_contact")[0]!.cancelledBecause).toMatch(/re-armed the watch/);
  });
});
