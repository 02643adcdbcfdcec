/**
 * The store's case index: what the case list shows as "next due" while reminders fire, without
 * the case calling the store's registry for every reminder (the store-wide hot spot), and the
 * migration that moved the index from one next-due instant to the list of upcoming reminders.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { caseIdOf } from "../../src/events/model";
import { applyMigrations } from "../../src/lib/sql-migrations";
import type { RulesDocumentInput } from "../../src/rules/schema";
import { caseIndexMigrations, indexPushNeeded, listCases, type CasePush } from "../../src/stores/case-index";
import { call, createStore } from "../support/api";
import { fired, HOUR, ingest, MIN, storeWithRules, ticketEvent, waitForCase, type ViewLike } from "../support/cases";

const RULES: RulesDocumentInput = {
  policies: [{ name: "All", targets: { firstReply: { calendar: "24/7", byPriority: { normal: "2h" }, warnings: ["1h", "30m"] } } }],
};

const indexSeq = (storeId: string, caseId: string) =>
  runInDurableObject(env.STORES.getByName(storeId), (_i, state) => state.storage.sql.exec<{ seq: number }>(`SELECT seq FROM case_index WHERE case_id = ?`, caseId).one().seq);

describe("case list while reminders fire", () => {
  it("moves next due to the following reminder when one fires on time, without the case pushing again", async () => {
    const store = await storeWithRules(RULES);
    // Breach due in 1 h + 1.5 s: the "1h" warning is due in 1.5 s, the "30m" one in 30 min.
    const t0 = Date.now() - HOUR + 1500;
    const opened = ticketEvent(store.storeId, "I-warn", "case.opened", t0, { status: "open", subject: "Late parcel" });
    await ingest([opened]);
    const caseId = caseIdOf(opened.caseKey);
    const list = async () => (await call("GET", `/v1/stores/${store.storeId}/cases?state=open`, { token: store.adminToken })).body.cases as { caseId: string; nextDueAt: string | null; nextDueKind: string | null }[];

    expect((await list())[0]).toMatchObject({ caseId, nextDueAt: new Date(t0 + HOUR).toISOString(), nextDueKind: "first_reply.warning" });
    const seqAtOpen = await indexSeq(store.storeId, caseId);

    await waitForCase<ViewLike>(store, caseId, (v) => fired(v, "first_reply.warning").length === 1);
    expect((await list())[0]).toMatchObject({ caseId, nextDueAt: new Date(t0 + HOUR + 30 * MIN).toISOString(), nextDueKind: "first_reply.warning" });
    expect(await indexSeq(store.storeId, caseId)).toBe(seqAtOpen);

    // A real change is still pushed: the agent's reply fulfils the target and nothing is due.
    await ingest([ticketEvent(store.storeId, "I-warn", "case.agent_reply", Date.now())]);
    expect((await list())[0]).toMatchObject({ caseId, nextDueAt: null, nextDueKind: null });
    expect(await indexSeq(store.storeId, caseId)).toBeGreaterThan(seqAtOpen);
  });

  it("does not count a case as due soon for a reminder that has already passed", async () => {
    const store = await storeWithRules({
      policies: [{ name: "All", targets: { firstReply: { calendar: "24/7", byPriority: { normal: "2h" }, warnings: ["1h59m"] } } }],
    });
    // The warning is due in 1.5 s, the breach in just under 2 h: once the warning has fired,
    // nothing is due within the hour, though the index still holds the passed warning.
    const t0 = Date.now() - MIN + 1500;
    const opened = ticketEvent(store.storeId, "I-passed", "case.opened", t0, { status: "open" });
    await ingest([opened]);
    const caseId = caseIdOf(opened.caseKey);
    const dueSoon = async () => ((await call("GET", `/v1/stores/${store.storeId}/cases?state=due-soon`, { token: store.adminToken })).body.cases as { caseId: string }[]).map((c) => c.caseId);
    expect(await dueSoon()).toEqual([caseId]);
    await waitForCase<ViewLike>(store, caseId, (v) => fired(v, "first_reply.warning").length === 1);
    expect(await dueSoon()).toEqual([]);
  });
});

const push = (over: Partial<CasePush> = {}): CasePush => ({
  caseId: "ticket:custom:1",
  type: "ticket",
  provider: "custom",
  status: "open",
  open: true,
  breached: false,
  priority: "normal",
  openedAt: "2026-12-01T09:00:00.000Z",
  lastEventAt: "2026-12-01T09:00:00.000Z",
  subject: null,
  customerEmail: null,
  customerName: null,
  ticketId: "1",
  url: null,
  orderIds: [],
  policy: "All",
  channel: "email",
  assignee: null,
  group: null,
  customerPhone: null,
  trackingNumber: null,
  carrier: null,
  breachedTargets: [],
  statusKey: "open",
  atRisk: [],
  upcoming: [
    { at: "2026-12-01T10:00:00.000Z", kind: "first_reply.warning" },
    { at: "2026-12-01T11:00:00.000Z", kind: "first_reply.breach" },
  ],
  ...over,
});

describe("when a case pushes to the index", () => {
  const at = (iso: string) => Date.parse(iso);
  const breachOnly = [{ at: "2026-12-01T11:00:00.000Z", kind: "first_reply.breach" }];

  it("pushes the first time and whenever anything but a passed reminder changed", () => {
    expect(indexPushNeeded(null, push(), at("2026-12-01T09:00:00Z"))).toBe(true);
    expect(indexPushNeeded(push(), push({ status: "pending" }), at("2026-12-01T09:00:00Z"))).toBe(true);
    expect(indexPushNeeded(push(), push({ orderIds: ["#1001"] }), at("2026-12-01T09:00:00Z"))).toBe(true);
    // A reminder newly planned (or moved) is news to the index.
    expect(indexPushNeeded(push(), push({ upcoming: [...push().upcoming, { at: "2026-12-01T12:00:00.000Z", kind: "first_reply.escalation" }] }), at("2026-12-01T09:00:00Z"))).toBe(true);
    // A reminder gone before its time (cancelled) must not keep showing.
    expect(indexPushNeeded(push(), push({ upcoming: breachOnly }), at("2026-12-01T09:59:00Z"))).toBe(true);
  });

  it("does not push when the only difference is a reminder whose time has come", () => {
    expect(indexPushNeeded(push(), push(), at("2026-12-01T09:00:00Z"))).toBe(false);
    expect(indexPushNeeded(push(), push({ upcoming: breachOnly }), at("2026-12-01T10:00:00Z"))).toBe(false);
    expect(indexPushNeeded(push(), push({ upcoming: [] }), at("2026-12-01T11:00:01Z"))).toBe(false);
  });

  it("refreshes the latest event's time with any other change, else once it is a minute behind", () => {
    const now = at("2026-12-01T09:05:00Z");
    expect(indexPushNeeded(push(), push({ lastEventAt: "2026-12-01T09:00:59.999Z" }), now)).toBe(false);
    expect(indexPushNeeded(push(), push({ lastEventAt: "2026-12-01T09:01:00.000Z" }), now)).toBe(true);
    expect(indexPushNeeded(push(), push({ lastEventAt: "2026-12-01T09:00:10.000Z", status: "pending" }), now)).toBe(true);
  });
});

describe("pushes that arrive out of order", () => {
  it("never lets a late push overwrite a newer one", async () => {
    const store = await createStore();
    const registry = env.STORES.getByName(store.storeId);
    const list = async () => (await call("GET", `/v1/stores/${store.storeId}/cases?state=closed`, { token: store.adminToken })).body.cases as { caseId: string; status: string }[];
    // The case solved the ticket (push 2), but its earlier "open" summary (push 1) was delayed.
    expect(await registry.indexCase(push({ status: "solved", open: false }), 2)).toBe(true);
    expect(await registry.indexCase(push({ status: "open", open: true }), 1)).toBe(false);
    expect(await list()).toEqual([expect.objectContaining({ caseId: "ticket:custom:1", status: "solved" })]);
    // The same sequence twice (a retried push) does not apply again either; a newer one does.
    expect(await registry.indexCase(push({ status: "open", open: true }), 2)).toBe(false);
    expect(await registry.indexCase(push({ status: "open", open: true }), 3)).toBe(true);
    expect(await list()).toEqual([]);
  });
});

describe("case index migration", () => {
  it("keeps the next due instant of cases indexed before the upcoming list existed", async () => {
    const store = await createStore();
    const stub = env.STORES.getByName(store.storeId);
    const due = Date.now() + 10 * MIN;
    const cases = await runInDurableObject(stub, (_i, state) => {
      const sql = state.storage.sql;
      // Rebuild this object's index as the first schema left it, with one case in it.
      sql.exec(`DROP TABLE IF EXISTS case_index; DROP TABLE IF EXISTS case_orders; DELETE FROM _migrations WHERE grp = 'case-index'`);
      applyMigrations(state.storage, "case-index", caseIndexMigrations.slice(0, 1));
      sql.exec(
        `INSERT INTO case_index (case_id, type, provider, status, open, breached, priority, opened_at, last_event_at, next_due_at, next_due_kind, seq, updated_at)
         VALUES ('ticket:custom:old', 'ticket', 'custom', 'open', 1, 0, 'normal', 0, 0, ?, 'first_reply.breach', 1, 0)`,
        due,
      );
      applyMigrations(state.storage, "case-index", caseIndexMigrations);
      return listCases(sql, { limit: 10, now: Date.now() }).cases;
    });
    expect(cases).toEqual([expect.objectContaining({ caseId: "ticket:custom:old", nextDueAt: new Date(due).toISOString(), nextDueKind: "first_reply.breach" })]);
  });
});
