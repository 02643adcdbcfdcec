/**
 * Requester lookups end to end inside workerd: a Zendesk (or Gorgias) webhook that names the
 * requester only by id, a store whose note channel holds the helpdesk's API credentials, and a
 * real local HTTP server standing in for the helpdesk's API. The reminder note that lands on
 * that server must name the customer and give the number to call; a helpdesk that fails or says
 * "slow down" is not hammered, and the reminder goes out anyway.
 */
import { describe, expect, it } from "vitest";
import { MIN, saveRules, type TestStore } from "../support/cases";
import { eventually } from "../notify/support/store";
import { Sink, type Received } from "../notify/support/receiver";
import { connect, type Connected } from "../webhooks/intake-harness";

let seq = 0;

function rules(channels: Record<string, unknown>) {
  const due = { low: "5m", normal: "5m", high: "5m", urgent: "5m" };
  return { channels, policies: [{ name: "Everything", targets: { firstReply: { calendar: "24/7", byPriority: due } }, notify: Object.keys(channels) }] };
}

async function zendeskStore(sink: Sink): Promise<Connected> {
  const c = await connect("zendesk", { options: { subdomain: "acme" } });
  await saveRules(c as unknown as TestStore, rules({ zd: { type: "zendesk_note", baseUrl: sink.url, email: "lead@shop.example", apiToken: "zd-api-token" } }) as never);
  return c;
}

/** A Zendesk ticket opened `agoMs` ago by requester `requesterId`: its first reply is overdue at once. */
function ticketCreated(ticketId: string, requesterId: string, agoMs = 10 * MIN): string {
  seq += 1;
  return JSON.stringify({
    type: "zen:event-type:ticket.created",
    id: `evt-created-${ticketId}-${seq}`,
    time: new Date(Date.now() - agoMs).toISOString(),
    account_id: 22129848,
    subject: `zen:ticket:${ticketId}`,
    zendesk_event_version: "2022-11-06",
    detail: {
      id: ticketId,
      requester_id: requesterId,
      submitter_id: requesterId,
      status: "OPEN",
      priority: "NORMAL",
      subject: "Where is my order?",
      description: "I ordered two weeks ago and nothing arrived.",
      via: { channel: "email" },
      updated_at: new Date(Date.now() - agoMs).toISOString(),
    },
    event: {},
  });
}

function commentAdded(ticketId: string, requesterId: string, agoMs: number): string {
  seq += 1;
  return JSON.stringify({
    type: "zen:event-type:ticket.comment_added",
    id: `evt-comment-${ticketId}-${seq}`,
    time: new Date(Date.now() - agoMs).toISOString(),
    subject: `zen:ticket:${ticketId}`,
    detail: { id: ticketId, requester_id: requesterId, status: "OPEN", priority: "NORMAL", via: { channel: "email" } },
    event: { comment: { id: `c${seq}`, body: "Any news?", is_public: true, author: { id: requesterId, is_staff: false, name: "" } } },
  });
}

const userLookups = (reqs: Received[]) => reqs.filter((r) => r.method === "GET" && r.path.startsWith("/api/v2/users/"));
const notesOn = (reqs: Received[], ticketId: string) => reqs.filter((r) => r.method === "PUT" && r.path === `/api/v2/tickets/${ticketId}.json`).map((r) => (JSON.parse(r.body) as { ticket: { comment: { body: string } } }).ticket.comment.body);

async function noteFor(sink: Sink, ticketId: string): Promise<string> {
  return eventually(async () => notesOn(await sink.requests(), ticketId)[0], `the reminder note on Zendesk ticket ${ticketId}`);
}

const ANA = { user: { id: 901, name: "Ana Silva", email: "ana@example.com", phone: "+351 912 345 678", role: "end-user" } };

