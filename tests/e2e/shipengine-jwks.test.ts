/**
 * ShipEngine's key set served by a real HTTP server (node:http on 127.0.0.1) and fetched by the
 * real `wrangler dev`: a delivery signed with that key is verified and stored, a forged one is
 * refused, and the keys are fetched once, not per request (issue 28 item 5, issue 22 item 7).
 * Loopback key sets are allowed only because the e2e server sets ALLOW_LOOPBACK_DESTINATIONS.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shipEngineKey, signDelivery } from "../webhooks/signers";
import { request } from "./support/http";
import { DevServer, E2E_OPERATOR_TOKEN, freePort, ROOT } from "./support/wrangler";

describe("ShipEngine against a real key server", () => {
  const server = new DevServer();
  let keyServer: Server;
  let keyUrl = "";
  const served: string[] = [];
  let key: Awaited<ReturnType<typeof shipEngineKey>>;

  beforeAll(async () => {
    key = await shipEngineKey("e2e-key-1");
    const port = await freePort();
    keyServer = createServer((req, res) => {
      served.push(req.url ?? "");
      if (req.url !== "/jwks") {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(key.jwks));
    });
    await new Promise<void>((resolve) => keyServer.listen(port, "127.0.0.1", resolve));
    keyUrl = `http://127.0.0.1:${port}/jwks`;
    await server.start();
  });
  afterAll(async () => {
    await server.dispose();
    await new Promise<void>((resolve) => keyServer.close(() => resolve()));
  });

  it("verifies a delivery signed with the served key, refuses a forged one, and fetches the keys once", async () => {
    const created = await request(server.url, "POST", "/v1/stores", { token: E2E_OPERATOR_TOKEN, body: { name: "E2E ShipEngine" } });
    expect(created.status, server.logs()).toBe(201);
    const { storeId, adminToken } = created.body;
    const put = await request(server.url, "PUT", `/v1/stores/${storeId}/providers/shipengine`, { token: adminToken, body: { jwksUrl: keyUrl } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.options).toEqual({ jwksUrl: keyUrl });

    const body = readFileSync(join(ROOT, "tests/fixtures/shipengine/api-track-delivered-usps-2019.json"), "utf8");
    const first = await request(server.url, "POST", `/hooks/${storeId}/shipengine`, { rawBody: body, headers: await signDelivery("shipengine", body, "", { rsa: key }) });
    expect(first.status, `${JSON.stringify(first.body)}\n${server.logs()}`).toBe(202);
    expect(first.body.duplicate).toBe(false);
    expect(first.body.caseId).toMatch(/^shipment:/);

    // Signed with another key under the same id: refused, with the one answer every unverified delivery gets.
    const impostor = await shipEngineKey("e2e-key-1");
    const forged = await request(server.url, "POST", `/hooks/${storeId}/shipengine`, { rawBody: body, headers: await signDelivery("shipengine", body, "", { rsa: impostor }) });
    expect(forged.status).toBe(401);
    expect(forged.body.error).toEqual({ code: "bad_signature", message: "the delivery could not be verified for this store and provider" });

    const again = await request(server.url, "POST", `/hooks/${storeId}/shipengine`, { rawBody: body, headers: await signDelivery("shipengine", body, "", { rsa: key }) });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ duplicate: true, caseId: first.body.caseId });
    // One Worker isolate under wrangler dev: one fetch for all three deliveries.
    expect(served).toEqual(["/jwks"]);

    const seen = await request(server.url, "GET", `/v1/stores/${storeId}/cases/${encodeURIComponent(first.body.caseId)}`, { token: adminToken });
    expect(seen.status).toBe(200);
    expect(seen.body.timeline.events.map((e: { provider: string }) => e.provider)).toEqual(["shipengine"]);
  });
});
