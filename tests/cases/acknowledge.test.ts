/**
 * Taking a case over the API (what the console's "Take it" and Slack's "I'm on it" do): the
 * pending escalation level stops with the taker's name, the SLA clock does not, the case view
 * shows the owner and the store's audit log has the action.
 */
import { describe, expect, it } from "vitest";
import { CaseView } from "../../src/cases/schema";
import { caseIdOf } from "../../src/events/model";
import type { RulesDocumentInput } from "../../src/rules/schema";
import { call } from "../support/api";
import { HOUR, ingest, MIN, storeWithRules, ticketEvent, waitForCase, type ViewLike } from "../support/cases";

const RULES: RulesDocumentInput = {
  policies: [
    {
      name: "All",
      targets: { firstReply: { byPriority: { normal: "1h" } } },
      escalations: [
        { level: 1, after: "30m", message: "Lead: take it" },
        { level: 2, after: "3h", message: "Head of support: take it" },
      ],
    },
  ],
};

describe("POST …/cases/:caseId/acknowledge", () => {
  it("stops the breach's remaining level with the taker's name, keeps the clock breached, and audits it", async () => {
    const store = await storeWithRules(RULES);
    // Opened 100 min ago: breached 40 min ago, level 1 paged 10 min ago, level 2 still to come.
    const opened = ticketEvent(store.storeId, "ACK-1", "case.opened", Date.now() - 100 * MIN, { status: "open" });
    await ingest([opened]);
    const caseId = caseIdOf(opened.caseKey);
    const path = `/v1/stores/${store.storeId}/cases/${encodeURIComponent(caseId)}`;
    const before = await waitForCase<ViewLike>(store, caseId, (v) => v.timers.done.some((t) => t.kind === "first_reply.escalation" && t.state === "fired"));
    const level2 = before.timers.pending.find((t) => t.kind === "first_reply.escalation")!;
    expect(level2).toBeDefined();

    const res = await call("POST", `${path}/acknowledge`, { token: store.adminToken, body: { by: "Ayşe", note: "calling them now" } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.owner).toMatchObject({ by: "Ayşe", via: "api" });
    expect(res.body.stoppedEscalations.map((t: { key: string }) => t.key)).toEqual([level2.key]);

    const after = (await call("GET", path, { token: store.adminToken })).body as CaseView;
    expect(() => CaseView.parse(after)).not.toThrow();
    expect(after.owner).toMatchObject({ by: "Ayşe", via: "api" });
    expect(after.timers.pending.filter((t) => t.kind === "first_reply.escalation")).toEqual([]);
    const stopped = after.timers.done.find((t) => t.key === level2.key)!;
    expect(stopped.state).toBe("cancelled");
    expect(stopped.cancelledBecause).toMatch(/^acknowledged by Ayşe \(api\) at /);
    expect(after.clocks.find((c) => c.metric === "first_reply")!.status).toBe("breached");
    expect(after.timeline.events.some((e) => e.kind === "case.acknowledged")).toBe(true);

    // The board (case list) shows who owns the breach too.
    const list = await call("GET", `/v1/stores/${store.storeId}/cases?state=breached`, { token: store.adminToken });
    expect(list.body.cases.find((c: { caseId: string }) => c.caseId === caseId).owner).toMatchObject({ by: "Ayşe", via: "api" });

    const audit = await call("GET", `/v1/stores/${store.storeId}/audit`, { token: store.adminToken });
    expect(audit.body.entries[0]).toMatchObject({ action: "case.acknowledge", subject: caseId });
    expect(audit.body.entries[0].summary).toContain("Ayşe took the case");
  });

  it("refuses a body without `by` with the field path, and an unknown case with 404", async () => {
    const store = await storeWithRules(RULES);
    const opened = ticketEvent(store.storeId, "ACK-2", "case.opened", Date.now() - 2 * HOUR, { status: "open" });
    await ingest([opened]);
    const path = `/v1/stores/${store.storeId}/cases/${encodeURIComponent(caseIdOf(opened.caseKey))}/acknowledge`;
    const bad = await call("POST", path, { token: store.adminToken, body: { note: "x" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toBe("by");
    const view = await call("GET", path.replace(/\/acknowledge$/, ""), { token: store.adminToken });
    expect(view.body.owner).toBeNull();
    const missing = await call("POST", `/v1/stores/${store.storeId}/cases/${encodeURIComponent("ticket:custom:nope")}/acknowledge`, { token: store.adminToken, body: { by: "Ayşe" } });
    expect(missing.status).toBe(404);
  });
});