describe("Zendesk requester lookup", () => {
  it("looks the requester up once for many events, and the reminder names the customer and gives the phone", async () => {
    const sink = await Sink.create();
    await sink.respondWith({ match: "/api/v2/users/901", status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(ANA) });
    const c = await zendeskStore(sink);
    expect((await c.send(ticketCreated("7001", "901"))).status).toBe(202);
    for (const ago of [9 * MIN, 8 * MIN, 7 * MIN]) expect((await c.send(commentAdded("7001", "901", ago))).status).toBe(202);

    const note = await noteFor(sink, "7001");
    expect(note).toContain("Ana Silva");
    expect(note).toContain("+351 912 345 678");
    const lookups = userLookups(await sink.requests());
    expect(lookups.map((r) => r.path)).toEqual(["/api/v2/users/901.json"]);
    expect(atob(lookups[0]!.headers.authorization!.replace(/^Basic /, ""))).toBe("lead@shop.example/token:zd-api-token");

    // The contact is on the case, for the case list and the case view too.
    const view = await c.readCase("ticket:zendesk:7001");
    expect(JSON.stringify(view.body)).toContain("ana@example.com");
  });

  it("a second ticket of the same requester is answered from the cache", async () => {
    const sink = await Sink.create();
    await sink.respondWith({ match: "/api/v2/users/902", status: 200, body: JSON.stringify({ user: { ...ANA.user, id: 902 } }) });
    const c = await zendeskStore(sink);
    await c.send(ticketCreated("7101", "902"));
    await noteFor(sink, "7101");
    await c.send(ticketCreated("7102", "902"));
    expect(await noteFor(sink, "7102")).toContain("+351 912 345 678");
    expect(userLookups(await sink.requests())).toHaveLength(1);
  });

  it("another store on the same Zendesk account is not answered from this store's cache", async () => {
    const sink = await Sink.create();
    await sink.setFallback({ status: 200, body: JSON.stringify({ user: { ...ANA.user, id: 908 } }) });
    const first = await zendeskStore(sink);
    await first.send(ticketCreated("7501", "908"));
    await noteFor(sink, "7501");
    const second = await zendeskStore(sink);
    await second.send(ticketCreated("7502", "908"));
    await noteFor(sink, "7502");
    expect(userLookups(await sink.requests()).map((r) => r.path)).toEqual(["/api/v2/users/908.json", "/api/v2/users/908.json"]);
  });

  it("when the lookup fails, the reminder still goes out with what is known, and the helpdesk is not asked again at once", async () => {
    const sink = await Sink.create();
    await sink.respondWith({ match: "/api/v2/users/", status: 503, body: '{"error":"unavailable"}' });
    const c = await zendeskStore(sink);
    await c.send(ticketCreated("7201", "903"));
    await c.send(commentAdded("7201", "903", 9 * MIN));
    const note = await noteFor(sink, "7201");
    expect(note).not.toContain("Customer:");
    expect(note).toMatch(/First reply overdue/);
    expect(userLookups(await sink.requests())).toHaveLength(1);
  });

  it("a 429 with Retry-After holds every lookup on that Zendesk account until it has passed", async () => {
    const sink = await Sink.create();
    await sink.respondWith({ match: "/api/v2/users/", status: 429, headers: { "retry-after": "120" }, body: '{"error":"TooManyRequests"}' });
    const c = await zendeskStore(sink);
    await c.send(ticketCreated("7301", "904"));
    await noteFor(sink, "7301");
    // Another case, another requester, same account: not asked while the account is told to wait.
    await c.send(ticketCreated("7302", "905"));
    expect(await noteFor(sink, "7302")).not.toContain("Customer:");
    expect(userLookups(await sink.requests()).map((r) => r.path)).toEqual(["/api/v2/users/904.json"]);
  });

  it("after a 429 the case waits for Retry-After, then the next event's lookup goes through", async () => {
    const sink = await Sink.create();
    await sink.respondWith(
      { match: "/api/v2/users/909", status: 429, headers: { "retry-after": "1" }, body: '{"error":"TooManyRequests"}' },
      { match: "/api/v2/users/909", status: 200, body: JSON.stringify({ user: { id: 909, name: "Carla Dias", email: "carla@example.com", phone: "+351 913 000 111" } }) },
    );
    const c = await connect("zendesk");
    await saveRules(c as unknown as TestStore, { channels: { zd: { type: "zendesk_note", baseUrl: sink.url, email: "lead@shop.example", apiToken: "t" } }, policies: [{ name: "Later", targets: { firstReply: { calendar: "24/7", byPriority: { low: "8h", normal: "8h", high: "8h", urgent: "8h" } } }, notify: ["zd"] }] } as never);
    await c.send(ticketCreated("7601", "909", 3 * MIN));
    await eventually(async () => userLookups(await sink.requests()).length === 1, "the first, refused lookup");
    // Within the wait, another event does not ask again.
    await c.send(commentAdded("7601", "909", 2 * MIN));
    expect(userLookups(await sink.requests())).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1200));
    await c.send(commentAdded("7601", "909", MIN));
    await eventually(async () => JSON.stringify((await c.readCase("ticket:zendesk:7601")).body).includes("+351 913 000 111"), "the contact after the wait");
    expect(userLookups(await sink.requests())).toHaveLength(2);
  });

  it("looks up again when the ticket's requester changes, and the reminder names the new one", async () => {
    const sink = await Sink.create();
    await sink.respondWith(
      { match: "/api/v2/users/906", status: 200, body: JSON.stringify({ user: { id: 906, name: "Old Requester", email: "old@example.com", phone: "+1 555 0100" } }) },
      { match: "/api/v2/users/907", status: 200, body: JSON.stringify({ user: { id: 907, name: "Bruno Costa", email: "bruno@example.com" } }) },
    );
    const c = await connect("zendesk");
    // No channel pointing at the ticket yet: the case looks up without any reminder due.
    await saveRules(c as unknown as TestStore, { channels: { zd: { type: "zendesk_note", baseUrl: sink.url, email: "lead@shop.example", apiToken: "t" } }, policies: [{ name: "Later", targets: { firstReply: { calendar: "24/7", byPriority: { low: "8h", normal: "8h", high: "8h", urgent: "8h" } } }, notify: ["zd"] }] } as never);
    await c.send(ticketCreated("7401", "906", 2 * MIN));
    await eventually(async () => JSON.stringify((await c.readCase("ticket:zendesk:7401")).body).includes("old@example.com"), "the first requester's contact");
    seq += 1;
    const changed = JSON.stringify({
      type: "zen:event-type:ticket.requester_changed",
      id: `evt-requester-${seq}`,
      time: new Date(Date.now() - MIN).toISOString(),
      detail: { id: "7401", requester_id: "907", status: "OPEN" },
      event: { current: "907", previous: "906" },
    });
    expect((await c.send(changed)).status).toBe(202);
    const view = await eventually(async () => {
      const body = JSON.stringify((await c.readCase("ticket:zendesk:7401")).body);
      return body.includes("bruno@example.com") ? body : undefined;
    }, "the new requester's contact");
    // The old requester's phone went with them.
    expect(view).not.toContain("+1 555 0100");
    expect(userLookups(await sink.requests()).map((r) => r.path)).toEqual(["/api/v2/users/906.json", "/api/v2/users/907.json"]);
  });
});

