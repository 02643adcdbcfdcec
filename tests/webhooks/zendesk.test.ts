import { describe, expect, it } from "vitest";
import { hmac, toBase64, utf8, concatBytes } from "../../src/lib/crypto";
import { ZENDESK_TEST_SECRET, ZendeskPayload, zendeskAdapter } from "../../src/webhooks/zendesk";
import { alterSignature, byKind, cfg, edited, eventsOf, fixture, fixturePaths, flipByte, fuzzAdapter, issuePaths, kinds, pipeline, sha256, verifyInput } from "./helpdesk-helpers";

const TICKET = "zendesk/ticket-created.json";
const ISO_TS = "2021-03-25T05:09:27Z";

function verify(body: Uint8Array | string, signature: string, timestamp: string, secrets: string[], now = Date.parse(ISO_TS)) {
  return zendeskAdapter.verify(
    verifyInput({ body, headers: { "X-Zendesk-Webhook-Signature": signature, "X-Zendesk-Webhook-Signature-Timestamp": timestamp }, config: cfg(secrets), now }),
  );
}

async function sign(secret: string, timestamp: string, body: string): Promise<string> {
  return toBase64(await hmac("SHA-256", secret, concatBytes(utf8(timestamp), utf8(body))));
}

describe("zendesk verify", () => {
  it("accepts the published zendesk-go vector (A2): static test secret as literal ASCII, timestamp 1234", async () => {
    const { bytes } = fixture("zendesk/user-group-membership-created.json");
    expect(bytes.length).toBe(534);
    const r = await verify(bytes, "10IqYzYTLHRftNsNE+im0DeOM6/JactIRuy0XCHJ9B8=", "1234", [ZENDESK_TEST_SECRET], 1234_000);
    expect(r.ok).toBe(true);
    // The same body without its trailing newline signs differently.
    expect((await verify(bytes.slice(0, -1), "kvWjaewTmBsDVRjQ3UaEiTsGMU5eeIv33St++Kl9z+Q=", "1234", [ZENDESK_TEST_SECRET], 1234_000)).ok).toBe(true);
    expect((await verify(bytes.slice(0, -1), "10IqYzYTLHRftNsNE+im0DeOM6/JactIRuy0XCHJ9B8=", "1234", [ZENDESK_TEST_SECRET], 1234_000)).ok).toBe(false);
  });

  it("accepts the ISO-timestamp vector (B2) and the ticket-created file vector (B3)", async () => {
    const body = '{"type":"zen:event-type:ticket.status_changed","id":"00000000-0000-4000-8000-000000000002"}';
    expect((await verify(body, "+QImbWknd85b9DnjkRCr9dPGilVqg/eKFzwHXzpW2wA=", ISO_TS, ["zendesk-signing-secret"])).ok).toBe(true);
    const { bytes } = fixture(TICKET);
    expect(await sha256(bytes)).toBe("77e975b5cc2ee3c1fb0590fbf72447b3363c69ed1109f3de615fc130454807c0");
    expect((await verify(bytes, "Kz1bo4pRwkgn9YLC6i1rfbLaB0l9fBslnbRY/S9BXbk=", ISO_TS, ["fixture-test-secret"])).ok).toBe(true);
  });

  it("rejects a changed body byte, a changed signature, a wrong secret, a missing header", async () => {
    const { bytes } = fixture(TICKET);
    const sig = "Kz1bo4pRwkgn9YLC6i1rfbLaB0l9fBslnbRY/S9BXbk=";
    expect(await verify(flipByte(bytes), sig, ISO_TS, ["fixture-test-secret"])).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(bytes, alterSignature(sig), ISO_TS, ["fixture-test-secret"])).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(bytes, sig, ISO_TS, ["another-secret"])).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(bytes, sig, "2021-03-25T05:09:28Z", ["fixture-test-secret"])).toMatchObject({ ok: false, code: "bad_signature" });
    const missing = await zendeskAdapter.verify(verifyInput({ body: bytes, config: cfg(["fixture-test-secret"]) }));
    expect(missing).toMatchObject({ ok: false, code: "bad_signature" });
  });

  it("rejects a correctly signed but stale timestamp as stale, in either direction", async () => {
    const { bytes } = fixture(TICKET);
    const sig = "Kz1bo4pRwkgn9YLC6i1rfbLaB0l9fBslnbRY/S9BXbk=";
    expect(await verify(bytes, sig, ISO_TS, ["fixture-test-secret"], Date.parse(ISO_TS) + 301_000)).toMatchObject({ ok: false, code: "stale" });
    expect(await verify(bytes, sig, ISO_TS, ["fixture-test-secret"], Date.parse(ISO_TS) - 301_000)).toMatchObject({ ok: false, code: "stale" });
    expect((await verify(bytes, sig, ISO_TS, ["fixture-test-secret"], Date.parse(ISO_TS) + 299_000)).ok).toBe(true);
  });

  it("accepts the second secret during rotation", async () => {
    const { bytes } = fixture(TICKET);
    expect((await verify(bytes, "Kz1bo4pRwkgn9YLC6i1rfbLaB0l9fBslnbRY/S9BXbk=", ISO_TS, ["new-secret", "fixture-test-secret"])).ok).toBe(true);
  });

  it("answers Zendesk's pre-creation test webhook with 200 without it ever verifying a delivery", async () => {
    const body = '{"test":"hello"}';
    const ts = new Date().toISOString();
    const input = verifyInput({ body, headers: { "X-Zendesk-Webhook-Signature": await sign(ZENDESK_TEST_SECRET, ts, body), "X-Zendesk-Webhook-Signature-Timestamp": ts }, config: cfg(["store-secret"]) });
    const res = await zendeskAdapter.testPing?.(input);
    expect(res?.status).toBe(200);
    expect((await zendeskAdapter.verify(input)).ok).toBe(false);
    // A delivery signed with the store's own secret is not swallowed as a test.
    const real = verifyInput({ body, headers: { "X-Zendesk-Webhook-Signature": await sign("store-secret", ts, body), "X-Zendesk-Webhook-Signature-Timestamp": ts }, config: cfg(["store-secret"]) });
    expect(await zendeskAdapter.testPing?.(real)).toBeNull();
    expect((await zendeskAdapter.verify(real)).ok).toBe(true);
  });
});

