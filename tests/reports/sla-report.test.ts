/**
 * The SLA report over the Worker's real fetch handler, from cases whose every figure is computed
 * by hand: a Berlin office calendar (Mon–Fri 09:00–17:00, +01:00 in November) with a weekend and
 * a holiday on Thursday 2026-11-05. 2026-11-02 is a Monday.
 */
import { describe, expect, it } from "vitest";
import type { RulesDocumentInput } from "../../src/rules/schema";
import { CyclePage, SlaReport } from "../../src/reports/schema";
import { call } from "../support/api";
import { CaseView } from "../../src/cases/schema";
import { HOUR, ingest, MIN, readCase, storeWithRules, ticketEvent, type TestStore } from "../support/cases";

const at = (local: string): number => Date.parse(`2026-${local}+01:00`);
const RULES: RulesDocumentInput = {
  calendars: {
    office: { timeZone: "Europe/Berlin", week: Object.fromEntries(["mon", "tue", "wed", "thu", "fri"].map((d) => [d, [["09:00", "17:00"]]])), holidays: ["2026-11-05"] },
  },
  policies: [
    {
      name: "Email",
      when: { channels: ["email"] },
      targets: { firstReply: { calendar: "office", byPriority: { normal: "2h", urgent: "1h" } }, resolution: { calendar: "office", byPriority: { normal: "16h" } } },
    },
    { name: "Chat", when: { channels: ["chat"] }, targets: { firstReply: { calendar: "office", byPriority: { normal: "30m" } } } },
  ],
};

/** Five tickets; the comments give each cycle's hand computation. */
async function history(store: TestStore): Promise<void> {
  const t = (id: string, kind: Parameters<typeof ticketEvent>[2], when: string, extra: Parameters<typeof ticketEvent>[4] = {}) => ticketEvent(store.storeId, id, kind, at(when), extra);
  // A (email, normal, ana/billing): opened Wed 16:00; reply Fri 10:00 = Wed 1 h + (Thu holiday) + Fri 1 h:
  // exactly due, met. Solved Fri 12:00: resolution Wed 1 h + Fri 3 h = 4 h, met.
  await ingest([
    t("A", "case.opened", "11-04T16:00", { status: "open", priority: "normal", channel: "email", assignee: "ana", group: "billing" }),
    t("A", "case.agent_reply", "11-06T10:00"),
    t("A", "case.status_changed", "11-06T12:00", { status: "solved" }),
  ]);
  // B (email, normal, bo/billing): opened Mon 09:00, replied 12:00: 3 h against 2 h (due 11:00), missed.
  // Solved 13:00: resolution 4 h, met.
  await ingest([
    t("B", "case.opened", "11-02T09:00", { status: "open", priority: "normal", channel: "email", assignee: "bo", group: "billing" }),
    t("B", "case.agent_reply", "11-02T12:00"),
    t("B", "case.status_changed", "11-02T13:00", { status: "solved" }),
  ]);
  // C (email, urgent, ana/billing): replied after 20 min of a 1 h target, met; no urgent resolution target.
  await ingest([
    t("C", "case.opened", "11-03T09:00", { status: "open", priority: "urgent", channel: "email", assignee: "ana", group: "billing" }),
    t("C", "case.agent_reply", "11-03T09:20"),
  ]);
  // D (chat, normal, bo/sales): opened Fri 16:50, due Mon 09:20 (10 + 20 min); replied Mon 09:30 after 40 min, missed.
  await ingest([
    t("D", "case.opened", "11-06T16:50", { status: "open", priority: "normal", channel: "chat", assignee: "bo", group: "sales" }),
    t("D", "case.agent_reply", "11-09T09:30"),
  ]);
  // E (email, normal, ana/billing): opened Mon 11-30 09:00 and never answered: first reply (due 11:00) and
  // resolution (due Tue 12-01 17:00) are both running past due now.
  await ingest([t("E", "case.opened", "11-30T09:00", { status: "open", priority: "normal", channel: "email", assignee: "ana", group: "billing" })]);
}

const RANGE = "from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z";
const row = (r: Partial<SlaReport["rows"][number]>) => ({ openMissed: 0, inProgress: 0, ...r });

