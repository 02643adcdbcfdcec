import { describe, expect, it } from "vitest";
import { hmac, toBase64, utf8 } from "../../src/lib/crypto";
import { HelpScoutPayload, helpscoutAdapter } from "../../src/webhooks/helpscout";
import { alterSignature, byKind, cfg, edited, eventsOf, fixture, fixturePaths, flipByte, fuzzAdapter, issuePaths, kinds, pipeline, sha256, verifyInput } from "./helpdesk-helpers";

const V2 = "helpscout/convo-v2-sdk-test-payload.json";
const V1 = "helpscout/convo-status-legacy-v1-docs.json";

const verify = (body: Uint8Array | string, signature: string | undefined, secrets: string[], event = "convo.status") =>
  helpscoutAdapter.verify(verifyInput({ body, headers: { "X-HelpScout-Event": event, ...(signature ? { "X-HelpScout-Signature": signature } : {}) }, config: cfg(secrets) }));

const sign = async (secret: string, body: string) => toBase64(await hmac("SHA-1", secret, utf8(body)));

describe("helpscout verify", () => {
  it("accepts the published vector (A3) and the derived SDK and fixture vectors (B1, B3)", async () => {
    const published = '{"firstName":"Jackie","lastName":"Chan","email":"jackie.chan@somewhere.com","gender":"male"}';
    expect((await verify(published, "2iFmnzC8SCNVF/iNiMnSe19yceU=", ["your secret key"])).ok).toBe(true);
    expect((await verify('{"id":123}', "YhXKie6t+YQPJLRzdKWwTPsJN2w=", ["asdffdsa"])).ok).toBe(true);
    const { bytes } = fixture(V2);
    expect(await sha256(bytes)).toBe("3799808e9d10bb94dcdfcd3628b292900ca5517418dc635f023da715c335c41a");
    expect((await verify(bytes, "scd9Yr4kSWNYMO1tKSl9AOV02Uw=", ["fixture-test-secret"])).ok).toBe(true);
  });

  it("rejects a changed byte, a changed signature, a wrong secret and a missing signature", async () => {
    const { bytes } = fixture(V2);
    const sig = "scd9Yr4kSWNYMO1tKSl9AOV02Uw=";
    expect(await verify(flipByte(bytes), sig, ["fixture-test-secret"])).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(bytes, alterSignature(sig), ["fixture-test-secret"])).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(bytes, sig, ["other"])).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(bytes, undefined, ["fixture-test-secret"])).toMatchObject({ ok: false, code: "bad_signature" });
  });

  it("accepts the second secret during rotation", async () => {
    expect((await verify(fixture(V2).bytes, "scd9Yr4kSWNYMO1tKSl9AOV02Uw=", ["rotated", "fixture-test-secret"])).ok).toBe(true);
  });

  it("answers a correctly signed helpscout.test with 200 and a forged one is left to verify (401, never 410)", async () => {
    const body = '{"test":true}';
    const ok = await helpscoutAdapter.preVerify?.(verifyInput({ body, headers: { "X-HelpScout-Event": "helpscout.test", "X-HelpScout-Signature": await sign("s3cret", body) }, config: cfg(["s3cret"]) }));
    expect(ok?.status).toBe(200);
    const forged = verifyInput({ body, headers: { "X-HelpScout-Event": "helpscout.test", "X-HelpScout-Signature": await sign("guess", body) }, config: cfg(["s3cret"]) });
    expect(await helpscoutAdapter.preVerify?.(forged)).toBeNull();
    expect(await helpscoutAdapter.verify(forged)).toMatchObject({ ok: false, code: "bad_signature" });
  });
});