describe("zendesk normalize", () => {
  it("covers every vendored Zendesk fixture", () => {
    expect(fixturePaths("zendesk")).toEqual([TICKET, "zendesk/user-group-membership-created.json"]);
  });

  it("turns ticket.created into case opened plus the requester's first message", async () => {
    const result = await pipeline(zendeskAdapter, fixture(TICKET).text, {}, { subdomain: "acme" });
    expect(kinds(result)).toEqual(["case.opened", "case.customer_message"]);
    const opened = byKind(result, "case.opened");
    expect(opened).toMatchObject({
      provider: "zendesk",
      providerEventId: "cbe4028c-7239-495d-b020-f22348516046",
      caseKey: { type: "ticket", provider: "zendesk", ticketId: "5158" },
      occurredAt: "2025-01-08T10:12:07.672Z",
      status: "open",
      rawStatus: "OPEN",
      priority: "low",
      tags: ["ticket-info-test-tag"],
      subject: "ticketinfo_2294a6e9ece2",
      channel: "api",
      url: "https://acme.zendesk.com/agent/tickets/5158",
    });
    expect(byKind(result, "case.customer_message").body).toBe("ticket_info_desc_2294a6e9ece2");
    expect(byKind(result, "case.customer_message").providerEventId).not.toBe(opened.providerEventId);
  });

  it("does not invent a customer message for a ticket an agent opened on the customer's behalf", async () => {
    const body = edited(fixture(TICKET).json, (d) => ((d.detail as Record<string, unknown>).submitter_id = "999"));
    expect(kinds(await pipeline(zendeskAdapter, body))).toEqual(["case.opened"]);
  });

  it("ignores user events (answered 202 so Zendesk stops retrying)", async () => {
    const result = await pipeline(zendeskAdapter, fixture("zendesk/user-group-membership-created.json").text);
    expect(result).toMatchObject({ type: "ignored", providerEventId: "6b9bbadf-5725-4e92-bebe-7b71011bf5f1" });
  });

  const comment = (isPublic: boolean, isStaff: boolean) =>
    edited(fixture(TICKET).json, (d) => {
      d.type = "zen:event-type:ticket.comment_added";
      d.event = { comment: { id: "1", body: "<p>We shipped it</p>", is_public: isPublic, author: { id: "8447388090494", is_staff: isStaff, name: "A" } } };
    });

  it("tells a public agent reply from a private note from a customer message", async () => {
    const reply = eventsOf(await pipeline(zendeskAdapter, comment(true, true)));
    expect(reply).toMatchObject([{ kind: "case.agent_reply", body: "We shipped it" }]);
    expect(eventsOf(await pipeline(zendeskAdapter, comment(false, true)))[0]?.kind).toBe("case.agent_note");
    expect(eventsOf(await pipeline(zendeskAdapter, comment(true, false)))[0]?.kind).toBe("case.customer_message");
  });

  it("maps status changes (HOLD → on-hold) keeping the raw status", async () => {
    const hold = edited(fixture(TICKET).json, (d) => {
      d.type = "zen:event-type:ticket.status_changed";
      d.event = { current: "HOLD", previous: "OPEN" };
      (d.detail as Record<string, unknown>).status = "HOLD";
    });
    expect(eventsOf(await pipeline(zendeskAdapter, hold))[0]).toMatchObject({ kind: "case.status_changed", status: "on-hold", rawStatus: "HOLD" });
  });

  // Custom statuses arrive as they do in the fixture: `detail.custom_status` is an id, and
  // `detail.status` / a status_changed's `event.current` stay the standard category.
  const CUSTOM_ID = "8447320465790";
  const awaitingSupplier = { [CUSTOM_ID]: "waiting-on-third-party" } as const;

  it("maps a custom status change through statusMap by its id, falling back to the standard category", async () => {
    const changed = edited(fixture(TICKET).json, (d) => {
      d.type = "zen:event-type:ticket.custom_status_changed";
      d.event = { current: CUSTOM_ID, previous: "8447320465700" };
    });
    expect(eventsOf(await pipeline(zendeskAdapter, changed, {}, { statusMap: awaitingSupplier }))[0]).toMatchObject({
      kind: "case.status_changed",
      providerEventId: "cbe4028c-7239-495d-b020-f22348516046",
      status: "waiting-on-third-party",
      rawStatus: `custom_status:${CUSTOM_ID}`,
    });
    // Not mapped: the ticket's category (OPEN in the fixture) decides.
    expect(eventsOf(await pipeline(zendeskAdapter, changed))[0]).toMatchObject({ kind: "case.status_changed", status: "open", rawStatus: "OPEN" });
    // Neither an id the store mapped nor a category: nothing to say, answered ignored with the way out.
    const bare = edited(changed, (d) => delete (d.detail as Record<string, unknown>).status);
    expect(await pipeline(zendeskAdapter, bare)).toMatchObject({ type: "ignored", reason: expect.stringContaining("statusMap") });
  });

  it("a status_changed on a ticket with a mapped custom status reports that status, not the bare category", async () => {
    const changed = edited(fixture(TICKET).json, (d) => {
      d.type = "zen:event-type:ticket.status_changed";
      d.event = { current: "OPEN", previous: "NEW" };
    });
    expect(eventsOf(await pipeline(zendeskAdapter, changed, {}, { statusMap: awaitingSupplier }))[0]).toMatchObject({ status: "waiting-on-third-party", rawStatus: `custom_status:${CUSTOM_ID}` });
    expect(eventsOf(await pipeline(zendeskAdapter, changed))[0]).toMatchObject({ status: "open", rawStatus: "OPEN" });
    // The store may still remap a standard category by name.
    expect(eventsOf(await pipeline(zendeskAdapter, changed, {}, { statusMap: { open: "pending" } }))[0]?.status).toBe("pending");
  });

  it("opens a ticket in its mapped custom status", async () => {
    const result = await pipeline(zendeskAdapter, fixture(TICKET).text, {}, { statusMap: awaitingSupplier });
    expect(byKind(result, "case.opened")).toMatchObject({ status: "waiting-on-third-party", rawStatus: `custom_status:${CUSTOM_ID}` });
  });

  it("maps priority changes and assignment changes", async () => {
    const urgent = edited(fixture(TICKET).json, (d) => {
      d.type = "zen:event-type:ticket.priority_changed";
      d.event = { current: "URGENT", previous: "LOW" };
    });
    expect(eventsOf(await pipeline(zendeskAdapter, urgent))[0]).toMatchObject({ kind: "case.priority_changed", priority: "urgent" });
    const assigned = edited(fixture(TICKET).json, (d) => {
      d.type = "zen:event-type:ticket.agent_assignment_changed";
      d.event = { current: "123", previous: null };
    });
    expect(eventsOf(await pipeline(zendeskAdapter, assigned))[0]).toMatchObject({ kind: "case.assignment_changed", assignee: "123" });
  });

  it("promises a callback when the store's callback tag is added", async () => {
    const tagged = edited(fixture(TICKET).json, (d) => {
      d.type = "zen:event-type:ticket.tags_changed";
      d.event = { tags_added: ["Call-Back"], tags_removed: [] };
      (d.detail as Record<string, unknown>).tags = ["ticket-info-test-tag", "Call-Back"];
    });
    const result = await pipeline(zendeskAdapter, tagged, {}, { callbackTag: "call-back", callbackWithinMinutes: 30 });
    expect(kinds(result)).toEqual(["case.tags_changed", "case.callback_promised"]);
    expect(byKind(result, "case.callback_promised").callback).toMatchObject({ at: "2025-01-08T10:42:07.672Z", tag: "Call-Back" });
    expect(kinds(await pipeline(zendeskAdapter, tagged))).toEqual(["case.tags_changed"]);
    // The tag removed and added again later is a new promise, not a duplicate of the first.
    const again = edited(tagged, (d) => ((d.id = "11111111-2222-4333-8444-555555555555"), (d.time = "2025-01-09T08:00:00Z")));
    const second = byKind(await pipeline(zendeskAdapter, again, {}, { callbackTag: "call-back" }), "case.callback_promised");
    expect(second.providerEventId).not.toBe(byKind(result, "case.callback_promised").providerEventId);
  });

  it("only reports the full tag list: a tags_changed without the ticket's tags does not pretend the others were removed", async () => {
    const partial = edited(fixture(TICKET).json, (d) => {
      d.type = "zen:event-type:ticket.tags_changed";
      d.event = { tags_added: ["vip"], tags_removed: [] };
      delete (d.detail as Record<string, unknown>).tags;
    });
    expect((await pipeline(zendeskAdapter, partial)).type).toBe("ignored");
    const withCallback = await pipeline(zendeskAdapter, edited(partial, (d) => ((d.event as Record<string, unknown>).tags_added = ["callback"])), {}, { callbackTag: "callback" });
    expect(kinds(withCallback)).toEqual(["case.callback_promised"]);
  });

  it("rejects a ticket event without a ticket id, naming the path", () => {
    const body = edited(fixture(TICKET).json, (d) => delete (d.detail as Record<string, unknown>).id);
    expect(issuePaths(ZendeskPayload, body)).toEqual(["detail.id"]);
    expect(issuePaths(ZendeskPayload, { type: "zen:event-type:ticket.created", time: "x" })).toContain("id");
  });
});

