/**
 * The Slack app against the real `wrangler dev`, with a local Slack stand-in (a real HTTP server
 * answering chat.postMessage, chat.update and views.open, recording what it got). Interactions
 * are signed the way Slack signs them and posted to the app's Request URL.
 *
 * - a breach posts a message with buttons; "I'm on it" cancels level 2 and the message is updated;
 *   a double click is one acknowledgement;
 * - snooze re-fires the warning before the due instant;
 * - the callback modal creates a callback whose reminder then fires;
 * - "Called the customer" stops a late parcel's contact-due reminder;
 * - tampered, stale or unsigned payloads → 401, with no state change.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request, waitFor } from "./support/http";
import { aftership, SECRETS, zendesk } from "./support/providers";
import { Receiver, type Received } from "./support/receiver";
import { configureProvider, createStore, readCase, saveRules, waitForCase, type E2EStore } from "./support/store";
import { DevServer } from "./support/wrangler";

const SIGNING_SECRET = "e2e-slack-signing-secret";
const TS = "1765000000.000100";

interface Message {
  channel: string;
  text: string;
  blocks?: { type: string; elements?: { action_id: string; value?: string; text: { text: string } }[] }[];
}

const sign = (ts: string, body: string, secret = SIGNING_SECRET) => `v0=${createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")}`;

describe("a Slack app against wrangler dev", () => {
  const server = new DevServer({ vars: { DELIVERY_RETRY_BASE_SECONDS: "1" } });
  const slack = new Receiver();
  let store: E2EStore;

  const calls = (method: string): Received[] => slack.received.filter((r) => r.path === `/api/${method}`);
  const messages = (): Message[] => calls("chat.postMessage").map((r) => JSON.parse(r.body) as Message);
  // A reminder's blocks name its kind and its reference (`<caseId>:<timer key>`); thread replies have no blocks.
  const about = (m: Message, kind: string, caseId: string) => JSON.stringify(m.blocks ?? []).includes(kind) && JSON.stringify(m.blocks ?? []).includes(caseId);
  const posted = (kind: string, caseId: string) => messages().find((m) => about(m, kind, caseId));

  async function interact(payload: unknown, opts: { tamper?: boolean; stale?: boolean; unsigned?: boolean } = {}) {
    const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const ts = String(Math.floor(Date.now() / 1000) - (opts.stale ? 600 : 0));
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
    if (!opts.unsigned) Object.assign(headers, { "x-slack-request-timestamp": ts, "x-slack-signature": sign(ts, body) });
    return request(server.url, "POST", `/slack/${store.storeId}/interactions`, { rawBody: opts.tamper ? body.replace("U_MEHMET", "U_OTHER") : body, headers });
  }

  function click(m: Message, actionId: string) {
    const button = m.blocks!.find((b) => b.type === "actions")!.elements!.find((e) => e.action_id === actionId)!;
    return {
      type: "block_actions",
      user: { id: "U_MEHMET", username: "mehmet", name: "Mehmet" },
      trigger_id: `trigger-${Date.now()}`,
      container: { type: "message", message_ts: TS, channel_id: "C0OPS" },
      message: { ts: TS, blocks: m.blocks },
      actions: [{ action_id: actionId, block_id: "promptly.actions", value: button.value, action_ts: "1765000001.1" }],
    };
  }

  beforeAll(async () => {
    slack.setFallback({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ ok: true, channel: "C0OPS", ts: TS }) });
    await slack.start();
    await server.start();
    store = await createStore(server.url, "Slack shop");
    await configureProvider(store, "zendesk", { secrets: [SECRETS.zendesk] });
    await configureProvider(store, "aftership", { secrets: [SECRETS.aftership] });
    await saveRules(store, {
      channels: { ops: { type: "slack_app", botToken: "xoxb-e2e", signingSecret: SIGNING_SECRET, channel: "C0OPS", baseUrl: `${slack.url}/api` } },
      policies: [
        // Breaches fast, with a ladder: level 1 right after the breach, level 2 well later.
        { name: "Fast", when: { tags: { any: ["fast"] } }, targets: { firstReply: { byPriority: { normal: "3s" } } }, notify: ["ops"], escalations: [{ level: 1, after: "2s", message: "Lead: take it" }, { level: 2, after: "60s", message: "Head: take it" }] },
        // Warns 10 s in, due at 90 s: a snoozed warning must come back by 30 s.
        { name: "Warned", when: { tags: { any: ["warned"] } }, targets: { firstReply: { byPriority: { normal: "90s" }, warnings: ["80s"] } }, notify: ["ops"] },
      ],
      playbook: { shipmentDelay: { channels: ["ops"] }, callback: { channels: ["ops"] } },
    });
  });
  afterAll(async () => {
    await server.dispose();
    await slack.stop();
  });

  it("a breach posts buttons; I'm on it cancels level 2 and updates the message; a double click is one acknowledgement", async () => {
    const opened = await zendesk(store, "created", { id: "7001", tags: ["fast"] });
    expect(opened.status, server.logs()).toBe(202);
    const caseId = opened.body.caseId as string;
    const breach = await waitFor(async () => posted("first_reply.breach", caseId), 30_000);
    expect(breach.blocks!.find((b) => b.type === "actions")!.elements!.map((e) => e.text.text)).toEqual(["I'm on it", "Promise a callback", "Open case"]);
    const level2 = await waitForCase(store, caseId, (v) => v.timers.pending.find((t: { kind: string }) => t.kind === "first_reply.escalation") as { key: string } | undefined);

    // Refused: unsigned, tampered, stale. Nothing changes.
    for (const opts of [{ unsigned: true }, { tamper: true }, { stale: true }]) expect((await interact(click(breach, "promptly.acknowledge"), opts)).status).toBe(401);
    expect((await readCase(store, caseId)).owner).toBeNull();

    expect((await interact(click(breach, "promptly.acknowledge"))).status).toBe(200);
    expect((await interact(click(breach, "promptly.acknowledge"))).status).toBe(200);
    const stopped = await waitForCase(store, caseId, (v) => v.timers.done.find((t: { key: string; state: string }) => t.key === level2.key && t.state === "cancelled") as { cancelledBecause: string } | undefined);
    expect(stopped.cancelledBecause).toMatch(/^acknowledged by Mehmet \(slack\)/);
    const update = await waitFor(async () => calls("chat.update")[0], 10_000);
    expect(JSON.parse(update.body)).toMatchObject({ channel: "C0OPS", ts: TS, text: "Mehmet: is on it: escalation stopped" });
    await new Promise((r) => setTimeout(r, 1000));
    const view = await readCase(store, caseId);
    expect(view.owner).toMatchObject({ by: "Mehmet", via: "slack" });
    expect(view.timeline.events.filter((e: { kind: string }) => e.kind === "case.acknowledged")).toHaveLength(1);
    expect(calls("chat.update")).toHaveLength(1);
  });

  it("snooze re-fires the warning before the due instant", async () => {
    const openedAt = Date.now();
    const opened = await zendesk(store, "created", { id: "7002", tags: ["warned"] });
    const caseId = opened.body.caseId as string;
    const warning = await waitFor(async () => posted("first_reply.warning", caseId), 30_000);
    expect((await interact(click(warning, "promptly.snooze"))).status).toBe(200);
    const warnings = () => messages().filter((m) => about(m, "first_reply.warning", caseId));
    await waitFor(async () => (warnings().length >= 2 ? true : undefined), 60_000);
    const view = await readCase(store, caseId);
    const refired = view.timers.done.find((t: { key: string }) => t.key.includes(":snoozed@"));
    expect(refired.state).toBe("fired");
    expect(Date.parse(refired.firedAt)).toBeLessThan(openedAt + 90_000);
  });

  it("the callback modal creates a callback whose reminder then fires", async () => {
    const opened = await zendesk(store, "created", { id: "7003", tags: ["fast"] });
    const caseId = opened.body.caseId as string;
    const breach = await waitFor(async () => posted("first_reply.breach", caseId), 30_000);
    const before = calls("views.open").length;
    expect((await interact(click(breach, "promptly.promise_callback"))).status).toBe(200);
    const opening = await waitFor(async () => calls("views.open")[before], 10_000);
    const { view } = JSON.parse(opening.body) as { view: { callback_id: string; private_metadata: string } };
    expect(JSON.parse(view.private_metadata).zone).toBe("UTC");
    // Two minutes from now (the modal's zone is UTC here: no calendar is the store's display zone).
    const at = new Date(Date.now() + 2 * 60_000);
    const pad = (n: number) => String(n).padStart(2, "0");
    const submission = {
      type: "view_submission",
      user: { id: "U_MEHMET", name: "Mehmet" },
      view: {
        id: "V7003",
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        state: { values: { "promptly.cb.date": { date: { type: "datepicker", selected_date: at.toISOString().slice(0, 10) } }, "promptly.cb.time": { time: { type: "timepicker", selected_time: `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}` } } } },
      },
    };
    expect((await interact(submission)).status).toBe(200);
    // Promised within the 15-minute reminder window: the reminder fires at once.
    const reminder = await waitFor(async () => posted("callback.reminder", caseId), 30_000);
    expect(reminder.blocks!.find((b) => b.type === "actions")!.elements!.map((e) => e.text.text)).toContain("Called the customer");
    const view2 = await readCase(store, caseId);
    expect(view2.timers.done.some((t: { kind: string; state: string }) => t.kind === "callback.reminder" && t.state === "fired")).toBe(true);
  });

  it("Called the customer stops a late parcel's contact-due reminder", async () => {
    const tracking = `1ZE2ESLACK${Date.now()}`;
    expect((await aftership(store, { trackingNumber: tracking, tag: "InTransit", subtag: "InTransit_001", message: "In transit" }, new Date(Date.now() - 3_600_000))).status).toBe(202);
    const exception = await aftership(store, { trackingNumber: tracking, tag: "Exception", subtag: "Exception_004", message: "Held in customs" });
    expect(exception.status).toBe(202);
    const caseId = `shipment:ups:${tracking}`;
    const contact = await waitFor(async () => posted("shipment.proactive_contact", caseId), 30_000);
    const due = await waitForCase(store, caseId, (v) => v.timers.pending.find((t: { kind: string }) => t.kind === "shipment.contact_due") as { key: string } | undefined);
    expect((await interact(click(contact, "promptly.called"))).status).toBe(200);
    const stopped = await waitForCase(store, caseId, (v) => v.timers.done.find((t: { key: string; state: string }) => t.key === due.key && t.state === "cancelled") as { cancelledBecause: string } | undefined);
    expect(stopped.cancelledBecause).toMatch(/^customer contacted at /);
  });
});
