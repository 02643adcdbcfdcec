/**
 * Reports under the real `wrangler dev`: past-dated, signed `custom` webhooks build a known month
 * (Berlin office hours, Mon–Fri 09:00–17:00, holiday Thursday 2026-11-05), and the SLA report, its
 * CSV and its drill-down agree with each other and with the hand computation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request, waitFor } from "./support/http";
import { CUSTOM_SECRET, configureProvider, createStore, postCustom, saveRules, type E2EStore } from "./support/store";
import { DevServer } from "./support/wrangler";

const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (local: string): string => new Date(Date.parse(`2026-${local}+01:00`)).toISOString();
const RULES = {
  calendars: {
    office: { timeZone: "Europe/Berlin", week: Object.fromEntries(["mon", "tue", "wed", "thu", "fri"].map((d) => [d, [["09:00", "17:00"]]])), holidays: ["2026-11-05"] },
  },
  policies: [
    {
      name: "Email",
      when: { channels: ["email"] },
      targets: { firstReply: { calendar: "office", byPriority: { normal: "2h" } }, nextReply: { calendar: "office", byPriority: { normal: "1h" } } },
    },
  ],
};
const RANGE = "from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z";

interface Row {
  metric: string;
  assignee?: string | null;
  cycles: number;
  met: number;
  missed: number;
  attainment: number | null;
  medianUsedMs: number | null;
  p90UsedMs: number | null;
  openMissed: number;
  inProgress: number;
}

describe("reports against wrangler dev", () => {
  const server = new DevServer();
  let store: E2EStore;
  beforeAll(async () => {
    await server.start();
    store = await createStore(server.url);
    await saveRules(store, RULES);
    await configureProvider(store, "custom", { secrets: [CUSTOM_SECRET] });
    const post = async (ticketId: string, kind: string, when: string, extra: Record<string, unknown> = {}) => {
      const res = await postCustom(store, { occurredAt: at(when), caseKey: { type: "ticket", ticketId }, kind, ...extra });
      expect(res.status, server.logs()).toBe(202);
    };
    const facts = (assignee: string) => ({ status: "open", priority: "normal", channel: "email", assignee });
    // A: opened Wed 16:00, replied Fri 10:00 (Wed 1 h, Thursday a holiday, Fri 1 h): exactly due, met.
    await post("R-A", "case.opened", "11-04T16:00", facts("ana"));
    await post("R-A", "case.agent_reply", "11-06T10:00");
    // B: opened Mon 09:00, replied 12:00 (3 h of 2 h, due 11:00): missed. The customer writes Tue 09:00,
    // answered 09:30: next reply met in 30 min.
    await post("R-B", "case.opened", "11-02T09:00", facts("bo"));
    await post("R-B", "case.agent_reply", "11-02T12:00");
    await post("R-B", "case.customer_message", "11-03T09:00");
    await post("R-B", "case.agent_reply", "11-03T09:30");
    // C: first reply Mon 11-09 09:45 (45 min, met). Then in one second, Tue 11:00:00, the helpdesk numbers a
    // reply (sequence 2) before a customer message (sequence 3), though the message arrives first: the reply
    // did not answer it, so next reply is owed from 11:00 and nobody answered: missed, still open.
    await post("R-C", "case.opened", "11-09T09:00", facts("ana"));
    await post("R-C", "case.agent_reply", "11-09T09:45");
    await post("R-C", "case.customer_message", "11-10T11:00", { sequence: 3 });
    await post("R-C", "case.agent_reply", "11-10T11:00", { sequence: 2 });
    // D: replied and solved in one action, Fri 11-13 10:00:00 after opening 09:00: one first-reply cycle
    // (60 min, met), and no periodic or next-reply cycle.
    await post("R-D", "case.opened", "11-13T09:00", facts("bo"));
    await post("R-D", "case.agent_reply", "11-13T10:00", { sequence: 1 });
    await post("R-D", "case.status_changed", "11-13T10:00", { status: "solved", sequence: 2 });
  });
  afterAll(() => server.dispose());

  const get = (path: string, headers: Record<string, string> = {}) => request(store.url, "GET", `/v1/stores/${store.storeId}/reports${path}`, { token: store.token, headers });

  it("the report, its CSV and its drill-down agree with the hand computation", async () => {
    const report = await waitFor(async () => {
      const res = await get(`/sla?${RANGE}&groupBy=metric,assignee`);
      const rows = res.body.rows as Row[];
      return rows.reduce((n, r) => n + r.cycles + r.openMissed, 0) === 6 ? rows : undefined;
    }, 20_000);
    expect(report).toEqual([
      { metric: "first_reply", assignee: "ana", cycles: 2, met: 2, missed: 0, attainment: 1, medianUsedMs: 45 * MIN, p90UsedMs: 2 * HOUR, openMissed: 0, inProgress: 0 },
      { metric: "first_reply", assignee: "bo", cycles: 2, met: 1, missed: 1, attainment: 0.5, medianUsedMs: HOUR, p90UsedMs: 3 * HOUR, openMissed: 0, inProgress: 0 },
      { metric: "next_reply", assignee: "ana", cycles: 0, met: 0, missed: 0, attainment: null, medianUsedMs: null, p90UsedMs: null, openMissed: 1, inProgress: 0 },
      { metric: "next_reply", assignee: "bo", cycles: 1, met: 1, missed: 0, attainment: 1, medianUsedMs: 30 * MIN, p90UsedMs: 30 * MIN, openMissed: 0, inProgress: 0 },
    ]);

    const csv = await get(`/sla?${RANGE}&groupBy=metric,assignee`, { accept: "text/csv" });
    expect(csv.status).toBe(200);
    const lines = String(csv.body).trim().split("\r\n");
    expect(lines[0]).toBe("metric,assignee,cycles,met,missed,attainment,medianUsedMs,p90UsedMs,openMissed,inProgress");
    expect(lines.slice(1)).toEqual(report.map((r) => [r.metric, r.assignee, r.cycles, r.met, r.missed, r.attainment ?? "", r.medianUsedMs ?? "", r.p90UsedMs ?? "", r.openMissed, r.inProgress].join(",")));

    // Every finished cycle behind the figures, two per page; and the one running past due.
    const finished: { caseId: string; metric: string; assignee: string; outcome: string; usedMs: number }[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/sla/cycles?${RANGE}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(res.status).toBe(200);
      finished.push(...res.body.cycles);
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(finished.map((c) => [c.caseId, c.metric, c.outcome, c.usedMs])).toEqual([
      ["ticket:custom:R-B", "first_reply", "missed", 3 * HOUR],
      ["ticket:custom:R-B", "next_reply", "met", 30 * MIN],
      ["ticket:custom:R-A", "first_reply", "met", 2 * HOUR],
      ["ticket:custom:R-C", "first_reply", "met", 45 * MIN],
      ["ticket:custom:R-D", "first_reply", "met", HOUR],
    ]);
    for (const r of report) {
      const mine = finished.filter((c) => c.metric === r.metric && c.assignee === r.assignee);
      expect([mine.filter((c) => c.outcome === "met").length, mine.filter((c) => c.outcome === "missed").length]).toEqual([r.met, r.missed]);
    }
    const open = await get(`/sla/cycles?outcome=open_missed`);
    expect(open.body.cycles.map((c: { caseId: string; metric: string; startedAt: string; dueAt: string }) => [c.caseId, c.metric, c.startedAt, c.dueAt])).toEqual([
      ["ticket:custom:R-C", "next_reply", at("11-10T11:00"), at("11-10T12:00")],
    ]);
    const missed = await get(`/sla/cycles?${RANGE}&metric=first_reply&outcome=missed&assignee=bo`);
    expect(missed.body.cycles.map((c: { caseId: string }) => c.caseId)).toEqual(["ticket:custom:R-B"]);
  });

  it("answers 400 naming the field for a bad range or grouping", async () => {
    const res = await get(`/sla?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z`);
    expect(res.status).toBe(400);
    expect(res.body.error.issues[0].path).toBe("query.from");
    const group = await get(`/sla?groupBy=metric,team`);
    expect(group.status).toBe(400);
    expect(group.body.error.issues[0].path).toBe("query.groupBy");
  });
});
