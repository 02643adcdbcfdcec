import { describe, expect, it } from "vitest";
import { concatBytes, hmac, toHex, utf8 } from "../../src/lib/crypto";
import { ChatwootPayload, chatwootAdapter } from "../../src/webhooks/chatwoot";
import { alterSignature, byKind, cfg, edited, eventsOf, fixture, fixturePaths, flipByte, fuzzAdapter, issuePaths, kinds, pipeline, verifyInput } from "./helpdesk-helpers";

const FIXTURE = "chatwoot/message-created-docs-sample.json";
const T = "1700000000";
const FIXTURE_SIG = "sha256=726b413e412f1d5d9b4f11d60ca3158b5e100db3a4719c7fb4e10df7f6b0c3d3";
const DELIVERY = { "X-Chatwoot-Delivery": "5f0b7a1e-1111-4222-8333-444455556666" };

function verify(body: Uint8Array | string, headers: Record<string, string>, secrets = ["fixture-test-secret"], now = Number(T) * 1000) {
  return chatwootAdapter.verify(verifyInput({ body, headers, config: cfg(secrets), now }));
}

/** A conversation_* delivery shaped like Chatwoot's conversation webhook_data (`id` is the display id). */
function conversation(event: string, extra: Record<string, unknown> = {}) {
  return {
    event,
    id: 42,
    status: "open",
    channel: "Channel::WebWidget",
    labels: ["vip"],
    account: { id: 7 },
    meta: { sender: { id: 3, name: "Ana", email: "ana@example.com", phone_number: "+33612345678", type: "contact" }, assignee: { id: 9, name: "Bo", email: "bo@shop.example" }, team: { name: "Billing" } },
    messages: [{ content: "Where is my parcel?", message_type: 0 }],
    created_at: 1700000000,
    updated_at: 1700000600.25,
    ...extra,
  };
}

describe("chatwoot verify", () => {
  it("verifies the fixture vector (B3) over timestamp + '.' + raw body", async () => {
    expect(await verify(fixture(FIXTURE).bytes, { "X-Chatwoot-Signature": FIXTURE_SIG, "X-Chatwoot-Timestamp": T })).toEqual({ ok: true, signedAtMs: Number(T) * 1000 });
  });

  it("rejects a changed byte, a changed signature, a wrong secret, a bare hex signature, a changed timestamp", async () => {
    const body = fixture(FIXTURE).bytes;
    const h = { "X-Chatwoot-Signature": FIXTURE_SIG, "X-Chatwoot-Timestamp": T };
    expect(await verify(flipByte(body), h)).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(body, { ...h, "X-Chatwoot-Signature": alterSignature(FIXTURE_SIG) })).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(body, h, ["other"])).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(body, { ...h, "X-Chatwoot-Signature": FIXTURE_SIG.slice(7) })).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(body, { ...h, "X-Chatwoot-Timestamp": "1700000001" }, undefined, 1700000001_000)).toMatchObject({ ok: false, code: "bad_signature" });
  });

  it("an unsigned delivery (Chatwoot before 4.11.2) is refused with a message that says why", async () => {
    const r = await verify(fixture(FIXTURE).bytes, {});
    expect(r).toMatchObject({ ok: false, code: "bad_signature", message: expect.stringContaining("4.11.2") });
  });

  it("a correctly signed delivery older than the window is stale; a fresh re-signed retry passes", async () => {
    const body = fixture(FIXTURE).bytes;
    const h = { "X-Chatwoot-Signature": FIXTURE_SIG, "X-Chatwoot-Timestamp": T };
    expect(await verify(body, h, undefined, Number(T) * 1000 + 301_000)).toMatchObject({ ok: false, code: "stale" });
    const later = String(Number(T) + 3600);
    const sig = `sha256=${toHex(await hmac("SHA-256", "fixture-test-secret", concatBytes(utf8(`${later}.`), body)))}`;
    expect((await verify(body, { "X-Chatwoot-Signature": sig, "X-Chatwoot-Timestamp": later }, undefined, Number(later) * 1000)).ok).toBe(true);
  });
});

