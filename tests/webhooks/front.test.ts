import { describe, expect, it } from "vitest";
import { concatBytes, hmac, toBase64, utf8 } from "../../src/lib/crypto";
import { FrontPayload, frontAdapter } from "../../src/webhooks/front";
import { alterSignature, byKind, cfg, edited, eventsOf, fixture, fixturePaths, flipByte, fuzzAdapter, issuePaths, kinds, pipeline, sha256, verifyInput } from "./helpdesk-helpers";

const ASSIGN = "front/event-assign-api-docs.json";
const SYNC = "front/app-webhook-validation-sync.json";
const ASSIGN_SIG = "usYlJhHR26eW/Cu57kBQDORoCd8=";
const APP_TS = "1700000000000";
const APP_BODY = '{"type":"sync","authorization":{"id":"cmp_abc"}}';
const APP_SIG = "KKNkyqZNkbIOHtWWDv191IxirEZA7NhobruMZgf5mP8=";

const verify = (body: Uint8Array | string, headers: Record<string, string>, secrets: string[], now = Number(APP_TS)) =>
  frontAdapter.verify(verifyInput({ body, headers, config: cfg(secrets), now }));

/** The docs' Event object as another event type, with a fresh id and a target of the given type. */
function event(type: string, target?: { type: string; data: Record<string, unknown> }, id = `evt_${type}`) {
  return edited(fixture(ASSIGN).json, (d) => {
    d.type = type;
    d.id = id;
    if (target) d.target = { _meta: { type: target.type }, data: target.data };
  });
}

describe("front verify: two schemes, told apart by X-Front-Request-Timestamp", () => {
  it("rule webhooks: base64 HMAC-SHA1 of the raw body with the company API secret (B3 fixture vector, B2 inline vector)", async () => {
    const { bytes } = fixture(ASSIGN);
    expect(await sha256(bytes)).toBe("873a0987755dfd54df8f72023512e05d27d7915f3b062e88892152491c4c79f0");
    expect(await verify(bytes, { "X-Front-Signature": ASSIGN_SIG }, ["fixture-test-secret"])).toEqual({ ok: true });
    expect(await verify('{"id":"evt_1","type":"assign","emitted_at":1700000000.0}', { "X-Front-Signature": "54BJEO70unel7fXisYFmDtmrvLs=" }, ["front-company-api-secret"])).toEqual({ ok: true });
  });

  it("application webhooks: base64 HMAC-SHA256 of ms-timestamp + ':' + body, replay-windowed (B2 vector)", async () => {
    const h = { "X-Front-Signature": APP_SIG, "X-Front-Request-Timestamp": APP_TS };
    expect(await verify(APP_BODY, h, ["front-app-secret"])).toEqual({ ok: true, signedAtMs: Number(APP_TS) });
    expect(await verify(APP_BODY, h, ["front-app-secret"], Number(APP_TS) + 301_000)).toMatchObject({ ok: false, code: "stale" });
    // A seconds timestamp signed the same way is 1000× too small: outside any window, so refused.
    const secs = "1700000000";
    const sig = toBase64(await hmac("SHA-256", "front-app-secret", concatBytes(utf8(`${secs}:`), utf8(APP_BODY))));
    expect(await verify(APP_BODY, { "X-Front-Signature": sig, "X-Front-Request-Timestamp": secs }, ["front-app-secret"])).toMatchObject({ ok: false, code: "stale" });
  });

  it("the schemes do not mix: a rule signature with a timestamp header, or an app signature without one, fails", async () => {
    const { bytes } = fixture(ASSIGN);
    expect(await verify(bytes, { "X-Front-Signature": ASSIGN_SIG, "X-Front-Request-Timestamp": APP_TS }, ["fixture-test-secret"])).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(APP_BODY, { "X-Front-Signature": APP_SIG }, ["front-app-secret"])).toMatchObject({ ok: false, code: "bad_signature" });
  });

  it("rejects a changed byte, a changed signature, a wrong secret, a missing header", async () => {
    const { bytes } = fixture(ASSIGN);
    expect(await verify(flipByte(bytes), { "X-Front-Signature": ASSIGN_SIG }, ["fixture-test-secret"])).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(bytes, { "X-Front-Signature": alterSignature(ASSIGN_SIG) }, ["fixture-test-secret"])).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(bytes, { "X-Front-Signature": ASSIGN_SIG }, ["another-company"])).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(bytes, {}, ["fixture-test-secret"])).toMatchObject({ ok: false, code: "bad_signature" });
  });
});

