/**
 * Each channel type end to end: a reminder dispatched for real, posted by the queue consumer to
 * a local receiver standing in for Slack, a webhook endpoint, Zendesk, Freshdesk, Help Scout and
 * Gorgias (each channel's base URL points at it). The tests read what the receiver got: the
 * method, path, auth and body a helpdesk would act on.
 */
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { dispatchReminder } from "../../src/notify/dispatch";
import { WebhookBody } from "../../src/notify/webhook-body";
import { Sink, type Received } from "./support/receiver";
import { assertSlackPayload, blockText } from "./support/slack-blocks";
import { deliveryOf, eventually, reminder, storeWithRules, type TestStore } from "./support/store";

function decodeBasic(header: string | undefined): string {
  expect(header).toMatch(/^Basic /);
  const bin = atob(header!.slice(6));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

async function settled(store: TestStore, id: string, state: "delivered" | "dead" = "delivered") {
  return eventually(async () => {
    const d = await deliveryOf(store, id);
    return d?.state === state ? d : undefined;
  }, `${id} ${state}`);
}

async function onlyRequest(sink: Sink, path?: string): Promise<Received> {
  const got = (await sink.requests()).filter((r) => !path || r.path.includes(path));
  expect(got).toHaveLength(1);
  return got[0]!;
}

describe("Slack incoming webhook", () => {
  it("posts Block Kit a person can act on: title, next action, due, customer, link, key", async () => {
    const sink = await Sink.create();
    const store = await storeWithRules({ channels: { ops: { type: "slack", webhookUrl: `${sink.url}/services/T0/B0/x` } } });
    const r = reminder(store.storeId, {
      channels: ["ops"],
      customer: { name: "Ayşe <Yılmaz> & Co", email: "ayse@example.com" },
      title: "First reply overdue by 4m — urgent chat",
    });
    await dispatchReminder(env, r);
    await settled(store, `${r.id}#ops`);

    const req = await onlyRequest(sink);
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/services/T0/B0/x");
    expect(req.headers["idempotency-key"]).toBe(r.id);
    const payload: unknown = JSON.parse(req.body);
    assertSlackPayload(payload);
    const [first, second] = payload.blocks;
    expect(first).toMatchObject({ type: "header", text: { type: "plain_text", text: `🔴 ${r.title}` } });
    expect(second).toMatchObject({ type: "section", text: { type: "mrkdwn", text: `*Next action:* ${r.nextAction}` } });
    const seen = blockText(payload.blocks);
    // Slack mrkdwn: the customer's < > & are escaped, so they cannot forge links or mentions.
    expect(seen).toContain("Ayşe &lt;Yılmaz&gt; &amp; Co · ayse@example.com");
    expect(seen).toContain(`<${r.sourceUrl}|Zendesk ticket ${r.source!.ticketId}>`);
    expect(seen).toMatch(/<!date\^\d+\^\{date_short_pretty\} \{time\}\|\d{4}-\d\d-\d\d \d\d:\d\d UTC> \(1 min late\)/);
    expect(seen).toContain(r.id);
    expect(payload.text).toContain(r.title);
  });

  it("keeps a reminder with huge text inside Slack's limits instead of getting invalid_payload", async () => {
    const sink = await Sink.create();
    const store = await storeWithRules({ channels: { ops: { type: "slack", webhookUrl: `${sink.url}/hook` } } });
    const r = reminder(store.storeId, { channels: ["ops"], title: "T".repeat(400), nextAction: "N".repeat(5000), details: ["D".repeat(4000)] });
    await dispatchReminder(env, r);
    await settled(store, `${r.id}#ops`);
    const payload: unknown = JSON.parse((await onlyRequest(sink)).body);
    assertSlackPayload(payload);
  });

  it("a revoked webhook (404 no_service) is dead, not retried", async () => {
    const sink = await Sink.create();
    await sink.respondWith({ status: 404, body: "no_service" });
    const store = await storeWithRules({ channels: { ops: { type: "slack", webhookUrl: `${sink.url}/hook` } } });
    const r = reminder(store.storeId, { channels: ["ops"] });
    await dispatchReminder(env, r);
    const d = await settled(store, `${r.id}#ops`, "dead");
    expect(d).toMatchObject({ lastStatus: 404, attemptCount: 1 });
    expect(d.lastError).toContain("no_service");
  });
});

describe("signed webhook", () => {
  it("verifies with the standardwebhooks library, for a whsec_ secret and for a raw one", async () => {
    const sink = await Sink.create();
    const rawSecret = "my-shared-secret-not-base64!";
    const store = await storeWithRules({
      channels: {
        spec: { type: "webhook", url: `${sink.url}/spec`, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" },
        raw: { type: "webhook", url: `${sink.url}/raw`, secret: rawSecret },
      },
    });
    const r = reminder(store.storeId, { channels: ["spec", "raw"] });
    await dispatchReminder(env, r);
    await settled(store, `${r.id}#spec`);
    await settled(store, `${r.id}#raw`);

    const spec = await onlyRequest(sink, "/spec");
    const body = WebhookBody.parse(new Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").verify(spec.body, spec.headers));
    expect(body).toMatchObject({ type: "reminder.fired", id: r.id, channel: "spec", timestamp: r.firedAt, data: { id: r.id, title: r.title, urgency: "urgent" } });
    expect(body.data).not.toHaveProperty("channels");
    expect(spec.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(Math.abs(Number(spec.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(300);

    const raw = await onlyRequest(sink, "/raw");
    expect(() => new Webhook(rawSecret, { format: "raw" }).verify(raw.body, raw.headers)).not.toThrow();
    // A tampered body does not verify.
    expect(() => new Webhook(rawSecret, { format: "raw" }).verify(raw.body.replace(r.title, "something else"), raw.headers)).toThrow();
  });
});

describe("helpdesk internal notes", () => {
  it("Zendesk: a private comment via PUT /api/v2/tickets/{id}.json, as email/token", async () => {
    const sink = await Sink.create();
    const store = await storeWithRules({ channels: { zd: { type: "zendesk_note", baseUrl: sink.url, email: "lead@shop.example", apiToken: "zd-token-123" } } });
    const r = reminder(store.storeId, { channels: ["zd"] });
    await dispatchReminder(env, r);
    await settled(store, `${r.id}#zd`);

    const req = await onlyRequest(sink);
    expect(req.method).toBe("PUT");
    expect(req.path).toBe(`/api/v2/tickets/${r.ticket!.ticketId}.json`);
    expect(decodeBasic(req.headers.authorization)).toBe("lead@shop.example/token:zd-token-123");
    expect(req.headers["idempotency-key"]).toBe(r.id);
    const body = JSON.parse(req.body) as { ticket: { comment: { body: string; public: boolean } } };
    expect(body.ticket.comment.public).toBe(false);
    expect(body.ticket.comment.body).toContain(`[URGENT] ${r.title}`);
    expect(body.ticket.comment.body).toContain(`Next action: ${r.nextAction}`);
    expect(body.ticket.comment.body).toContain(`ref ${r.id}`);
  });

  it("Zendesk: an update collision (409) is retried and then lands", async () => {
    const sink = await Sink.create();
    await sink.respondWith({ status: 409, body: '{"error":"TicketUpdateConflict"}' });
    const store = await storeWithRules({ channels: { zd: { type: "zendesk_note", baseUrl: sink.url, email: "lead@shop.example", apiToken: "t" } } });
    const r = reminder(store.storeId, { channels: ["zd"] });
    await dispatchReminder(env, r);
    const d = await settled(store, `${r.id}#zd`);
    expect(d.attempts.map((a) => a.status)).toEqual([409, 200]);
  });

  it("Freshdesk: a private note with HTML body, API key as the user and X as the password", async () => {
    const sink = await Sink.create();
    await sink.setFallback({ status: 201, body: "{}" });
    const store = await storeWithRules({ channels: { fd: { type: "freshdesk_note", baseUrl: sink.url, apiKey: "fd-key" } } });
    const r = reminder(store.storeId, {
      channels: ["fd"],
      customer: { name: '<script>alert("x")</script>' },
      ticket: { caseId: "ticket:freshdesk:77", provider: "freshdesk", ticketId: "77" },
    });
    await dispatchReminder(env, r);
    await settled(store, `${r.id}#fd`);

    const req = await onlyRequest(sink);
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/api/v2/tickets/77/notes");
    expect(decodeBasic(req.headers.authorization)).toBe("fd-key:X");
    const body = JSON.parse(req.body) as { body: string; private: boolean };
    expect(body.private).toBe(true);
    expect(body.body).toContain(`<strong>Next action:</strong> ${r.nextAction}`);
    expect(body.body).toContain("&lt;script&gt;");
    expect(body.body).not.toContain("<script>");
    expect(body.body).toContain(`<a href="${r.sourceUrl}">`);
  });

  it("Help Scout: one client-credentials token serves several notes; a 401 fetches a new one", async () => {
    const sink = await Sink.create({ oauthTokens: true });
    await sink.setFallback({ status: 201, headers: { "resource-id": "567" } });
    const appId = `app-${crypto.randomUUID()}`;
    const store = await storeWithRules({ channels: { hs: { type: "helpscout_note", baseUrl: sink.url, appId, appSecret: "hs-secret" } } });
    const ticket = { caseId: "ticket:helpscout:123", provider: "helpscout", ticketId: "123" };
    const first = reminder(store.storeId, { channels: ["hs"], ticket });
    await dispatchReminder(env, first);
    await settled(store, `${first.id}#hs`);
    const second = reminder(store.storeId, { channels: ["hs"], ticket });
    await dispatchReminder(env, second);
    await settled(store, `${second.id}#hs`);

    let got = await sink.requests();
    const tokenRequests = got.filter((g) => g.path === "/v2/oauth2/token");
    expect(tokenRequests).toHaveLength(1);
    expect(Object.fromEntries(new URLSearchParams(tokenRequests[0]!.body))).toEqual({ grant_type: "client_credentials", client_id: appId, client_secret: "hs-secret" });
    const notes = got.filter((g) => g.path === "/v2/conversations/123/notes");
    expect(notes.map((n) => n.headers.authorization)).toEqual(["Bearer token-1", "Bearer token-1"]);
    expect((JSON.parse(notes[0]!.body) as { text: string }).text).toContain(first.nextAction);

    await sink.respondWith({ status: 401, body: "expired", match: "/notes" });
    const third = reminder(store.storeId, { channels: ["hs"], ticket });
    await dispatchReminder(env, third);
    const d = await settled(store, `${third.id}#hs`);
    expect(d.attempts.map((a) => a.status)).toEqual([401, 201]);
    got = await sink.requests();
    expect(got.filter((g) => g.path === "/v2/oauth2/token")).toHaveLength(2);
    expect(got.at(-1)!.headers.authorization).toBe("Bearer token-2");
  });

  it("Help Scout: rejected app credentials make the delivery dead with the token error", async () => {
    const sink = await Sink.create();
    await sink.respondWith({ status: 401, body: '{"error":"invalid_client"}', match: "/oauth2/token" });
    const store = await storeWithRules({ channels: { hs: { type: "helpscout_note", baseUrl: sink.url, appId: `bad-${crypto.randomUUID()}`, appSecret: "wrong" } } });
    const r = reminder(store.storeId, { channels: ["hs"], ticket: { caseId: "c", provider: "helpscout", ticketId: "9" } });
    await dispatchReminder(env, r);
    const d = await settled(store, `${r.id}#hs`, "dead");
    expect(d.lastError).toMatch(/Help Scout token request failed: HTTP 401.*invalid_client/);
    expect((await sink.requests()).filter((g) => g.path.includes("/notes"))).toHaveLength(0);
  });

  it("Gorgias: an internal-note message from the agent, with the key as external_id", async () => {
    const sink = await Sink.create();
    await sink.setFallback({ status: 201, body: "{}" });
    const store = await storeWithRules({ channels: { gg: { type: "gorgias_note", baseUrl: sink.url, username: "lead@shop.example", apiKey: "gg-key" } } });
    const r = reminder(store.storeId, { channels: ["gg"], ticket: { caseId: "ticket:gorgias:4242", provider: "gorgias", ticketId: "4242" } });
    await dispatchReminder(env, r);
    await settled(store, `${r.id}#gg`);

    const req = await onlyRequest(sink);
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/api/tickets/4242/messages");
    expect(decodeBasic(req.headers.authorization)).toBe("lead@shop.example:gg-key");
    const body = JSON.parse(req.body) as Record<string, unknown>;
    expect(body).toMatchObject({ channel: "internal-note", via: "api", from_agent: true, sender: { email: "lead@shop.example" }, external_id: r.id });
    expect(body.body_text).toContain(r.nextAction);
    expect(body.body_html).toContain("<strong>Next action:</strong>");
  });

  it("a note channel for another helpdesk than the reminder's ticket is skipped, explained, and nothing is posted", async () => {
    const sink = await Sink.create();
    const store = await storeWithRules({ channels: { zd: { type: "zendesk_note", baseUrl: sink.url, email: "a@b.c", apiToken: "t" } } });
    const r = reminder(store.storeId, { caseId: "ticket:freshdesk:5", channels: ["zd"], ticket: { caseId: "ticket:freshdesk:5", provider: "freshdesk", ticketId: "5" } });
    const recorded = await dispatchReminder(env, r);
    expect(recorded).toEqual({ deliveries: [{ deliveryId: `${r.id}#zd`, channel: "zd", state: "skipped" }], enqueued: 0 });
    const d = await deliveryOf(store, `${r.id}#zd`);
    expect(d).toMatchObject({ state: "skipped", skippedBecause: "Zendesk note channel: this case is not a Zendesk ticket (it is freshdesk ticket #5)", lastError: null, attemptCount: 0, attempts: [] });
    expect(await sink.requests()).toEqual([]);
  });
});