describe("helpscout normalize", () => {
  it("covers every vendored Help Scout fixture", () => {
    expect(fixturePaths("helpscout")).toEqual([V1, V2]);
  });

  it("maps convo.status on the v2 SDK payload: closed is solved, with customer, tags, link", async () => {
    const result = await pipeline(helpscoutAdapter, fixture(V2).text, { "X-HelpScout-Event": "convo.status" });
    expect(eventsOf(result)).toHaveLength(1);
    expect(eventsOf(result)[0]).toMatchObject({
      kind: "case.status_changed",
      status: "solved",
      rawStatus: "closed",
      caseKey: { type: "ticket", provider: "helpscout", ticketId: "123" },
      occurredAt: "2017-04-21T14:43:24.000Z",
      channel: "email",
      subject: "Need Help",
      url: "https://secure.helpscout.net/conversation/123",
    });
  });

  it("reads the legacy v1 shape too (string tags, customer contact)", async () => {
    const result = await pipeline(helpscoutAdapter, fixture(V1).text, { "X-HelpScout-Event": "convo.tags" }, { callbackTag: "tag2", callbackWithinMinutes: 60 });
    expect(kinds(result)).toEqual(["case.tags_changed", "case.callback_promised"]);
    expect(byKind(result, "case.tags_changed")).toMatchObject({ tags: ["tag1", "tag2"], customer: { email: "vbear@mywork.com", phone: "800-555-1212" }, occurredAt: "2012-07-24T20:18:33.000Z" });
    expect(byKind(result, "case.callback_promised").callback).toMatchObject({ at: "2012-07-24T21:18:33.000Z", phone: "800-555-1212" });
  });

  it("keeps agent replies, notes and customer replies apart, using the newest thread", async () => {
    const withThread = (type: string) =>
      edited(fixture(V2).json, (d) => {
        d._embedded = { threads: [{ id: 1, type, body: "old", createdAt: "2017-04-21T14:00:00Z" }, { id: 2, type, body: "<p>Refund sent</p>", createdAt: "2017-04-21T14:50:00Z" }] };
      });
    const reply = eventsOf(await pipeline(helpscoutAdapter, withThread("reply"), { "X-HelpScout-Event": "convo.agent.reply.created" }));
    expect(reply).toMatchObject([{ kind: "case.agent_reply", body: "Refund sent", occurredAt: "2017-04-21T14:50:00.000Z" }]);
    expect(eventsOf(await pipeline(helpscoutAdapter, withThread("note"), { "X-HelpScout-Event": "convo.note.created" }))[0]?.kind).toBe("case.agent_note");
    expect(eventsOf(await pipeline(helpscoutAdapter, withThread("customer"), { "X-HelpScout-Event": "convo.customer.reply.created" }))[0]?.kind).toBe("case.customer_message");
  });

  it("the body wins over the unsigned X-HelpScout-Event where it can tell, and the signed bytes are the id", async () => {
    const customer = edited(fixture(V2).json, (d) => {
      d._embedded = { threads: [{ id: 3, type: "customer", body: "Where is it?", createdAt: "2017-04-21T14:50:00Z" }] };
    });
    const asCustomer = eventsOf(await pipeline(helpscoutAdapter, customer, { "X-HelpScout-Event": "convo.customer.reply.created" }));
    const asAgent = eventsOf(await pipeline(helpscoutAdapter, customer, { "X-HelpScout-Event": "convo.agent.reply.created" }));
    const asNote = eventsOf(await pipeline(helpscoutAdapter, customer, { "X-HelpScout-Event": "convo.note.created" }));
    expect([asAgent, asNote]).toEqual([asCustomer, asCustomer]);
    expect(asCustomer[0]).toMatchObject({ kind: "case.customer_message", providerEventId: expect.stringMatching(/^helpscout-body:[0-9a-f]{40}$/) });
    // A rating is a rating whatever the header; a conversation sent as a rating is not one.
    const rating = { id: 56, rating: "Not Good", comments: "Slow", conversationId: 123, threadId: 9, createdAt: "2017-04-22T10:00:00Z" };
    expect(kinds(await pipeline(helpscoutAdapter, rating, { "X-HelpScout-Event": "convo.agent.reply.created" }))).toEqual(["case.rating"]);
    expect((await pipeline(helpscoutAdapter, fixture(V2).text, { "X-HelpScout-Event": "satisfaction.ratings" })).type).toBe("ignored");
  });

  it("opens a case on convo.created and adds the customer's message when the customer wrote it", async () => {
    const result = await pipeline(helpscoutAdapter, fixture(V2).text, { "X-HelpScout-Event": "convo.created" });
    expect(kinds(result)).toEqual(["case.opened", "case.customer_message"]);
    expect(byKind(result, "case.opened")).toMatchObject({ tags: ["vip"], assignee: "none@nowhere.com" });
  });

  it("maps satisfaction ratings to good/bad with the comment, and drops 'okay'", async () => {
    const rating = (r: string) => ({ id: 55, rating: r, comments: "Slow answer", conversationId: 123, threadId: 9, createdAt: "2017-04-22T10:00:00Z" });
    const bad = eventsOf(await pipeline(helpscoutAdapter, rating("Not Good"), { "X-HelpScout-Event": "satisfaction.ratings" }));
    expect(bad).toMatchObject([{ kind: "case.rating", rating: { score: "bad", comment: "Slow answer" }, caseKey: { ticketId: "123" } }]);
    expect(eventsOf(await pipeline(helpscoutAdapter, rating("great"), { "X-HelpScout-Event": "satisfaction.ratings" }))[0]?.rating?.score).toBe("good");
    expect((await pipeline(helpscoutAdapter, rating("okay"), { "X-HelpScout-Event": "satisfaction.ratings" })).type).toBe("ignored");
  });

  it("takes a callback time from the configured custom field", async () => {
    const body = edited(fixture(V2).json, (d) => ((d.customFields as unknown[]).push({ id: 7, name: "Callback at", value: "2017-04-22T09:00:00Z" })));
    const result = await pipeline(helpscoutAdapter, body, { "X-HelpScout-Event": "convo.custom-fields" }, { callbackField: "callback at" });
    expect(eventsOf(result)).toMatchObject([{ kind: "case.callback_promised", callback: { at: "2017-04-22T09:00:00.000Z" } }]);
  });

  it("ignores customer and tag events, and a conversation id is required", async () => {
    expect((await pipeline(helpscoutAdapter, fixture(V2).text, { "X-HelpScout-Event": "customer.created" })).type).toBe("ignored");
    expect(issuePaths(HelpScoutPayload, edited(fixture(V2).json, (d) => delete d.id))).toEqual(["id"]);
  });
});

describe("helpscout fuzz", () => {
  it("never throws on random bodies and headers", async () => {
    await fuzzAdapter(helpscoutAdapter, ["X-HelpScout-Signature", "X-HelpScout-Event"], [fixture(V2).text, fixture(V1).text], { "X-HelpScout-Event": "convo.created" });
  });
});

describe("helpscout callback field emptied", () => {
  it("a conversation whose callback field is now empty withdraws the promise; other fields say nothing", async () => {
    const withField = (value: string | null) => edited(fixture(V2).json, (d) => ((d.customFields as unknown[]).push({ id: 7, name: "Callback at", value })));
    const cleared = await pipeline(helpscoutAdapter, withField(""), { "X-HelpScout-Event": "convo.custom-fields" }, { callbackField: "callback at" });
    expect(eventsOf(cleared)).toMatchObject([{ kind: "case.callback_done", callback: { field: "callback at" } }]);
    expect((await pipeline(helpscoutAdapter, fixture(V2).text, { "X-HelpScout-Event": "convo.custom-fields" }, { callbackField: "callback at" })).type).toBe("ignored");
  });
});