describe("chatwoot normalize", () => {
  it("covers every vendored Chatwoot fixture", () => {
    expect(fixturePaths("chatwoot")).toEqual([FIXTURE]);
  });

  it("turns the docs' message_created into a customer message keyed by display_id and deduped on the signed bytes, not X-Chatwoot-Delivery", async () => {
    const result = await pipeline(chatwootAdapter, fixture(FIXTURE).text, DELIVERY);
    expect(eventsOf(result)).toEqual([
      expect.objectContaining({
        kind: "case.customer_message",
        provider: "chatwoot",
        providerEventId: expect.stringMatching(/^chatwoot-body:[0-9a-f]{40}$/),
        caseKey: { type: "ticket", provider: "chatwoot", ticketId: "1" },
        occurredAt: "2020-03-03T13:05:57.000Z",
        body: "Hi",
      }),
    ]);
    // The same signed body under another (unsigned) delivery header is the same event.
    const replay = await pipeline(chatwootAdapter, fixture(FIXTURE).text, { "X-Chatwoot-Delivery": "a-new-id-from-a-replayer" });
    expect(eventsOf(replay)[0]!.providerEventId).toBe(eventsOf(result)[0]!.providerEventId);
  });

  it("tells agent replies from private notes, and ignores activity messages", async () => {
    const msg = (type: string | number, priv: boolean) => edited(fixture(FIXTURE).json, (d) => ((d.message_type = type), (d.private = priv), (d.sender = { id: 2, name: "Bo", type: "user" })));
    expect(kinds(await pipeline(chatwootAdapter, msg("outgoing", false), DELIVERY))).toEqual(["case.agent_reply"]);
    expect(kinds(await pipeline(chatwootAdapter, msg("outgoing", true), DELIVERY))).toEqual(["case.agent_note"]);
    expect(kinds(await pipeline(chatwootAdapter, msg(1, false), DELIVERY))).toEqual(["case.agent_reply"]);
    expect(await pipeline(chatwootAdapter, msg("activity", false), DELIVERY)).toMatchObject({ type: "ignored", providerEventId: expect.stringMatching(/^chatwoot-body:/) });
  });

  it("opens a case from conversation_created with its first incoming message, channel, contact, labels and link", async () => {
    const result = await pipeline(chatwootAdapter, conversation("conversation_created"), DELIVERY, { baseUrl: "https://app.chatwoot.com/" });
    expect(kinds(result)).toEqual(["case.opened", "case.customer_message"]);
    expect(byKind(result, "case.opened")).toMatchObject({
      caseKey: { ticketId: "42" },
      status: "open",
      channel: "chat",
      tags: ["vip"],
      assignee: "bo@shop.example",
      customer: { email: "ana@example.com", phone: "+33612345678", name: "Ana" },
      occurredAt: "2023-11-14T22:23:20.250Z",
      url: "https://app.chatwoot.com/app/accounts/7/conversations/42",
    });
    expect(byKind(result, "case.customer_message").body).toBe("Where is my parcel?");
  });

  it("maps statuses (resolved → solved, snoozed → pending) and ignores an unknown one until it is in statusMap", async () => {
    const status = async (s: string, options: Record<string, unknown> = {}) => {
      const r = await pipeline(chatwootAdapter, conversation("conversation_status_changed", { status: s }), DELIVERY, options);
      return r.type === "events" ? r.events[0] : r;
    };
    expect(await status("resolved")).toMatchObject({ kind: "case.status_changed", status: "solved", rawStatus: "resolved" });
    expect(await status("snoozed")).toMatchObject({ status: "pending" });
    expect(await status("escalated")).toMatchObject({ type: "ignored", reason: expect.stringContaining("statusMap") });
    expect(await status("escalated", { statusMap: { Escalated: "on-hold" } })).toMatchObject({ status: "on-hold" });
  });

  it("reads conversation_updated's changed_attributes: the full label list, priority, assignment", async () => {
    const updated = conversation("conversation_updated", {
      labels: ["vip", "refund"],
      changed_attributes: [{ label_list: { previous_value: ["vip"], current_value: ["vip", "refund"] } }, { priority: { previous_value: null, current_value: "urgent" } }, { assignee_id: { previous_value: null, current_value: 9 } }],
    });
    const result = await pipeline(chatwootAdapter, updated, DELIVERY);
    expect(kinds(result)).toEqual(["case.tags_changed", "case.priority_changed", "case.assignment_changed"]);
    expect(byKind(result, "case.tags_changed").tags).toEqual(["vip", "refund"]);
    expect(byKind(result, "case.priority_changed").priority).toBe("urgent");
    expect(byKind(result, "case.assignment_changed")).toMatchObject({ assignee: "bo@shop.example", group: "Billing" });
    const nothing = conversation("conversation_updated", { changed_attributes: [{ waiting_since: { previous_value: null, current_value: 1 } }] });
    expect((await pipeline(chatwootAdapter, nothing, DELIVERY)).type).toBe("ignored");
  });

  it("a callback label promises once when added; a later event still carrying it does not push the due time; re-added is a new promise", async () => {
    const opts = { callbackTag: "Call-Back", callbackWithinMinutes: 60 };
    const add = (delivery: string, before: string[], at: Record<string, unknown> = {}) =>
      pipeline(chatwootAdapter, conversation("conversation_updated", { ...at, changed_attributes: [{ label_list: { previous_value: before, current_value: [...before, "call-back"] } }] }), { "X-Chatwoot-Delivery": delivery }, opts);
    const first = byKind(await add("d-1", ["vip"]), "case.callback_promised");
    expect(first.callback).toMatchObject({ at: "2023-11-14T23:23:20.250Z", tag: "call-back", phone: "+33612345678" });
    // A status change an hour later still lists the label: no new promise.
    const later = await pipeline(chatwootAdapter, conversation("conversation_status_changed", { labels: ["vip", "call-back"], updated_at: 1700004200 }), { "X-Chatwoot-Delivery": "d-2" }, opts);
    expect(kinds(later)).toEqual(["case.status_changed"]);
    // Removed, then added again by a new change: a promise with its own id.
    const removed = await pipeline(chatwootAdapter, conversation("conversation_updated", { changed_attributes: [{ label_list: { previous_value: ["vip", "call-back"], current_value: ["vip"] } }] }), { "X-Chatwoot-Delivery": "d-3" }, opts);
    expect(kinds(removed)).toEqual(["case.tags_changed"]);
    const again = byKind(await add("d-4", ["vip"], { updated_at: 1700007800 }), "case.callback_promised");
    expect(again.providerEventId).not.toBe(first.providerEventId);
    // A conversation that starts with the label promises too.
    expect(kinds(await pipeline(chatwootAdapter, conversation("conversation_created", { labels: ["call-back"] }), DELIVERY, opts))).toContain("case.callback_promised");
  });

  it("a callback time in a custom attribute is an explicit promise", async () => {
    const result = await pipeline(chatwootAdapter, conversation("conversation_updated", { custom_attributes: { callback_at: "2023-11-15T10:00:00+01:00" }, changed_attributes: [{ custom_attributes: { previous_value: {}, current_value: {} } }] }), DELIVERY, { callbackField: "callback_at" });
    expect(byKind(result, "case.callback_promised").callback).toMatchObject({ at: "2023-11-15T09:00:00.000Z" });
  });

  it("ignores events that are not conversation turns (contact_created, typing) and names missing fields", async () => {
    expect(await pipeline(chatwootAdapter, { event: "contact_created", id: 1 }, DELIVERY)).toMatchObject({ type: "ignored" });
    expect(issuePaths(ChatwootPayload, { event: "message_created", message_type: "incoming" })).toEqual(["conversation"]);
    expect(issuePaths(ChatwootPayload, { event: "message_created", conversation: { display_id: 1 } })).toEqual(["message_type"]);
    expect(issuePaths(ChatwootPayload, { event: "conversation_created" })).toEqual(["id"]);
  });
});

describe("chatwoot fuzz", () => {
  it("never throws on random bodies and headers", async () => {
    await fuzzAdapter(chatwootAdapter, ["X-Chatwoot-Signature", "X-Chatwoot-Timestamp", "X-Chatwoot-Delivery"], [fixture(FIXTURE).text, JSON.stringify(conversation("conversation_updated"))], DELIVERY);
  });
});

describe("chatwoot callback attribute removed", () => {
  it("an attribute in the previous value and gone from the current one withdraws the promise", async () => {
    const removed = conversation("conversation_updated", { custom_attributes: {}, changed_attributes: [{ custom_attributes: { previous_value: { callback_at: "2023-11-15T10:00:00+01:00" }, current_value: {} } }] });
    const result = await pipeline(chatwootAdapter, removed, DELIVERY, { callbackField: "callback_at" });
    expect(byKind(result, "case.callback_done").callback).toMatchObject({ field: "callback_at" });
    const other = conversation("conversation_updated", { custom_attributes: {}, changed_attributes: [{ custom_attributes: { previous_value: { plan: "gold" }, current_value: {} } }] });
    expect((await pipeline(chatwootAdapter, other, DELIVERY, { callbackField: "callback_at" })).type).toBe("ignored");
  });
});
