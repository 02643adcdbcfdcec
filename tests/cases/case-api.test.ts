/**
 * The case API over the Worker's real fetch handler: lists by state with pagination, the case
 * view with each reminder's deliveries, actions where the helpdesk cannot tell us (callback,
 * snooze, resolve, contacted), and isolation between stores.
 */
import { describe, expect, it } from "vitest";
import { CaseView } from "../../src/cases/schema";
import { caseIdOf } from "../../src/events/model";
import type { RulesDocumentInput } from "../../src/rules/schema";
import { Sink } from "../notify/support/receiver";
import { call } from "../support/api";
import { HOUR, ingest, MIN, pending, readCase, storeWithRules, ticketEvent, waitForCase, type ViewLike } from "../support/cases";

const RULES: RulesDocumentInput = {
  policies: [{ name: "All", targets: { firstReply: { byPriority: { normal: "1h", urgent: "10m" } } } }],
};

describe("case list", () => {
  it("filters by state and pages breached first, then by the next due instant", async () => {
    const store = await storeWithRules(RULES);
    const now = Date.now();
    // breached: opened 2h ago, 1h target, no reply
    await ingest([ticketEvent(store.storeId, "L-breached", "case.opened", now - 2 * HOUR, { status: "open" })]);
    // due soon: opened 30 min ago (due in 30 min)
    await ingest([ticketEvent(store.storeId, "L-soon", "case.opened", now - 30 * MIN, { status: "open" })]);
    // closed: solved long ago
    await ingest([ticketEvent(store.storeId, "L-closed", "case.opened", now - 3 * HOUR, { status: "open" }), ticketEvent(store.storeId, "L-closed", "case.status_changed", now - 2.5 * HOUR, { status: "solved" })]);
    const list = async (q: string) => (await call("GET", `/v1/stores/${store.storeId}/cases${q}`, { token: store.adminToken })).body;
    await waitForCase<ViewLike>(store, "ticket:custom:L-breached", (v) => v.clocks[0]?.status === "breached");
    const ids = (b: { cases: { caseId: string }[] }) => b.cases.map((c) => c.caseId);
    expect(ids(await list("?state=breached"))).toEqual(["ticket:custom:L-breached"]);
    expect(ids(await list("?state=due-soon"))).toEqual(["ticket:custom:L-soon"]);
    expect(ids(await list("?state=closed"))).toEqual(["ticket:custom:L-closed"]);
    expect(ids(await list("?state=open"))).toEqual(["ticket:custom:L-breached", "ticket:custom:L-soon"]);
    const page1 = await list("?limit=2");
    expect(ids(page1)).toEqual(["ticket:custom:L-breached", "ticket:custom:L-soon"]);
    const page2 = await list(`?limit=2&cursor=${encodeURIComponent(page1.nextCursor)}`);
    expect(ids(page2)).toEqual(["ticket:custom:L-closed"]);
    expect(page2.nextCursor).toBeNull();
    const soon = (await list("?state=due-soon")).cases[0];
    expect(Date.parse(soon.nextDueAt)).toBe(now - 30 * MIN + HOUR);
  });

  it("refuses a bad state or cursor with the field path", async () => {
    const store = await storeWithRules(RULES);
    const bad = await call("GET", `/v1/stores/${store.storeId}/cases?state=late`, { token: store.adminToken });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toBe("query.state");
    const cursor = await call("GET", `/v1/stores/${store.storeId}/cases?cursor=nope`, { token: store.adminToken });
    expect(cursor.status).toBe(400);
    expect(cursor.body.error.issues[0].path).toBe("query.cursor");
  });
});

