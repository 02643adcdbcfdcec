import { describe, expect, it } from "vitest";
import { IntercomPayload, intercomAdapter } from "../../src/webhooks/intercom";
import { alterSignature, byKind, cfg, edited, eventsOf, fixture, fixturePaths, flipByte, fuzzAdapter, issuePaths, kinds, pipeline, sha256, verifyInput } from "./helpdesk-helpers";

const FIXTURE = "intercom/conversation-admin-noted.json";
const FIXTURE_SIG = "sha1=377440760f2f90e0331acfb0fb20e4d7223e3d44";
const PING = '{"type":"notification_event","id":"notif_1","topic":"ping","data":{"type":"notification_event_data","item":{"type":"ping","message":"something something interop"}}}';

const verify = (body: Uint8Array | string, signature: string | undefined, secrets = ["fixture-test-secret"]) =>
  intercomAdapter.verify(verifyInput({ body, headers: signature === undefined ? {} : { "X-Hub-Signature": signature }, config: cfg(secrets) }));

type Doc = ReturnType<typeof fixture>["json"];
const item = (d: Doc) => (d.data as { item: Record<string, unknown> }).item;

/** The fixture as another topic, with a fresh notification id. */
function topic(name: string, edit: (conversation: Record<string, unknown>) => void = () => {}, id = `notif_${name}`) {
  return edited(fixture(FIXTURE).json, (d) => {
    d.topic = name;
    d.id = id;
    edit(item(d));
  });
}

describe("intercom verify", () => {
  it("verifies the fixture vector (B3) and the ping vector (B2): sha1= hex HMAC-SHA1 of the raw body", async () => {
    const { bytes } = fixture(FIXTURE);
    expect(await sha256(bytes)).toBe("5037817688a572987442a1daba78e5d56db566ec5e907e9e162e264642fa3781");
    expect(await verify(bytes, FIXTURE_SIG)).toEqual({ ok: true });
    expect(await verify(PING, "sha1=4f6fcf21e7306455b8a378a2dd746a543839c8e0", ["intercom-client-secret"])).toEqual({ ok: true });
  });

  it("rejects a changed byte, a changed signature, a wrong secret, a missing prefix or header", async () => {
    const { bytes } = fixture(FIXTURE);
    expect(await verify(flipByte(bytes), FIXTURE_SIG)).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(bytes, alterSignature(FIXTURE_SIG))).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(bytes, FIXTURE_SIG, ["client-secret-of-another-app"])).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(bytes, FIXTURE_SIG.slice(5))).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(bytes, undefined)).toMatchObject({ ok: false, code: "bad_signature" });
  });
});