describe("Gorgias customer lookup", () => {
  it("adds the phone Gorgias' template cannot carry, from the customer's channels", async () => {
    const sink = await Sink.create();
    await sink.setFallback({ status: 201, body: "{}" });
    await sink.respondWith({
      match: "/api/customers/555",
      status: 200,
      body: JSON.stringify({ id: 555, email: "lea@example.com", name: "Léa Martin", channels: [{ type: "email", address: "lea@example.com" }, { type: "phone", address: "+33 6 12 34 56 78" }] }),
    });
    const c = await connect("gorgias");
    await saveRules(c as unknown as TestStore, rules({ gg: { type: "gorgias_note", baseUrl: sink.url, username: "lead@shop.example", apiKey: "gg-key" } }) as never);
    const at = new Date(Date.now() - 10 * MIN).toISOString().replace("Z", "");
    const body = JSON.stringify({ source: "gorgias", event: "ticket_created", ticket_id: "88001", status: "open", channel: "email", subject: "Damaged parcel", tags: "", customer_id: "555", customer_email: "lea@example.com", customer_name: "Léa Martin", created_datetime: at, updated_datetime: at, last_message_datetime: at, message_id: "m1", message_body: "The box arrived crushed.", message_from_agent: "False", message_public: "True" });
    expect((await c.send(body)).status).toBe(202);
    const note = await eventually(async () => {
      const reqs = await sink.requests();
      return reqs.filter((r) => r.method === "POST" && r.path === "/api/tickets/88001/messages").map((r) => (JSON.parse(r.body) as { body_text: string }).body_text)[0];
    }, "the reminder note on Gorgias ticket 88001");
    expect(note).toContain("Léa Martin");
    expect(note).toContain("+33 6 12 34 56 78");
    expect((await sink.requests()).filter((r) => r.path.startsWith("/api/customers/"))).toHaveLength(1);
  });
});

describe("Help Scout customer lookup", () => {
  it("adds the phone a conversation never carries, with the note channel's OAuth app", async () => {
    const sink = await Sink.create({ oauthTokens: true });
    await sink.respondWith({
      match: "/v2/customers/",
      status: 200,
      body: JSON.stringify({ id: 238604, firstName: "Bear", lastName: "Grylls", _embedded: { emails: [{ id: 1, value: "bear@acme.com", type: "work" }], phones: [{ id: 2, value: "+44 20 7946 0000", type: "work" }] } }),
    });
    const c = await connect("helpscout");
    await saveRules(c as unknown as TestStore, rules({ hs: { type: "helpscout_note", baseUrl: sink.url, appId: "app-1", appSecret: "app-secret" } }) as never);
    const at = new Date(Date.now() - 10 * MIN).toISOString();
    const body = JSON.stringify({ id: 55501, number: 9, type: "email", status: "active", subject: "Wrong size", preview: "I need a bigger one", mailboxId: 85, createdAt: at, userUpdatedAt: at, createdBy: { id: 238604, type: "customer", email: "bear@acme.com" }, primaryCustomer: { id: 238604, email: "bear@acme.com" }, source: { type: "email", via: "customer" }, tags: [], customFields: [] });
    expect((await c.send(body, { event: "convo.created" })).status).toBe(202);
    const note = await eventually(async () => {
      const reqs = await sink.requests();
      return reqs.filter((r) => r.method === "POST" && r.path === "/v2/conversations/55501/notes").map((r) => (JSON.parse(r.body) as { text: string }).text)[0];
    }, "the reminder note on Help Scout conversation 55501");
    expect(note).toContain("Bear Grylls");
    expect(note).toContain("+44 20 7946 0000");
    const lookups = (await sink.requests()).filter((r) => r.path.startsWith("/v2/customers/"));
    expect(lookups.map((r) => r.path)).toEqual(["/v2/customers/238604"]);
    expect(lookups[0]!.headers.authorization).toMatch(/^Bearer token-\d+$/);
  });
});
