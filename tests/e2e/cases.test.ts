/**
 * The case object under the real `wrangler dev`: a first-reply target of 3 seconds gets its
 * warning and its breach at their instants (read from the case timeline, where each fired timer
 * records when it was due and when it fired), and a timer due while the process is dead fires
 * once after the restart.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CUSTOM_SECRET, configureProvider, createStore, postCustom, readCase, saveRules, waitForCase, type E2EStore } from "./support/store";
import { waitFor } from "./support/http";
import { DevServer, sleep } from "./support/wrangler";

const RULES = {
  policies: [
    {
      name: "Urgent chat",
      when: { channels: ["chat"], priorities: ["urgent"] },
      targets: { firstReply: { calendar: "24/7", byPriority: { urgent: "3s" }, warnings: ["1s"] } },
    },
  ],
};

interface Timer {
  kind: string;
  state: string;
  dueAt: string;
  firedAt: string | null;
  lateByMs: number | null;
}

describe("case timers against wrangler dev", () => {
  const server = new DevServer();
  let store: E2EStore;
  beforeAll(async () => {
    await server.start();
    store = await createStore(server.url);
    await saveRules(store, RULES);
    await configureProvider(store, "custom", { secrets: [CUSTOM_SECRET] });
  });
  afterAll(() => server.dispose());

  it("fires the warning and the breach of a 3-second target within a second of their instants", async () => {
    const openedAt = new Date();
    const res = await postCustom(store, { occurredAt: openedAt.toISOString(), caseKey: { type: "ticket", ticketId: "E2E-3S" }, kind: "case.opened", channel: "chat", priority: "urgent", status: "open" });
    expect(res.status, server.logs()).toBe(202);
    const caseId = res.body.caseId as string;
    const done = await waitForCase(store, caseId, (v) => {
      const timers = v.timers.done as Timer[];
      return timers.some((t) => t.kind === "first_reply.breach" && t.state === "fired") ? timers : undefined;
    }, 20_000);
    const warning = done.find((t) => t.kind === "first_reply.warning")!;
    const breach = done.find((t) => t.kind === "first_reply.breach")!;
    expect(Date.parse(warning.dueAt)).toBe(openedAt.getTime() + 2000);
    expect(Date.parse(breach.dueAt)).toBe(openedAt.getTime() + 3000);
    for (const t of [warning, breach]) {
      expect(t.state).toBe("fired");
      expect(t.lateByMs).toBeGreaterThanOrEqual(0);
      expect(t.lateByMs).toBeLessThan(1000);
    }
    const view = await readCase(store, caseId);
    expect(view.timeline.reminders.map((r: { kind: string }) => r.kind)).toEqual(["first_reply.warning", "first_reply.breach"]);
    expect(view.clocks[0]).toMatchObject({ metric: "first_reply", status: "breached" });
  });

  it("a timer due while the process was killed fires once after the restart", async () => {
    const openedAt = Date.now();
    const res = await postCustom(store, { occurredAt: new Date(openedAt).toISOString(), caseKey: { type: "ticket", ticketId: "E2E-CRASH" }, kind: "case.opened", channel: "chat", priority: "urgent", status: "open" });
    expect(res.status).toBe(202);
    await server.stop("SIGKILL");
    await sleep(Math.max(0, openedAt + 4000 - Date.now()));
    await server.start();
    // Reading the case repairs a missing or stuck alarm, so the breach must be seen to fire before
    // anything reads the case: in the store's delivery log (the registry), which the case object
    // writes when its own alarm fires and which reading does not touch.
    const recorded = await waitFor(async () => {
      const list = await fetch(`${server.url}/v1/stores/${store.storeId}/deliveries`, { headers: { authorization: `Bearer ${store.token}` } });
      const { deliveries } = (await list.json()) as { deliveries: { reminder: { caseId: string; kind: string } | null }[] };
      const breaches = deliveries.filter((d) => d.reminder?.caseId === res.body.caseId && d.reminder?.kind === "first_reply.breach");
      return breaches.length > 0 ? breaches : undefined;
    }, 30_000);
    expect(recorded).toHaveLength(1);
    const done = await waitForCase(store, res.body.caseId, (v) => {
      const timers = v.timers.done as Timer[];
      return timers.some((t) => t.kind === "first_reply.breach" && t.state === "fired") ? timers : undefined;
    }, 30_000);
    expect(done.filter((t) => t.kind === "first_reply.breach")).toHaveLength(1);
    expect(done.find((t) => t.kind === "first_reply.breach")!.lateByMs).toBeGreaterThan(0);
    const view = await readCase(store, res.body.caseId);
    expect(view.timeline.reminders.filter((r: { kind: string }) => r.kind === "first_reply.breach")).toHaveLength(1);
  });
});
