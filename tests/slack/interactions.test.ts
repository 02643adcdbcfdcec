/**
 * The Slack app end to end inside workerd: a breach goes out through `chat.postMessage` to a local
 * Slack stand-in (a real HTTP server recording requests) with buttons; a signed click on "I'm on
 * it" stops the pending escalation and updates the message; a double click is one action; the
 * callback modal creates a callback; unsigned, tampered and stale requests are 401 with nothing
 * changed; a click for a case that is gone gets an ephemeral explanation.
 */
import { describe, expect, it } from "vitest";
import { caseIdOf } from "../../src/events/model";
import type { RulesDocumentInput } from "../../src/rules/schema";
import { verifySlackSignature } from "../../src/slack/signature";
import { Sink, type Received } from "../notify/support/receiver";
import { call } from "../support/api";
import { ingest, MIN, readCase, shipmentEvent, storeWithRules, ticketEvent, waitForCase, type TestStore, type ViewLike } from "../support/cases";

const SIGNING_SECRET = "slack-signing-secret-for-tests-0001";
const MESSAGE_TS = "1765000000.000100";

// Slack's published example ("Verifying requests from Slack").
const VECTOR = {
  secret: "8f742231b10e8888abcd99yyyzzz85a5",
  timestamp: "1531420618",
  body: "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
  signature: "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
};
const bytes = (s: string) => new TextEncoder().encode(s);

describe("Slack's request signature", () => {
  const at = (Number(VECTOR.timestamp) + 30) * 1000;
  it("accepts Slack's published example vector", async () => {
    expect(await verifySlackSignature([VECTOR.secret], { timestamp: VECTOR.timestamp, signature: VECTOR.signature }, bytes(VECTOR.body), at)).toEqual({ ok: true, index: 0 });
  });
  it("names which of several apps signed it", async () => {
    expect(await verifySlackSignature(["another-app-secret", VECTOR.secret], { timestamp: VECTOR.timestamp, signature: VECTOR.signature }, bytes(VECTOR.body), at)).toEqual({ ok: true, index: 1 });
  });
  it("refuses a tampered body, a wrong secret, a stale timestamp and a missing signature", async () => {
    const h = { timestamp: VECTOR.timestamp, signature: VECTOR.signature };
    expect((await verifySlackSignature([VECTOR.secret], h, bytes(VECTOR.body.replace("roadrunner", "coyote")), at)).ok).toBe(false);
    expect((await verifySlackSignature(["not-the-secret"], h, bytes(VECTOR.body), at)).ok).toBe(false);
    expect(await verifySlackSignature([VECTOR.secret], h, bytes(VECTOR.body), at + 10 * MIN)).toMatchObject({ ok: false, reason: expect.stringContaining("5 minutes") });
    expect((await verifySlackSignature([VECTOR.secret], { timestamp: VECTOR.timestamp, signature: null }, bytes(VECTOR.body), at)).ok).toBe(false);
  });
});

async function sign(secret: string, timestamp: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", bytes(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, bytes(`v0:${timestamp}:${body}`)));
  return `v0=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** Posts an interaction the way Slack does: form-encoded `payload`, signed. */
async function interact(storeId: string, payload: unknown, opts: { secret?: string; timestamp?: number; tamper?: boolean; unsigned?: boolean } = {}) {
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const ts = String(Math.floor((opts.timestamp ?? Date.now()) / 1000));
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (!opts.unsigned) {
    headers["x-slack-request-timestamp"] = ts;
    headers["x-slack-signature"] = await sign(opts.secret ?? SIGNING_SECRET, ts, body);
  }
  return call("POST", `/slack/${storeId}/interactions`, { rawBody: opts.tamper ? body.replace("U_AYSE", "U_EVIL") : body, headers });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const got = await probe();
    if (got !== undefined) return got;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never saw ${what}`);
}