describe("zendesk fuzz", () => {
  it("never throws on random bodies and headers", async () => {
    await fuzzAdapter(zendeskAdapter, ["X-Zendesk-Webhook-Signature", "X-Zendesk-Webhook-Signature-Timestamp"], [fixture(TICKET).text, fixture("zendesk/user-group-membership-created.json").text]);
  });
});

describe("zendesk edge of the Date range", () => {
  it("an event stamped at the last representable instant is read as received now (no 5xx), its callback due from then", async () => {
    const edge = edited(fixture(TICKET).json, (d) => {
      d.time = "+275760-09-13T00:00:00Z";
      (d.detail as Record<string, unknown>).tags = ["callback"];
    });
    const receivedAt = Date.now();
    const result = await zendeskAdapter.normalize({ storeId: "s", payload: ZendeskPayload.parse(edge), headers: new Headers(), rawBody: new Uint8Array(), config: cfg(["x"], { callbackTag: "callback" }), receivedAt });
    expect(kinds(result)).toEqual(["case.opened", "case.customer_message", "case.callback_promised"]);
    const events = result.type === "events" ? result.events : [];
    expect(events[0]!.occurredAt).toBe(new Date(receivedAt).toISOString());
    expect(events[2]!.callback!.at).toBe(new Date(receivedAt + 120 * 60_000).toISOString());
  });
});