describe("the case view shows what became of each reminder", () => {
  const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  it("a delivered and a dead reminder, each with its channel's state, attempts and last status", async () => {
    const team = await Sink.create(); // answers 200
    const archived = await Sink.create();
    await archived.setFallback({ status: 410, body: "channel_is_archived" });
    const store = await storeWithRules({
      channels: { team: { type: "webhook", url: `${team.url}/hook`, secret: SECRET }, old: { type: "webhook", url: `${archived.url}/hook`, secret: SECRET } },
      policies: [{ name: "All", targets: { firstReply: { byPriority: { normal: "1h" } } }, notify: ["team"] }],
      playbook: { badRating: { channels: ["old"] } },
    });
    const opened = ticketEvent(store.storeId, "V-deliveries", "case.opened", Date.now() - 2 * HOUR, { status: "open", customer: { name: "Ayşe" } });
    await ingest([opened, ticketEvent(store.storeId, "V-deliveries", "case.rating", Date.now() - MIN, { rating: { score: "bad", comment: "slow" } })]);
    const caseId = caseIdOf(opened.caseKey);
    const byKind = (v: CaseView, kind: string) => v.timeline.reminders.find((r) => r.kind === kind);
    const view = await waitForCase<CaseView>(
      store,
      caseId,
      (v) => byKind(v, "first_reply.breach")?.deliveries[0]?.state === "delivered" && byKind(v, "rating.bad")?.deliveries[0]?.state === "dead",
      20_000,
    );
    expect(() => CaseView.parse(view)).not.toThrow(); // the answer is what /openapi.json documents
    const breach = byKind(view, "first_reply.breach")!;
    expect(breach.outbox).toBe("dispatched");
    expect(breach.deliveries).toEqual([
      expect.objectContaining({ channel: "team", state: "delivered", attempts: 1, lastStatus: 200, lastError: null, deliveredAt: expect.any(String), deadAt: null }),
    ]);
    const rating = byKind(view, "rating.bad")!;
    expect(rating.deliveries).toEqual([expect.objectContaining({ channel: "old", state: "dead", attempts: 1, lastStatus: 410, deliveredAt: null, deadAt: expect.any(String) })]);
    expect(rating.deliveries[0]!.lastError).toContain("channel_is_archived");
    // The id is the delivery log's: the dead one can be retried from what the case view shows.
    const retried = await call("POST", `/v1/stores/${store.storeId}/deliveries/${rating.deliveries[0]!.id}/retry`, { token: store.adminToken });
    expect(retried.status).toBe(202);
    expect(retried.body.deliveryId).toBe(`${rating.reminderId}#old`);
  });

  it("is documented in /openapi.json with the delivery states and the timer attempts", async () => {
    const doc = await call("GET", "/openapi.json");
    const schema = JSON.stringify(doc.body.paths["/v1/stores/{storeId}/cases/{caseId}"].get.responses["200"].content["application/json"].schema);
    expect(schema).toContain('"deliveries"');
    expect(schema).toContain('"delivered"');
    expect(schema).toContain('"held"');
    expect(schema).toContain('"attempts"');
    expect(doc.body.paths["/v1/stores/{storeId}/cases/{caseId}/contacted"].post).toBeDefined();
  });
});

describe("a callback promised outside the case's business hours", () => {
  const week = (hours: [string, string][]) => ({ mon: hours, tue: hours, wed: hours, thu: hours, fri: hours });
  const RULES_WITH_HOURS: RulesDocumentInput = {
    calendars: {
      office: { timeZone: "UTC", week: week([["09:00", "18:00"]]) },
      night: { timeZone: "UTC", week: { ...week([["00:00", "08:00"]]), sat: [["00:00", "08:00"]], sun: [["00:00", "08:00"]] } },
    },
    // The night shift's calendar is also the quiet-hours one and comes first in the document:
    // neither may decide the hours of a case that the office policy governs.
    quietHours: { calendar: "night" },
    policies: [
      { name: "Night shift", when: { tags: { any: ["night"] } }, targets: { firstReply: { calendar: "night", byPriority: { normal: "1h" } } } },
      { name: "Office", targets: { firstReply: { calendar: "office", byPriority: { normal: "4h" } } } },
    ],
  };
  /** The next instant at `hour`:00 UTC at least an hour ahead, on a weekday when asked. */
  const nextAt = (hour: number, weekday: boolean) => {
    const d = new Date(Date.now() + HOUR);
    d.setUTCHours(hour, 0, 0, 0);
    while (d.getTime() < Date.now() + HOUR || (weekday && (d.getUTCDay() === 0 || d.getUTCDay() === 6))) d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString();
  };

  it("is accepted with a warning at 03:00 on the matched policy's 9–18 calendar, and without one at 10:00 on a weekday", async () => {
    const store = await storeWithRules(RULES_WITH_HOURS);
    const opened = ticketEvent(store.storeId, "CB-hours", "case.opened", Date.now() - MIN, { status: "open", channel: "phone" });
    await ingest([opened]);
    const path = `/v1/stores/${store.storeId}/cases/${encodeURIComponent(caseIdOf(opened.caseKey))}/callbacks`;
    const night = await call("POST", path, { token: store.adminToken, body: { at: nextAt(3, false), owner: "Deniz" } });
    expect(night.status).toBe(201);
    expect(night.body.warnings).toEqual(["the promised time is outside the store's business hours"]);
    const morning = await call("POST", path, { token: store.adminToken, body: { at: nextAt(10, true), owner: "Deniz" } });
    expect(morning.status).toBe(201);
    expect(morning.body.warnings).toEqual([]);
    // A case the night-shift policy governs is held to the night shift's hours instead.
    const tagged = ticketEvent(store.storeId, "CB-hours-night", "case.opened", Date.now() - MIN, { status: "open", channel: "phone", tags: ["night"] });
    await ingest([tagged]);
    const nightPath = `/v1/stores/${store.storeId}/cases/${encodeURIComponent(caseIdOf(tagged.caseKey))}/callbacks`;
    expect((await call("POST", nightPath, { token: store.adminToken, body: { at: nextAt(3, false) } })).body.warnings).toEqual([]);
    expect((await call("POST", nightPath, { token: store.adminToken, body: { at: nextAt(10, true) } })).body.warnings).toHaveLength(1);
  });
});