interface PostedMessage {
  channel: string;
  text: string;
  blocks: { type: string; block_id?: string; elements?: { action_id: string; value?: string; url?: string; text: { text: string } }[] }[];
}
const posts = async (slack: Sink, method: string) => (await slack.requests()).filter((r: Received) => r.path === `/api/${method}`);

async function slackStore(slack: Sink, rules: Partial<RulesDocumentInput> = {}): Promise<TestStore> {
  await slack.setFallback({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ ok: true, channel: "C0TEAM", ts: MESSAGE_TS }) });
  return storeWithRules({
    channels: { team: { type: "slack_app", botToken: "xoxb-test-token", signingSecret: SIGNING_SECRET, channel: "C0TEAM", baseUrl: `${slack.url}/api` } },
    policies: [
      {
        name: "All",
        targets: { firstReply: { byPriority: { normal: "1h" } } },
        notify: ["team"],
        escalations: [{ level: 1, after: "30m", message: "Lead: take it" }],
      },
    ],
    ...rules,
  });
}

const user = { id: "U_AYSE", username: "ayse", name: "Ayşe" };
function click(message: PostedMessage, actionId: string, extra: Record<string, unknown> = {}) {
  const button = message.blocks.find((b) => b.type === "actions")!.elements!.find((e) => e.action_id === actionId)!;
  return {
    type: "block_actions",
    user,
    trigger_id: "trigger-1",
    container: { type: "message", message_ts: MESSAGE_TS, channel_id: "C0TEAM" },
    message: { ts: MESSAGE_TS, blocks: message.blocks },
    actions: [{ action_id: actionId, block_id: "promptly.actions", value: button.value, action_ts: "1765000001.1" }],
    ...extra,
  };
}