describe("intercom normalize", () => {
  it("covers every vendored Intercom fixture", () => {
    expect(fixturePaths("intercom")).toEqual([FIXTURE]);
  });

  it("turns conversation.admin.noted into a private note, deduped on the notification id", async () => {
    expect(eventsOf(await pipeline(intercomAdapter, fixture(FIXTURE).text))).toEqual([
      expect.objectContaining({
        kind: "case.agent_note",
        provider: "intercom",
        providerEventId: "notif_34a83d84-960d-4825-b3c0-78bb90b207f2",
        caseKey: { type: "ticket", provider: "intercom", ticketId: "137324500000000" },
        occurredAt: "2020-08-05T13:44:54.000Z",
        body: "this is a note",
        customer: { email: "bob.dylan@rei.com", name: "Bob Dylan" },
        url: "https://app.intercom.com/a/apps/lkqcyt9t/conversations/137324500000000",
      }),
    ]);
  });

  it("answers the ping topic with 200 and stores nothing", async () => {
    const r = await pipeline(intercomAdapter, PING);
    expect(r.type).toBe("ping");
    if (r.type === "ping") expect(r.response.status).toBe(200);
  });

  it("maps the conversation topics onto the model", async () => {
    const one = async (name: string, edit?: (c: Record<string, unknown>) => void) => eventsOf(await pipeline(intercomAdapter, topic(name, edit)));
    expect((await one("conversation.user.created")).map((e) => e.kind)).toEqual(["case.opened", "case.customer_message"]);
    expect((await one("conversation.user.created"))[1]?.body).toBe("hi Bob");
    expect((await one("conversation.user.replied"))[0]).toMatchObject({ kind: "case.customer_message" });
    expect((await one("conversation.admin.replied"))[0]).toMatchObject({ kind: "case.agent_reply", body: "this is a note" });
    expect((await one("conversation.admin.single.created")).map((e) => e.kind)).toEqual(["case.opened", "case.agent_reply"]);
    expect((await one("conversation.admin.closed"))[0]).toMatchObject({ kind: "case.status_changed", status: "solved", rawStatus: "closed" });
    expect((await one("conversation.admin.snoozed"))[0]).toMatchObject({ status: "pending", rawStatus: "snoozed" });
    expect((await one("conversation.admin.opened"))[0]).toMatchObject({ status: "open" });
    expect((await one("conversation.priority.updated", (c) => (c.priority = "priority")))[0]).toMatchObject({ kind: "case.priority_changed", priority: "high" });
    const assigned = await one("conversation.admin.assigned", (c) => {
      (c.conversation_parts as { conversation_parts: Record<string, unknown>[] }).conversation_parts[0]!.assigned_to = { type: "admin", id: "99", email: "cara@shop.example" };
    });
    expect(assigned[0]).toMatchObject({ kind: "case.assignment_changed", assignee: "cara@shop.example" });
  });

  it("a rating of 4–5 is good, 1–2 bad (with the remark), 3 is not reported", async () => {
    const rated = (rating: number) => topic("conversation.rating.added", (c) => (c.conversation_rating = { rating, remark: "Fast, thanks", created_at: 1596640000 }));
    expect(eventsOf(await pipeline(intercomAdapter, rated(5)))[0]).toMatchObject({ kind: "case.rating", rating: { score: "good", comment: "Fast, thanks" }, occurredAt: "2020-08-05T15:06:40.000Z" });
    expect(eventsOf(await pipeline(intercomAdapter, rated(1)))[0]?.rating?.score).toBe("bad");
    expect((await pipeline(intercomAdapter, rated(3))).type).toBe("ignored");
  });

  it("a tag added by the tag topic reports the conversation's full tag list and promises a callback; re-adding it later is a new promise", async () => {
    const tagged = (id: string) =>
      topic(
        "conversation_part.tag.created",
        (c) => {
          c.tags = { type: "tag.list", tags: [{ name: "vip" }, { name: "Callback" }] };
          c.tags_added = { type: "tag.list", tags: [{ name: "Callback" }] };
        },
        id,
      );
    const first = await pipeline(intercomAdapter, tagged("notif_a"), {}, { callbackTag: "callback", callbackWithinMinutes: 15 });
    expect(kinds(first)).toEqual(["case.tags_changed", "case.callback_promised"]);
    expect(byKind(first, "case.tags_changed").tags).toEqual(["vip", "Callback"]);
    expect(byKind(first, "case.callback_promised").callback).toMatchObject({ at: "2020-08-05T13:59:54.000Z", tag: "Callback" });
    const again = await pipeline(intercomAdapter, tagged("notif_b"), {}, { callbackTag: "callback" });
    expect(byKind(again, "case.callback_promised").providerEventId).not.toBe(byKind(first, "case.callback_promised").providerEventId);
    // Without the conversation's own list, the added tags alone are not passed off as the full list.
    const partial = topic("conversation_part.tag.created", (c) => {
      delete c.tags;
      c.tags_added = { type: "tag.list", tags: [{ name: "vip" }] };
    });
    expect((await pipeline(intercomAdapter, partial)).type).toBe("ignored");
  });

  it("ignores topics that are not about conversations, and names a conversation topic's missing id", async () => {
    const contact = { type: "notification_event", id: "notif_c", topic: "contact.user.created", data: { item: { type: "contact", id: "c1" } } };
    expect(await pipeline(intercomAdapter, contact)).toMatchObject({ type: "ignored", providerEventId: "notif_c" });
    const noId = topic("conversation.user.replied", (c) => delete c.id);
    expect(issuePaths(IntercomPayload, noId)).toEqual(["data.item.id"]);
    expect(issuePaths(IntercomPayload, { ...fixture(FIXTURE).json, type: "event" })).toEqual(["type"]);
  });
});

describe("intercom fuzz", () => {
  it("never throws on random bodies and headers", async () => {
    await fuzzAdapter(intercomAdapter, ["X-Hub-Signature"], [fixture(FIXTURE).text, PING]);
  });
});

describe("intercom callback attribute cleared", () => {
  it("the conversation attribute set to null withdraws the promise", async () => {
    const set = await pipeline(intercomAdapter, topic("conversation.admin.assigned", (c) => (c.custom_attributes = { "Callback at": "2020-08-06T09:00:00Z" }), "notif_set"), {}, { callbackField: "callback at" });
    expect(byKind(set, "case.callback_promised").callback).toMatchObject({ field: "callback at" });
    const cleared = await pipeline(intercomAdapter, topic("conversation.admin.assigned", (c) => (c.custom_attributes = { "Callback at": null }), "notif_clear"), {}, { callbackField: "callback at" });
    expect(byKind(cleared, "case.callback_done").callback).toMatchObject({ field: "callback at" });
  });
});
