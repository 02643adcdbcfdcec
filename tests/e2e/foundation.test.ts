/**
 * The real service as a newcomer runs it: `wrangler dev` with state on disk. A store created
 * over HTTP is still there after the process is restarted on the same state directory.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "./support/http";
import { DevServer, E2E_OPERATOR_TOKEN } from "./support/wrangler";

describe("wrangler dev, persisted state", () => {
  const server = new DevServer();
  beforeAll(() => server.start());
  afterAll(() => server.dispose());

  it("keeps a store and its admin token across a restart", async () => {
    const created = await request(server.url, "POST", "/v1/stores", { token: E2E_OPERATOR_TOKEN, body: { name: "Restart Test" } });
    expect(created.status, server.logs()).toBe(201);
    const { storeId, adminToken } = created.body;

    await server.restart();

    const read = await request(server.url, "GET", `/v1/stores/${storeId}`, { token: adminToken });
    expect(read.status, server.logs()).toBe(200);
    expect(read.body.name).toBe("Restart Test");
    const other = await request(server.url, "GET", `/v1/stores/${storeId}`, { token: "prm.0000000000000000." + "a".repeat(43) });
    expect(other.status).toBe(401);
  });
});