describe("a breach in Slack, acted on from Slack", () => {
  it("posts the breach with buttons; I'm on it stops level 1 and updates the message; a double click is one action", async () => {
    const slack = await Sink.create();
    const store = await slackStore(slack);
    // Opened 70 minutes ago: the 1h target breached 10 minutes ago; level 1 is due in 20 minutes.
    const opened = ticketEvent(store.storeId, "S-1", "case.opened", Date.now() - 70 * MIN, { status: "open", customer: { name: "Deniz" } });
    await ingest([opened]);
    const caseId = caseIdOf(opened.caseKey);

    const posted = await waitFor("the breach in Slack", async () => (await posts(slack, "chat.postMessage"))[0]);
    expect(posted.headers.authorization).toBe("Bearer xoxb-test-token");
    const message = JSON.parse(posted.body) as PostedMessage;
    expect(message.channel).toBe("C0TEAM");
    const buttons = message.blocks.find((b) => b.type === "actions")!.elements!;
    expect(buttons.map((b) => b.text.text)).toEqual(["I'm on it", "Promise a callback", "Open case"]);
    // The console's case page, on the Worker's public base URL (wrangler.toml's PUBLIC_BASE_URL).
    expect(buttons.at(-1)!.url).toBe(`http://127.0.0.1:8787/cases/${encodeURIComponent(caseId)}?store=${store.storeId}`);

    const before = await waitForCase<ViewLike>(store, caseId, (v) => v.timers.pending.some((t) => t.kind === "first_reply.escalation"));
    const level1 = before.timers.pending.find((t) => t.kind === "first_reply.escalation")!;

    const res = await interact(store.storeId, click(message, "promptly.acknowledge"));
    expect(res.status).toBe(200);
    const after = await waitForCase<ViewLike & { owner: { by: string; via: string } | null }>(store, caseId, (v) => v.owner !== null && v.timers.done.some((t) => t.key === level1.key));
    expect(after.owner).toMatchObject({ by: "Ayşe", via: "slack" });
    expect(after.timers.done.find((t) => t.key === level1.key)!.cancelledBecause).toMatch(/^acknowledged by Ayşe \(slack\)/);
    expect(after.clocks.find((c) => c.metric === "first_reply")!.status).toBe("breached");

    const update = await waitFor("chat.update", async () => (await posts(slack, "chat.update"))[0]);
    const updated = JSON.parse(update.body) as PostedMessage;
    expect(updated).toMatchObject({ channel: "C0TEAM", ts: MESSAGE_TS });
    expect(JSON.stringify(updated.blocks)).toContain("*Ayşe*: is on it: escalation stopped");

    // The same click again (Slack retried, or a double click): nothing new.
    expect((await interact(store.storeId, click(message, "promptly.acknowledge"))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    const again = (await readCase(store, caseId)) as ViewLike;
    expect(again.timeline.events.filter((e) => e.kind === "case.acknowledged")).toHaveLength(1);
    expect(await posts(slack, "chat.update")).toHaveLength(1);
    const audit = await call("GET", `/v1/stores/${store.storeId}/audit`, { token: store.adminToken });
    expect(audit.body.entries.filter((e: { action: string }) => e.action === "case.acknowledge")).toHaveLength(1);
    expect(audit.body.entries[0]).toMatchObject({ actor: "slack:U_AYSE", subject: caseId });
  });

  it("refuses unsigned, tampered and stale clicks with 401 and changes nothing", async () => {
    const slack = await Sink.create();
    const store = await slackStore(slack);
    const opened = ticketEvent(store.storeId, "S-2", "case.opened", Date.now() - 70 * MIN, { status: "open" });
    await ingest([opened]);
    const caseId = caseIdOf(opened.caseKey);
    const posted = await waitFor("the breach in Slack", async () => (await posts(slack, "chat.postMessage"))[0]);
    const message = JSON.parse(posted.body) as PostedMessage;
    const payload = click(message, "promptly.acknowledge");
    expect((await interact(store.storeId, payload, { unsigned: true })).status).toBe(401);
    expect((await interact(store.storeId, payload, { tamper: true })).status).toBe(401);
    expect((await interact(store.storeId, payload, { timestamp: Date.now() - 6 * MIN })).status).toBe(401);
    expect((await interact(store.storeId, payload, { secret: "someone-else" })).status).toBe(401);
    const refused = await interact(store.storeId, payload, { unsigned: true });
    expect(refused.body.error.code).toBe("bad_signature");
    await new Promise((r) => setTimeout(r, 300));
    const view = (await readCase(store, caseId)) as ViewLike & { owner: unknown };
    expect(view.owner).toBeNull();
    expect(view.timeline.events.some((e) => e.kind === "case.acknowledged")).toBe(false);
    expect(await posts(slack, "chat.update")).toEqual([]);
  });

  it("a click for a case that is gone gets an ephemeral explanation, not an error", async () => {
    const slack = await Sink.create();
    const store = await slackStore(slack);
    const payload = {
      type: "block_actions",
      user,
      response_url: `${slack.url}/api/response/1`,
      container: { message_ts: MESSAGE_TS, channel_id: "C0TEAM" },
      actions: [{ action_id: "promptly.acknowledge", value: JSON.stringify({ c: "ticket:custom:no-such-case", k: "sla:x" }) }],
    };
    expect((await interact(store.storeId, payload)).status).toBe(200);
    const said = await waitFor("the ephemeral answer", async () => (await slack.requests()).find((r) => r.path === "/api/response/1"));
    expect(JSON.parse(said.body)).toMatchObject({ response_type: "ephemeral", text: expect.stringContaining("no longer exists") });
  });

  it("Promise a callback opens a modal in the store's zone, and its submission creates the callback", async () => {
    const slack = await Sink.create();
    const store = await slackStore(slack, {
      calendars: { office: { timeZone: "Europe/Istanbul", week: { mon: [["00:00", "24:00"]], tue: [["00:00", "24:00"]], wed: [["00:00", "24:00"]], thu: [["00:00", "24:00"]], fri: [["00:00", "24:00"]], sat: [["00:00", "24:00"]], sun: [["00:00", "24:00"]] } } },
      quietHours: { calendar: "office" },
    });
    const opened = ticketEvent(store.storeId, "S-3", "case.opened", Date.now() - 70 * MIN, { status: "open" });
    await ingest([opened]);
    const caseId = caseIdOf(opened.caseKey);
    const posted = await waitFor("the breach in Slack", async () => (await posts(slack, "chat.postMessage"))[0]);
    const message = JSON.parse(posted.body) as PostedMessage;
    expect((await interact(store.storeId, click(message, "promptly.promise_callback"))).status).toBe(200);
    const opening = await waitFor("views.open", async () => (await posts(slack, "views.open"))[0]);
    const { trigger_id, view } = JSON.parse(opening.body) as { trigger_id: string; view: { callback_id: string; private_metadata: string } };
    expect(trigger_id).toBe("trigger-1");
    const meta = JSON.parse(view.private_metadata) as { zone: string };
    expect(meta.zone).toBe("Europe/Istanbul");

    // Two hours from now, as an Istanbul agent picks it (UTC+3, no DST).
    const at = new Date(Date.now() + 2 * 60 * MIN + 3 * 60 * MIN);
    const pad = (n: number) => String(n).padStart(2, "0");
    const date = `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}`;
    const time = `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}`;
    const submission = {
      type: "view_submission",
      user,
      view: {
        id: "V1",
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        state: { values: { "promptly.cb.date": { date: { type: "datepicker", selected_date: date } }, "promptly.cb.time": { time: { type: "timepicker", selected_time: time } }, "promptly.cb.note": { note: { type: "plain_text_input", value: "prefers mornings" } } } },
      },
    };
    const past = structuredClone(submission);
    past.view.state.values["promptly.cb.date"].date.selected_date = "2020-01-01";
    const refused = await interact(store.storeId, past);
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ response_action: "errors", errors: { "promptly.cb.time": expect.stringContaining("past") } });

    expect((await interact(store.storeId, submission)).status).toBe(200);
    const view2 = await waitForCase<ViewLike>(store, caseId, (v) => v.timers.pending.some((t) => t.kind === "callback.due"));
    const due = view2.timers.pending.find((t) => t.kind === "callback.due")!;
    // Promised for the picked minute (Istanbul time) plus the playbook's grace.
    const promisedFor = Date.parse(`${date}T${time}:00+03:00`);
    expect(Date.parse(due.dueAt)).toBeGreaterThan(promisedFor);
    expect(due.key).toContain(`@${promisedFor}`);
    const thread = await waitFor("the thread reply", async () => (await posts(slack, "chat.postMessage")).find((r) => r.body.includes("thread_ts")));
    expect(JSON.parse(thread.body)).toMatchObject({ thread_ts: MESSAGE_TS, text: expect.stringContaining("Ayşe promised a callback") });
  });

  it("Snooze 15 min re-fires the warning before the target is due, never after", { timeout: 90_000 }, async () => {
    const slack = await Sink.create();
    // A 2-minute target with its warning 100 s before: opened 25 s ago, the warning fired 5 s ago,
    // the target is due in 95 s. Snoozing cannot push the warning past a minute before that.
    const store = await slackStore(slack, { policies: [{ name: "All", targets: { firstReply: { byPriority: { normal: "2m" }, warnings: ["1m40s"] } }, notify: ["team"] }] });
    const openedAt = Date.now() - 25_000;
    const opened = ticketEvent(store.storeId, "S-4", "case.opened", openedAt, { status: "open" });
    await ingest([opened]);
    const caseId = caseIdOf(opened.caseKey);
    const dueAt = openedAt + 2 * MIN;
    const posted = await waitFor("the warning in Slack", async () => (await posts(slack, "chat.postMessage"))[0]);
    const message = JSON.parse(posted.body) as PostedMessage;
    expect(message.blocks.find((b) => b.type === "actions")!.elements!.map((e) => e.text.text)).toEqual(["Snooze 15 min", "Open case"]);
    expect((await interact(store.storeId, click(message, "promptly.snooze"))).status).toBe(200);
    const snoozed = await waitForCase<ViewLike>(store, caseId, (v) => v.timers.pending.some((t) => t.key.includes(":snoozed@")));
    const again = snoozed.timers.pending.find((t) => t.key.includes(":snoozed@"))!;
    expect(Date.parse(again.dueAt)).toBe(dueAt - MIN);
    // It fires: a second warning message, before the breach.
    const second = await waitFor("the snoozed warning", async () => (await posts(slack, "chat.postMessage"))[1], 60_000);
    expect(second.at).toBeLessThan(dueAt);
    expect(JSON.parse(second.body).text).toContain("First reply");
    const update = await waitFor("chat.update", async () => (await posts(slack, "chat.update"))[0]);
    expect(update.body).toContain("snoozed the warning until");
  });

  it("Called the customer stops a late parcel's contact-due reminder", async () => {
    const slack = await Sink.create();
    const store = await slackStore(slack, { policies: [], playbook: { shipmentDelay: { channels: ["team"], proactiveContactWithin: "4h" } } });
    const tracking = `1ZSLACK${Date.now()}`;
    const exception = shipmentEvent(store.storeId, tracking, "shipment.exception", Date.now() - 10 * MIN, { shipment: { carrier: "ups", trackingNumber: tracking, reason: "Held in customs" } });
    await ingest([shipmentEvent(store.storeId, tracking, "shipment.in_transit", Date.now() - 24 * 60 * MIN), exception]);
    const caseId = caseIdOf(exception.caseKey);
    const posted = await waitFor("the late parcel in Slack", async () => (await posts(slack, "chat.postMessage"))[0]);
    const message = JSON.parse(posted.body) as PostedMessage;
    expect(message.blocks.find((b) => b.type === "actions")!.elements!.map((e) => e.text.text)).toEqual(["Called the customer", "Promise a callback", "Open case"]);
    const before = await waitForCase<ViewLike>(store, caseId, (v) => v.timers.pending.some((t) => t.kind === "shipment.contact_due"));
    const contactDue = before.timers.pending.find((t) => t.kind === "shipment.contact_due")!;
    expect((await interact(store.storeId, click(message, "promptly.called"))).status).toBe(200);
    const after = await waitForCase<ViewLike>(store, caseId, (v) => v.timers.done.some((t) => t.key === contactDue.key));
    expect(after.timers.done.find((t) => t.key === contactDue.key)!.cancelledBecause).toMatch(/^customer contacted at /);
    const update = await waitFor("chat.update", async () => (await posts(slack, "chat.update"))[0]);
    expect(update.body).toContain("*Ayşe*: called the customer");
  });

  it("an acknowledgement from the API rewrites the breach's Slack message too (found through the delivery log)", async () => {
    const slack = await Sink.create();
    const store = await slackStore(slack);
    const opened = ticketEvent(store.storeId, "S-6", "case.opened", Date.now() - 70 * MIN, { status: "open" });
    await ingest([opened]);
    const caseId = caseIdOf(opened.caseKey);
    await waitFor("the breach in Slack", async () => (await posts(slack, "chat.postMessage"))[0]);
    // Delivered: the delivery log has the message's channel and ts.
    await waitForCase<{ timeline: { reminders: { deliveries: { state: string }[] }[] } }>(store, caseId, (v) => v.timeline.reminders.some((r) => r.deliveries.some((d) => d.state === "delivered")));
    const res = await call("POST", `/v1/stores/${store.storeId}/cases/${encodeURIComponent(caseId)}/acknowledge`, { token: store.adminToken, body: { by: "Deniz" } });
    expect(res.status).toBe(200);
    const update = await waitFor("chat.update", async () => (await posts(slack, "chat.update"))[0]);
    const body = JSON.parse(update.body) as PostedMessage & { ts: string };
    expect(body).toMatchObject({ channel: "C0TEAM", ts: MESSAGE_TS, text: "Deniz: is on it: escalation stopped" });
    expect(body.blocks.at(-1)!.type).toBe("actions");
    expect(JSON.stringify(body.blocks)).toContain("First reply");
  });
});