describe("SLA report", () => {
  it("by metric, policy and priority: every figure as computed by hand", async () => {
    const store = await storeWithRules(RULES);
    await history(store);
    const res = await call("GET", `/v1/stores/${store.storeId}/reports/sla?${RANGE}&groupBy=metric,policy,priority`, { token: store.adminToken });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const report = SlaReport.parse(res.body);
    expect(report.from).toBe("2026-11-01T00:00:00.000Z");
    expect(report.rows).toEqual([
      row({ metric: "first_reply", policy: "Chat", priority: "normal", cycles: 1, met: 0, missed: 1, attainment: 0, medianUsedMs: 40 * MIN, p90UsedMs: 40 * MIN }),
      row({ metric: "first_reply", policy: "Email", priority: "normal", cycles: 2, met: 1, missed: 1, attainment: 0.5, medianUsedMs: 2 * HOUR, p90UsedMs: 3 * HOUR, openMissed: 1 }),
      row({ metric: "first_reply", policy: "Email", priority: "urgent", cycles: 1, met: 1, missed: 0, attainment: 1, medianUsedMs: 20 * MIN, p90UsedMs: 20 * MIN }),
      row({ metric: "resolution", policy: "Email", priority: "normal", cycles: 2, met: 2, missed: 0, attainment: 1, medianUsedMs: 4 * HOUR, p90UsedMs: 4 * HOUR, openMissed: 1 }),
    ]);
  });

  it("by assignee, as CSV with a header line (Accept or format=csv), the same figures", async () => {
    const store = await storeWithRules(RULES);
    await history(store);
    const json = await call("GET", `/v1/stores/${store.storeId}/reports/sla?${RANGE}&groupBy=assignee`, { token: store.adminToken });
    expect(json.body.rows).toEqual([
      row({ metric: "first_reply", assignee: "ana", cycles: 2, met: 2, missed: 0, attainment: 1, medianUsedMs: 20 * MIN, p90UsedMs: 2 * HOUR, openMissed: 1 }),
      row({ metric: "first_reply", assignee: "bo", cycles: 2, met: 0, missed: 2, attainment: 0, medianUsedMs: 40 * MIN, p90UsedMs: 3 * HOUR }),
      row({ metric: "resolution", assignee: "ana", cycles: 1, met: 1, missed: 0, attainment: 1, medianUsedMs: 4 * HOUR, p90UsedMs: 4 * HOUR, openMissed: 1 }),
      row({ metric: "resolution", assignee: "bo", cycles: 1, met: 1, missed: 0, attainment: 1, medianUsedMs: 4 * HOUR, p90UsedMs: 4 * HOUR }),
    ]);
    const expected =
      "metric,assignee,cycles,met,missed,attainment,medianUsedMs,p90UsedMs,openMissed,inProgress\r\n" +
      "first_reply,ana,2,2,0,1,1200000,7200000,1,0\r\n" +
      "first_reply,bo,2,0,2,0,2400000,10800000,0,0\r\n" +
      "resolution,ana,1,1,0,1,14400000,14400000,1,0\r\n" +
      "resolution,bo,1,1,0,1,14400000,14400000,0,0\r\n";
    const byAccept = await call("GET", `/v1/stores/${store.storeId}/reports/sla?${RANGE}&groupBy=assignee`, { token: store.adminToken, headers: { accept: "text/csv" } });
    expect(byAccept.status).toBe(200);
    expect(byAccept.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(byAccept.body).toBe(expected);
    const byFormat = await call("GET", `/v1/stores/${store.storeId}/reports/sla?${RANGE}&groupBy=assignee&format=csv`, { token: store.adminToken });
    expect(byFormat.body).toBe(expected);
  });

  it("counts a cycle in the range it ended in: from/to cut at an instant, not a day", async () => {
    const store = await storeWithRules(RULES);
    await history(store);
    // Only B's reply (Mon 11-02 12:00) and its solve (13:00) fall before 11-02 12:30.
    const res = await call("GET", `/v1/stores/${store.storeId}/reports/sla?from=2026-11-01T00:00:00Z&to=2026-11-02T11:30:00Z&groupBy=metric`, { token: store.adminToken });
    expect(res.body.rows).toEqual([
      row({ metric: "first_reply", cycles: 1, met: 0, missed: 1, attainment: 0, medianUsedMs: 3 * HOUR, p90UsedMs: 3 * HOUR, openMissed: 1 }),
      row({ metric: "resolution", cycles: 0, met: 0, missed: 0, attainment: null, medianUsedMs: null, p90UsedMs: null, openMissed: 1 }),
    ]);
  });

  it("gives the same figures from monthly rollups, daily rollups and rows, whatever the range's shape", async () => {
    const store = await storeWithRules(RULES);
    await history(store);
    const get = async (q: string) => (await call("GET", `/v1/stores/${store.storeId}/reports/sla?${q}`, { token: store.adminToken })).body.rows as SlaReport["rows"];
    const strip = (rows: SlaReport["rows"]) => rows.map(({ metric, policy, cycles, met, missed, medianUsedMs, p90UsedMs }) => ({ metric, policy, cycles, met, missed, medianUsedMs, p90UsedMs }));
    // Whole month (monthly rows), month plus whole days before it (monthly + daily), ragged ends (daily + rows),
    // and a grouping no rollup holds (rows only), summed back to metric × policy.
    const month = strip(await get(`${RANGE}&groupBy=metric,policy`));
    expect(strip(await get("from=2026-10-15T00:00:00Z&to=2026-12-01T00:00:00Z&groupBy=metric,policy"))).toEqual(month);
    expect(strip(await get("from=2026-11-01T23:00:00Z&to=2026-11-30T05:00:00Z&groupBy=metric,policy"))).toEqual(month);
    const mixed = await get(`${RANGE}&groupBy=metric,policy,assignee`);
    const summed = new Map<string, { met: number; missed: number }>();
    for (const r of mixed) {
      const k = `${r.metric}/${r.policy}`;
      const t = summed.get(k) ?? { met: 0, missed: 0 };
      summed.set(k, { met: t.met + r.met, missed: t.missed + r.missed });
    }
    expect(month.map((r) => [`${r.metric}/${r.policy}`, r.met, r.missed])).toEqual([...summed.entries()].map(([k, t]) => [k, t.met, t.missed]));
  });

  it("drills down to the cases behind a figure, page by page", async () => {
    const store = await storeWithRules(RULES);
    await history(store);
    const page = async (q: string) => CyclePage.parse((await call("GET", `/v1/stores/${store.storeId}/reports/sla/cycles?${RANGE}&${q}`, { token: store.adminToken })).body);
    const first = await page("metric=first_reply&outcome=missed&limit=1");
    expect(first.cycles.map((c) => [c.caseId, c.endedAt, c.dueAt, c.usedMs])).toEqual([["ticket:custom:B", "2026-11-02T11:00:00.000Z", "2026-11-02T10:00:00.000Z", 3 * HOUR]]);
    const second = await page(`metric=first_reply&outcome=missed&limit=1&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(second.cycles.map((c) => [c.caseId, c.policy, c.usedMs, c.outcome])).toEqual([["ticket:custom:D", "Chat", 40 * MIN, "missed"]]);
    expect(second.nextCursor).toBeNull();
    expect((await page("outcome=open_missed")).cycles.map((c) => [c.caseId, c.metric])).toEqual([
      ["ticket:custom:E", "first_reply"],
      ["ticket:custom:E", "resolution"],
    ]);
    expect((await page("policy=Email&priority=urgent")).cycles.map((c) => c.caseId)).toEqual(["ticket:custom:C"]);
    expect((await page("assignee=ana&metric=resolution")).cycles.map((c) => [c.caseId, c.pausedMs])).toEqual([["ticket:custom:A", 0]]);
  });

  it("the case view shows every cycle's result, and a metric with a target but nothing counting", async () => {
    const store = await storeWithRules(RULES);
    await history(store);
    const view = CaseView.parse(await readCase(store, "ticket:custom:C"));
    // C (urgent): first reply met after 20 min of 1 h; urgent has no resolution target, so nothing else runs.
    expect(view.cycles).toEqual([
      { metric: "first_reply", startedAt: new Date(at("11-03T09:00")).toISOString(), endedAt: new Date(at("11-03T09:20")).toISOString(), dueAt: new Date(at("11-03T10:00")).toISOString(), targetMs: HOUR, usedMs: 20 * MIN, pausedMs: 0, outcome: "met" },
    ]);
    expect(view.idleMetrics).toEqual([{ metric: "first_reply", targetMs: HOUR }]);
  });

  it("refuses bad input with 400 naming the field, and stays within the store", async () => {
    const store = await storeWithRules(RULES);
    await history(store);
    const bad = async (q: string) => {
      const res = await call("GET", `/v1/stores/${store.storeId}/reports/sla${q}`, { token: store.adminToken });
      expect(res.status).toBe(400);
      return res.body.error.issues.map((i: { path: string; message: string }) => `${i.path}: ${i.message}`);
    };
    expect(await bad("?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z")).toEqual(["query.from: from is after to"]);
    expect(await bad("?from=2025-01-01T00:00:00Z&to=2026-11-01T00:00:00Z")).toEqual(["query.to: the range is over 400 days"]);
    expect((await bad("?groupBy=metric,agent"))[0]).toMatch(/^query\.groupBy: unknown field "agent"/);
    expect((await bad("?team=billing"))[0]).toMatch(/^query\.team: unknown field "team"/);
    // Across the two rollup sides every cycle is read: a month at most.
    expect((await bad(`?${RANGE.replace("2026-11-01", "2026-10-01")}&groupBy=policy,assignee`))[0]).toMatch(/^query\.groupBy: grouping policy, priority or channel together with assignee or group reads every cycle: at most 31 days/);
    const cycles = await call("GET", `/v1/stores/${store.storeId}/reports/sla/cycles?outcome=late`, { token: store.adminToken });
    expect(cycles.status).toBe(400);
    expect(cycles.body.error.issues[0].path).toBe("query.outcome");
    const cursor = await call("GET", `/v1/stores/${store.storeId}/reports/sla/cycles?cursor=nope`, { token: store.adminToken });
    expect(cursor.status).toBe(400);
    expect(cursor.body.error.issues[0].path).toBe("query.cursor");

    const other = await storeWithRules(RULES);
    const theirs = await call("GET", `/v1/stores/${other.storeId}/reports/sla?${RANGE}`, { token: other.adminToken });
    expect(theirs.body.rows).toEqual([]);
    const crossed = await call("GET", `/v1/stores/${store.storeId}/reports/sla?${RANGE}`, { token: other.adminToken });
    expect(crossed.status).toBe(401);
  });
});