describe("actions on a case", () => {
  it("marking the customer contacted refuses a bad channel or an unknown field with the path, and changes nothing", async () => {
    const store = await storeWithRules(RULES);
    const opened = ticketEvent(store.storeId, "A-contacted", "case.opened", Date.now() + HOUR, { status: "open" });
    await ingest([opened]);
    const caseId = caseIdOf(opened.caseKey);
    const path = `/v1/stores/${store.storeId}/cases/${encodeURIComponent(caseId)}/contacted`;
    const badChannel = await call("POST", path, { token: store.adminToken, body: { channel: "pigeon" } });
    expect(badChannel.status).toBe(400);
    expect(badChannel.body.error.issues[0].path).toBe("channel");
    const unknown = await call("POST", path, { token: store.adminToken, body: { when: "now" } });
    expect(unknown.status).toBe(400);
    expect(((await readCase(store, caseId)) as ViewLike).timeline.events).toHaveLength(1);
    const missing = await call("POST", `/v1/stores/${store.storeId}/cases/${encodeURIComponent("shipment:ups:NOPE")}/contacted`, { token: store.adminToken, body: {} });
    expect(missing.status).toBe(404);
  });

  it("snooze moves due reminders to the end of the snooze; resolve stops them", async () => {
    const store = await storeWithRules(RULES);
    const opened = ticketEvent(store.storeId, "A-snooze", "case.opened", Date.now() - MIN, { status: "open" });
    await ingest([opened]);
    const caseId = caseIdOf(opened.caseKey);
    const path = `/v1/stores/${store.storeId}/cases/${encodeURIComponent(caseId)}`;
    const until = new Date(Date.now() + 5 * HOUR).toISOString();
    expect((await call("POST", `${path}/snooze`, { token: store.adminToken, body: { until, reason: "customer on holiday" } })).status).toBe(200);
    const snoozed = (await readCase(store, caseId)) as ViewLike;
    expect(pending(snoozed, "first_reply.breach")[0]!.dueAt).toBe(until);
    expect((await call("POST", `${path}/resolve`, { token: store.adminToken, body: { note: "sorted on the phone" } })).status).toBe(200);
    const resolved = (await readCase(store, caseId)) as ViewLike & { status: string };
    expect(resolved.status).toBe("solved");
    expect(resolved.timers.pending).toHaveLength(0);
  });

  it("a snooze in the past is refused and changes nothing", async () => {
    const store = await storeWithRules(RULES);
    const opened = ticketEvent(store.storeId, "A-past", "case.opened", Date.now() + HOUR, { status: "open" });
    await ingest([opened]);
    const caseId = caseIdOf(opened.caseKey);
    const res = await call("POST", `/v1/stores/${store.storeId}/cases/${encodeURIComponent(caseId)}/snooze`, { token: store.adminToken, body: { until: new Date(Date.now() - MIN).toISOString() } });
    expect(res.status).toBe(400);
    expect(res.body.error.issues[0].path).toBe("until");
    expect(((await readCase(store, caseId)) as ViewLike).timeline.events).toHaveLength(1);
  });
});

describe("tenant isolation", () => {
  it("store A's token gets the unknown-store answer on every case route of store B", async () => {
    const a = await storeWithRules(RULES);
    const b = await storeWithRules(RULES);
    const opened = ticketEvent(b.storeId, "ISO-1", "case.opened", Date.now() + HOUR, { status: "open" });
    await ingest([opened]);
    const caseId = encodeURIComponent(caseIdOf(opened.caseKey));
    const base = `/v1/stores/${b.storeId}/cases`;
    const routes: [string, string, unknown?][] = [
      ["GET", base],
      ["GET", `${base}/${caseId}`],
      ["POST", `${base}/${caseId}/callbacks`, { at: new Date(Date.now() + HOUR).toISOString() }],
      ["POST", `${base}/${caseId}/callbacks/cb_x/done`, {}],
      ["POST", `${base}/${caseId}/snooze`, { until: new Date(Date.now() + HOUR).toISOString() }],
      ["POST", `${base}/${caseId}/resolve`, {}],
      ["POST", `${base}/${caseId}/contacted`, { channel: "phone" }],
    ];
    const unknownStore = await call("GET", `/v1/stores/st_0000000000000000/cases`, { token: a.adminToken });
    for (const [method, path, body] of routes) {
      const res = await call(method, path, { token: a.adminToken, ...(body !== undefined ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(unknownStore.status);
      expect(res.body).toEqual(unknownStore.body);
    }
    // And store A cannot see B's case through its own path either.
    const own = await call("GET", `/v1/stores/${a.storeId}/cases/${caseId}`, { token: a.adminToken });
    expect(own.status).toBe(404);
    const view = (await readCase(b, caseIdOf(opened.caseKey))) as ViewLike;
    expect(view.timeline.events).toHaveLength(1);
  });
});