describe("front normalize", () => {
  it("covers every vendored Front fixture", () => {
    expect(fixturePaths("front")).toEqual([SYNC, ASSIGN]);
  });

  it("answers the sync validation request by echoing X-Front-Challenge", async () => {
    const r = await pipeline(frontAdapter, fixture(SYNC).text, { "X-Front-Challenge": "chl_123" });
    expect(r.type).toBe("ping");
    if (r.type === "ping") {
      expect(r.response.status).toBe(200);
      expect(await r.response.json()).toEqual({ challenge: "chl_123" });
    }
  });

  it("turns the docs' assign event into an assignment to the target teammate, deduped on evt id", async () => {
    expect(eventsOf(await pipeline(frontAdapter, fixture(ASSIGN).text))).toEqual([
      expect.objectContaining({
        kind: "case.assignment_changed",
        providerEventId: "evt_55c8c149",
        caseKey: { type: "ticket", provider: "front", ticketId: "cnv_55c8c149" },
        occurredAt: "2016-01-26T01:16:24.123Z",
        assignee: "leela@planet-express.com",
        subject: "You broke my heart, Hubert.",
        channel: "email",
        customer: { email: "calculon@momsbot.com" },
        url: "https://app.frontapp.com/open/cnv_55c8c149",
      }),
    ]);
  });

  it("reads the application-webhook envelope {type, authorization, payload: Event} the same way", async () => {
    const envelope = { type: "assignee_changed", authorization: { id: "cmp_abc" }, payload: fixture(ASSIGN).json };
    expect(eventsOf(await pipeline(frontAdapter, envelope))[0]).toMatchObject({ kind: "case.assignment_changed", providerEventId: "evt_55c8c149" });
  });

  it("maps messages, comments, unassign and archive/reopen/trash", async () => {
    const message = { type: "email", is_inbound: true, created_at: 1453770990, text: "Where is order 1042?", recipients: [{ handle: "ana@example.com", role: "from" }] };
    const inbound = eventsOf(await pipeline(frontAdapter, event("inbound", { type: "message", data: message })))[0];
    expect(inbound).toMatchObject({ kind: "case.customer_message", body: "Where is order 1042?", customer: { email: "ana@example.com" } });
    expect(kinds(await pipeline(frontAdapter, event("outbound", { type: "message", data: { ...message, is_inbound: false, text: "Shipped" } })))).toEqual(["case.agent_reply"]);
    expect(kinds(await pipeline(frontAdapter, event("out_reply", { type: "message", data: message })))).toEqual(["case.agent_reply"]);
    expect(eventsOf(await pipeline(frontAdapter, event("comment", { type: "comment", data: { body: "Carrier says lost" } })))[0]).toMatchObject({ kind: "case.agent_note", body: "Carrier says lost" });
    const unassigned = eventsOf(await pipeline(frontAdapter, event("unassign")))[0];
    expect(unassigned?.kind).toBe("case.assignment_changed");
    expect(unassigned?.assignee).toBeUndefined();
    expect(eventsOf(await pipeline(frontAdapter, event("archive")))[0]).toMatchObject({ kind: "case.status_changed", status: "solved", rawStatus: "archived" });
    expect(eventsOf(await pipeline(frontAdapter, event("reopen")))[0]).toMatchObject({ status: "open" });
    expect(eventsOf(await pipeline(frontAdapter, event("trash")))[0]).toMatchObject({ status: "closed" });
    expect(eventsOf(await pipeline(frontAdapter, event("archive"), {}, { statusMap: { archived: "closed" } }))[0]?.status).toBe("closed");
  });

  it("a tag event reports the conversation's full tag list; the callback tag promises a callback, each tag event its own", async () => {
    const tag = (id: string) => event("tag", { type: "tag", data: { id: "tag_1", name: "Callback" } }, id);
    const tagged = await pipeline(frontAdapter, tag("evt_t1"), {}, { callbackTag: "callback" });
    expect(kinds(tagged)).toEqual(["case.tags_changed", "case.callback_promised"]);
    expect(byKind(tagged, "case.tags_changed").tags).toEqual(["Robots"]);
    expect(byKind(tagged, "case.callback_promised").callback).toMatchObject({ at: "2016-01-26T03:16:24.123Z", tag: "Callback" });
    const again = await pipeline(frontAdapter, tag("evt_t2"), {}, { callbackTag: "callback" });
    expect(byKind(again, "case.callback_promised").providerEventId).not.toBe(byKind(tagged, "case.callback_promised").providerEventId);
    expect(kinds(await pipeline(frontAdapter, event("untag", { type: "tag", data: { name: "Callback" } }), {}, { callbackTag: "callback" }))).toEqual(["case.tags_changed"]);
  });

  it("a callback time in a conversation custom field is an explicit promise, the same one on every event", async () => {
    const withField = (type: string) => edited(event(type), (d) => ((d.conversation as Record<string, unknown>).custom_fields = { "Callback at": "2016-01-27T09:00:00Z" }));
    const a = byKind(await pipeline(frontAdapter, withField("assign"), {}, { callbackField: "callback at" }), "case.callback_promised");
    const b = byKind(await pipeline(frontAdapter, withField("archive"), {}, { callbackField: "callback at" }), "case.callback_promised");
    expect(a.callback?.at).toBe("2016-01-27T09:00:00.000Z");
    expect(b.providerEventId).toBe(a.providerEventId);
  });

  it("ignores event types that do not move a case (mention, move) and names a rule event's missing fields", async () => {
    expect(await pipeline(frontAdapter, event("mention"))).toMatchObject({ type: "ignored", providerEventId: "evt_mention" });
    expect(issuePaths(FrontPayload, { type: "inbound" }).sort()).toEqual(["conversation", "emitted_at", "id"]);
    expect(issuePaths(FrontPayload, { type: "inbound_received", payload: { id: "evt_1", type: "inbound", emitted_at: 1 } })).toEqual(["payload.conversation"]);
  });
});

describe("front fuzz", () => {
  it("never throws on random bodies and headers", async () => {
    await fuzzAdapter(frontAdapter, ["X-Front-Signature", "X-Front-Request-Timestamp", "X-Front-Challenge"], [fixture(ASSIGN).text, fixture(SYNC).text]);
  });
});

describe("front callback field emptied", () => {
  it("a conversation whose callback field is empty withdraws the promise", async () => {
    const cleared = edited(event("assign"), (d) => ((d.conversation as Record<string, unknown>).custom_fields = { "Callback at": "" }));
    expect(byKind(await pipeline(frontAdapter, cleared, {}, { callbackField: "callback at" }), "case.callback_done").callback).toMatchObject({ field: "callback at" });
    expect(kinds(await pipeline(frontAdapter, event("assign"), {}, { callbackField: "callback at" }))).not.toContain("case.callback_done");
  });
});
