/**
 * Every channel type but the signed webhook (tests/e2e/delivery.test.ts covers that one) against
 * the real `wrangler dev`: a Slack channel and Zendesk, Help Scout and Gorgias note channels, all
 * pointed (base URL override) at one real local receiver. Three real tickets, one per helpdesk,
 * opened by signed provider webhooks, each breach its first-reply target; each reminder goes to
 * Slack and to the note channel of its own helpdesk. The receiver sees each request with the
 * API's path, its authentication and the reminder's idempotency key. A note channel of another
 * helpdesk cannot post on the ticket: the delivery log shows it skipped, with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request, waitFor } from "./support/http";
import { GORGIAS_TOKEN, gorgias, helpscout, SECRETS, zendesk } from "./support/providers";
import { Receiver, type Received } from "./support/receiver";
import { configureProvider, createStore, saveRules, type E2EStore } from "./support/store";
import { DevServer } from "./support/wrangler";

interface Delivery {
  deliveryId: string;
  idempotencyKey: string;
  channel: string;
  state: string;
  skippedBecause: string | null;
  reminder: { id: string; caseId: string; kind: string } | null;
}

async function list(s: E2EStore, query = ""): Promise<Delivery[]> {
  const res = await request(s.url, "GET", `/v1/stores/${s.storeId}/deliveries?limit=100${query}`, { token: s.token });
  expect(res.status).toBe(200);
  return res.body.deliveries as Delivery[];
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const TARGET = { byPriority: { urgent: "2s", high: "2s", normal: "2s", low: "2s" } };

describe("Slack and helpdesk notes against wrangler dev", () => {
  const server = new DevServer({ vars: { DELIVERY_RETRY_BASE_SECONDS: "1" } });
  const receiver = new Receiver();
  let store: E2EStore;

  beforeAll(async () => {
    // One answer serves every API here: 200 is success for each, and Help Scout's token request
    // needs this JSON (the others ignore the body).
    receiver.setFallback({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ access_token: "e2e-helpscout-token", expires_in: 7200 }) });
    await receiver.start();
    await server.start();
    store = await createStore(server.url, "Channels shop");
    await configureProvider(store, "zendesk", { secrets: [SECRETS.zendesk] });
    await configureProvider(store, "helpscout", { secrets: [SECRETS.helpscout] });
    await configureProvider(store, "gorgias", { secrets: [GORGIAS_TOKEN] });
    await saveRules(store, {
      channels: {
        team: { type: "slack", webhookUrl: `${receiver.url}/slack/services/T0/B0/x` },
        zd: { type: "zendesk_note", baseUrl: `${receiver.url}/zd`, email: "lead@shop.example", apiToken: "zd-api-token" },
        hs: { type: "helpscout_note", baseUrl: `${receiver.url}/hs`, appId: "hs-app", appSecret: "hs-app-secret" },
        gg: { type: "gorgias_note", baseUrl: `${receiver.url}/gg`, username: "lead@shop.example", apiKey: "gg-api-key" },
      },
      policies: [{ name: "Everything", targets: { firstReply: TARGET }, notify: ["team", "zd", "hs", "gg"] }],
    });
  });
  afterAll(async () => {
    await server.dispose();
    await receiver.stop();
  });

  it("posts each breach to Slack and as a note on its own ticket, with the API's path, auth and the idempotency key", async () => {
    const opened = [
      await zendesk(store, "created", { id: "5158", channel: "chat" }),
      await helpscout(store, "convo.created", { id: 123, customerEmail: "mia@example.com" }),
      await gorgias(store, "ticket_created", { id: "4242", email: "ali@example.com" }),
    ];
    for (const res of opened) expect(res.status, `${JSON.stringify(res.body)}\n${server.logs()}`).toBe(202);
    const [zdCase, hsCase, ggCase] = opened.map((res) => res.body.caseId as string);

    const delivered = await waitFor(async () => {
      const ds = await list(store, "&state=delivered");
      return ds.length === 6 ? ds : undefined;
    }, 60_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${server.logs()}`);
    });
    const keyOf = (caseId: string) => {
      const keys = new Set(delivered.filter((d) => d.reminder!.caseId === caseId).map((d) => d.idempotencyKey));
      expect(keys.size).toBe(1);
      return [...keys][0]!;
    };
    const keys = { zd: keyOf(zdCase!), hs: keyOf(hsCase!), gg: keyOf(ggCase!) };
    expect(delivered.map((d) => [d.reminder!.caseId, d.channel]).sort()).toEqual(
      [
        [zdCase, "team"],
        [zdCase, "zd"],
        [hsCase, "team"],
        [hsCase, "hs"],
        [ggCase, "team"],
        [ggCase, "gg"],
      ].sort(),
    );
    for (const d of delivered) expect(d.reminder!.kind).toBe("first_reply.breach");

    const seen = (prefix: string) => receiver.received.filter((r) => r.path.startsWith(prefix));
    const byKey = (reqs: Received[]) => new Map(reqs.map((r) => [r.headers["idempotency-key"], r]));

    // Slack: one message per reminder, to the webhook's own path, keyed by the reminder.
    const slack = byKey(seen("/slack/"));
    expect([...slack.keys()].sort()).toEqual(Object.values(keys).sort());
    for (const r of slack.values()) {
      expect([r.method, r.path]).toEqual(["POST", "/slack/services/T0/B0/x"]);
      expect(r.headers.authorization).toBeUndefined();
      expect((JSON.parse(r.body) as { blocks: unknown[] }).blocks.length).toBeGreaterThan(0);
    }

    // Zendesk: a private comment by updating ticket 5158, as email/token. (The same credentials
    // also serve the requester lookup, `GET /api/v2/users/:id`, which carries no idempotency key.)
    const zd = seen("/zd/api/v2/tickets/");
    expect(new Set(zd.map((r) => r.headers["idempotency-key"]))).toEqual(new Set([keys.zd]));
    expect(zd[0]).toMatchObject({ method: "PUT", path: "/zd/api/v2/tickets/5158.json" });
    expect(zd[0]!.headers.authorization).toBe(basic("lead@shop.example/token", "zd-api-token"));
    expect(JSON.parse(zd[0]!.body)).toMatchObject({ ticket: { comment: { public: false, body: expect.stringContaining(`ref ${keys.zd}`) } } });

    // Help Scout: a client-credentials token first, then the note on conversation 123 with it.
    const token = seen("/hs/v2/oauth2/token");
    expect(token.length).toBeGreaterThanOrEqual(1);
    expect(Object.fromEntries(new URLSearchParams(token[0]!.body))).toEqual({ grant_type: "client_credentials", client_id: "hs-app", client_secret: "hs-app-secret" });
    const hs = seen("/hs/v2/conversations/");
    expect(new Set(hs.map((r) => r.headers["idempotency-key"]))).toEqual(new Set([keys.hs]));
    expect(hs[0]).toMatchObject({ method: "POST", path: "/hs/v2/conversations/123/notes" });
    expect(hs[0]!.headers.authorization).toBe("Bearer e2e-helpscout-token");

    // Gorgias: an internal note on ticket 4242 as the API user, the key also as external_id.
    const gg = seen("/gg/");
    expect(new Set(gg.map((r) => r.headers["idempotency-key"]))).toEqual(new Set([keys.gg]));
    expect(gg[0]).toMatchObject({ method: "POST", path: "/gg/api/tickets/4242/messages" });
    expect(gg[0]!.headers.authorization).toBe(basic("lead@shop.example", "gg-api-key"));
    expect(JSON.parse(gg[0]!.body)).toMatchObject({ channel: "internal-note", from_agent: true, external_id: keys.gg });

    // A note channel of another helpdesk has no ticket to post on: skipped, explained, never sent.
    const skipped = await list(store, "&state=skipped");
    expect(skipped.map((d) => [d.reminder!.caseId, d.channel]).sort()).toEqual(
      [
        [zdCase, "hs"],
        [zdCase, "gg"],
        [hsCase, "zd"],
        [hsCase, "gg"],
        [ggCase, "zd"],
        [ggCase, "hs"],
      ].sort(),
    );
    expect(skipped.find((d) => d.reminder!.caseId === zdCase && d.channel === "gg")!.skippedBecause).toBe(
      "Gorgias note channel: this case is not a Gorgias ticket (it is zendesk ticket #5158)",
    );
    expect(await list(store, "&state=dead")).toEqual([]);
  });
});
