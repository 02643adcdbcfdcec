import { describe, expect, it } from "vitest";
import { ZammadPayload, zammadAdapter } from "../../src/webhooks/zammad";
import { alterSignature, byKind, cfg, edited, eventsOf, fixture, fixturePaths, flipByte, fuzzAdapter, issuePaths, kinds, pipeline, sha256, verifyInput } from "./helpdesk-helpers";

const FIXTURE = "zammad/ticket-trigger-default-payload.json";
const FIXTURE_SIG = "sha1=696c9395c472ecbd8651e486661569256dceac5e";
const DELIVERY = { "X-Zammad-Delivery": "b2f6a9c0-job-0001", "X-Zammad-Trigger": "promptly" };

const verify = (body: Uint8Array | string, signature: string | undefined, secrets = ["fixture-test-secret"]) =>
  zammadAdapter.verify(verifyInput({ body, headers: signature === undefined ? {} : { "X-Hub-Signature": signature }, config: cfg(secrets) }));

type Doc = ReturnType<typeof fixture>["json"];
const ticketOf = (d: Doc) => d.ticket as Record<string, unknown>;
const articleOf = (d: Doc) => d.article as Record<string, unknown>;

/** A later trigger on the same ticket: a new article (or none), the ticket's current state. */
function update(edit: (ticket: Record<string, unknown>, article: Record<string, unknown>, doc: Doc) => void): Doc {
  return edited(fixture(FIXTURE).json, (d) => {
    const t = ticketOf(d);
    t.article_count = 3;
    t.updated_at = "2020-11-13T15:00:00.000Z";
    const a = articleOf(d);
    a.id = 105;
    a.created_at = "2020-11-13T15:00:00.000Z";
    edit(t, a, d);
  });
}

describe("zammad verify", () => {
  it("verifies the fixture vector (B3) and the inline vector (B2): sha1= hex HMAC-SHA1 of the raw body", async () => {
    const { bytes } = fixture(FIXTURE);
    expect(await sha256(bytes)).toBe("7b5621403702f4c3015387172e62f09839d245fb5216dbacfba79d8622faba20");
    expect(await verify(bytes, FIXTURE_SIG)).toEqual({ ok: true });
    expect(await verify('{"ticket":{"id":1,"number":"31001","state":"open"}}', "sha1=55601fbfe03f85044dea362d472f2a4114053b09", ["zammad-hmac-token"])).toEqual({ ok: true });
  });

  it("rejects a changed byte, a changed signature, a wrong token, a missing prefix; an unsigned webhook says to set the token", async () => {
    const { bytes } = fixture(FIXTURE);
    expect(await verify(flipByte(bytes), FIXTURE_SIG)).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(bytes, alterSignature(FIXTURE_SIG))).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(bytes, FIXTURE_SIG, ["other-token"])).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(bytes, FIXTURE_SIG.slice(5))).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(bytes, undefined)).toMatchObject({ ok: false, code: "bad_signature", message: expect.stringMatching(/signature token/i) });
  });
});

