/**
 * Webhooks against the real `wrangler dev` with state on disk: a store created and a provider
 * configured over HTTP, a signed fixture posted, the case visible through the case API, and the
 * dedupe surviving a crash (SIGKILL) and restart on the same state — a 202 meant "stored".
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signDelivery } from "../webhooks/signers";
import { request } from "./support/http";
import { DevServer, E2E_OPERATOR_TOKEN, ROOT } from "./support/wrangler";

const fixture = (path: string) => readFileSync(join(ROOT, "tests/fixtures", path), "utf8");

describe("webhooks through wrangler dev", () => {
  const server = new DevServer();
  beforeAll(() => server.start());
  afterAll(() => server.dispose());

  it("configure Zendesk over HTTP, post a signed fixture, see the case; a retry is a duplicate, even after a crash and restart", async () => {
    const created = await request(server.url, "POST", "/v1/stores", { token: E2E_OPERATOR_TOKEN, body: { name: "E2E webhooks" } });
    expect(created.status, server.logs()).toBe(201);
    const { storeId, adminToken } = created.body;

    const secret = "e2e-zendesk-signing-secret";
    const put = await request(server.url, "PUT", `/v1/stores/${storeId}/providers/zendesk`, { token: adminToken, body: { secrets: [secret], options: { subdomain: "acme" } } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.hookUrl).toBe(`${server.url}/hooks/${storeId}/zendesk`);
    expect(JSON.stringify(put.body)).not.toContain(secret);

    const setup = await request(server.url, "GET", `/v1/stores/${storeId}/providers/zendesk/setup`, { token: adminToken });
    expect(setup.status).toBe(200);
    expect(setup.body.steps.join("\n")).toContain(put.body.hookUrl);

    const body = fixture("zendesk/ticket-created.json");
    const post = async () => request(server.url, "POST", `/hooks/${storeId}/zendesk`, { rawBody: body, headers: await signDelivery("zendesk", body, secret) });

    const first = await post();
    expect(first.status, `${JSON.stringify(first.body)}\n${server.logs()}`).toBe(202);
    expect(first.body).toMatchObject({ caseId: "ticket:zendesk:5158", eventId: "zendesk:cbe4028c-7239-495d-b020-f22348516046", duplicate: false });
    expect(first.body.events.map((e: { kind: string }) => e.kind)).toEqual(["case.opened", "case.customer_message"]);

    const caseUrl = `/v1/stores/${storeId}/cases/${encodeURIComponent(first.body.caseId)}`;
    const seen = await request(server.url, "GET", caseUrl, { token: adminToken });
    expect(seen.status, JSON.stringify(seen.body)).toBe(200);
    expect(seen.body).toMatchObject({ caseId: "ticket:zendesk:5158", status: "open", subject: "ticketinfo_2294a6e9ece2", url: "https://acme.zendesk.com/agent/tickets/5158" });
    expect(seen.body.timeline.events.map((e: { eventId: string }) => e.eventId)).toContain(first.body.eventId);

    const retry = await post();
    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({ caseId: first.body.caseId, eventId: first.body.eventId, duplicate: true });

    // A tampered copy is refused and changes nothing.
    const forged = await request(server.url, "POST", `/hooks/${storeId}/zendesk`, { rawBody: body.replace('"LOW"', '"URGENT"'), headers: await signDelivery("zendesk", body, secret) });
    expect(forged.status).toBe(401);

    // Crash (no graceful shutdown) and restart on the same state directory.
    await server.restart("SIGKILL");

    const afterCrash = await post();
    expect(afterCrash.status, server.logs()).toBe(202);
    expect(afterCrash.body).toMatchObject({ caseId: first.body.caseId, eventId: first.body.eventId, duplicate: true });
    const still = await request(server.url, "GET", caseUrl, { token: adminToken });
    expect(still.status).toBe(200);
    expect(still.body.timeline.events.map((e: { eventId: string }) => e.eventId)).toEqual(seen.body.timeline.events.map((e: { eventId: string }) => e.eventId));
  });
});