describe("zammad normalize", () => {
  it("covers every vendored Zammad fixture", () => {
    expect(fixturePaths("zammad")).toEqual([FIXTURE]);
  });

  it("turns the default payload of a new ticket into case opened plus the customer's phone message", async () => {
    const result = await pipeline(zammadAdapter, fixture(FIXTURE).text, DELIVERY, { baseUrl: "https://zammad.example.com/" });
    expect(kinds(result)).toEqual(["case.opened", "case.customer_message"]);
    expect(byKind(result, "case.opened")).toMatchObject({
      providerEventId: expect.stringMatching(/^zammad-body:[0-9a-f]{40}:opened$/),
      caseKey: { type: "ticket", provider: "zammad", ticketId: "81" },
      occurredAt: "2020-11-13T14:34:35.333Z",
      status: "open",
      rawStatus: "open",
      priority: "normal",
      group: "Service Desk",
      assignee: "emma@chrispresso.com",
      channel: "phone",
      subject: "Webhook-Test",
      customer: { email: "emily@example.com", phone: "0061 2 1234 7777" },
      url: "https://zammad.example.com/#ticket/zoom/81",
    });
    expect(byKind(result, "case.customer_message")).toMatchObject({ occurredAt: "2020-11-13T14:34:35.318Z", body: expect.stringContaining("This is a simple Webhook Test.") });
  });

  it("a payload without article_count still tells the ticket's first article from a later one", async () => {
    const first = edited(fixture(FIXTURE).json, (d) => delete ticketOf(d).article_count);
    expect(kinds(await pipeline(zammadAdapter, first, DELIVERY))).toContain("case.opened");
    const later = update((t) => delete t.article_count);
    expect(kinds(await pipeline(zammadAdapter, later, DELIVERY))).not.toContain("case.opened");
  });

  it("a later article from an agent is a reply; internal or a note is a private note; the ticket snapshot gives state and priority", async () => {
    const reply = await pipeline(zammadAdapter, update((t, a) => ((a.sender = "Agent"), (a.type = "email"), (t.state = "pending close"), (t.priority = { name: "3 high" }))), DELIVERY);
    expect(kinds(reply)).toEqual(["case.agent_reply", "case.status_changed", "case.priority_changed"]);
    expect(byKind(reply, "case.status_changed")).toMatchObject({ status: "pending", rawStatus: "pending close" });
    expect(byKind(reply, "case.priority_changed").priority).toBe("high");
    expect(byKind(reply, "case.agent_reply")).toMatchObject({ channel: "email", providerEventId: expect.stringMatching(/^zammad-body:[0-9a-f]{40}:article:105$/) });
    expect(kinds(await pipeline(zammadAdapter, update((_t, a) => ((a.sender = "Agent"), (a.internal = true))), DELIVERY))[0]).toBe("case.agent_note");
    expect(kinds(await pipeline(zammadAdapter, update((_t, a) => ((a.sender = "Agent"), (a.type = "note"))), DELIVERY))[0]).toBe("case.agent_note");
    expect(kinds(await pipeline(zammadAdapter, update((_t, a) => (a.sender = "System")), DELIVERY))).toEqual(["case.status_changed", "case.priority_changed"]);
  });

  it("maps the default states and the store's own; an unmapped state with no article is ignored with the reason", async () => {
    const state = (s: string, options: Record<string, unknown> = {}) => pipeline(zammadAdapter, update((t, _a, d) => ((t.state = s), delete d.article, delete t.priority)), DELIVERY, options);
    expect(eventsOf(await state("pending reminder"))[0]).toMatchObject({ status: "on-hold" });
    expect(eventsOf(await state("closed"))[0]).toMatchObject({ status: "closed" });
    expect(eventsOf(await state("merged"))[0]).toMatchObject({ status: "closed" });
    expect(await state("waiting for parts")).toMatchObject({ type: "ignored", providerEventId: expect.stringMatching(/^zammad-body:/), reason: expect.stringContaining("statusMap") });
    expect(eventsOf(await state("waiting for parts", { statusMap: { "waiting for parts": "waiting-on-third-party" } }))[0]?.status).toBe("waiting-on-third-party");
  });

  it("dedupes on the signed bytes (Zammad's retries resend them), whatever the unsigned X-Zammad-Delivery says", async () => {
    const a = await pipeline(zammadAdapter, fixture(FIXTURE).text, DELIVERY);
    const b = await pipeline(zammadAdapter, fixture(FIXTURE).text, DELIVERY);
    expect(eventsOf(a).map((e) => e.providerEventId)).toEqual(eventsOf(b).map((e) => e.providerEventId));
    const replayed = await pipeline(zammadAdapter, fixture(FIXTURE).text, { ...DELIVERY, "X-Zammad-Delivery": "a-new-id-from-a-replayer" });
    const none = await pipeline(zammadAdapter, fixture(FIXTURE).text, {});
    expect(eventsOf(a)[0]?.providerEventId).toMatch(/^zammad-body:[0-9a-f]{40}:/);
    expect(eventsOf(replayed).map((e) => e.providerEventId)).toEqual(eventsOf(a).map((e) => e.providerEventId));
    expect(eventsOf(none).map((e) => e.providerEventId)).toEqual(eventsOf(a).map((e) => e.providerEventId));
  });

  it("reports the ticket's full tag list when the payload has one, and promises a callback from the tag or a ticket field", async () => {
    const tagged = await pipeline(zammadAdapter, update((t) => (t.tags = ["Callback", "vip"])), DELIVERY, { callbackTag: "callback" });
    expect(byKind(tagged, "case.tags_changed").tags).toEqual(["Callback", "vip"]);
    expect(byKind(tagged, "case.callback_promised").callback).toMatchObject({ at: "2020-11-13T17:00:00.000Z", tag: "Callback", phone: "0061 2 1234 7777" });
    const untagged = await pipeline(zammadAdapter, update((t) => (t.tags = [])), DELIVERY, { callbackTag: "callback" });
    expect(byKind(untagged, "case.tags_changed").tags).toEqual([]);
    expect(kinds(untagged)).not.toContain("case.callback_promised");
    const field = await pipeline(zammadAdapter, update((t) => (t.callback_at = "2020-11-14T09:30:00.000Z")), DELIVERY, { callbackField: "callback_at" });
    expect(byKind(field, "case.callback_promised").callback?.at).toBe("2020-11-14T09:30:00.000Z");
  });

  it("names a payload's missing ticket id", () => {
    expect(issuePaths(ZammadPayload, { article: {} })).toEqual(["ticket"]);
    expect(issuePaths(ZammadPayload, { ticket: { title: "x" } })).toEqual(["ticket.id"]);
  });
});

describe("zammad fuzz", () => {
  it("never throws on random bodies and headers", async () => {
    await fuzzAdapter(zammadAdapter, ["X-Hub-Signature", "X-Zammad-Delivery"], [fixture(FIXTURE).text], DELIVERY);
  });
});

describe("zammad callback field emptied", () => {
  it("the ticket's callback attribute set to null withdraws the promise", async () => {
    const cleared = await pipeline(zammadAdapter, update((t) => (t.callback_at = null)), DELIVERY, { callbackField: "callback_at" });
    expect(byKind(cleared, "case.callback_done").callback).toMatchObject({ field: "callback_at" });
    expect(kinds(await pipeline(zammadAdapter, update(() => {}), DELIVERY, { callbackField: "callback_at" }))).not.toContain("case.callback_done");
  });
});
