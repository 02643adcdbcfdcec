/**
 * Observability: one structured JSON log line per request (request id, route, status, store id,
 * duration), and a request id a client cannot write into the logs.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, createStore } from "../support/api";

afterEach(() => {
  vi.restoreAllMocks();
});

/** Every request log line written while `run` ran, parsed. */
async function requestLines(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const log = vi.spyOn(console, "log");
  await run();
  const lines = log.mock.calls.map((args) => args.map(String).join(" "));
  log.mockRestore();
  return lines.filter((l) => l.startsWith("{") && l.includes('"msg":"request"')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("the request log", () => {
  it("writes one JSON line per request with its id, route, status, store id and duration", async () => {
    const store = await createStore("Logged");
    let answers: Awaited<ReturnType<typeof call>>[] = [];
    const lines = await requestLines(async () => {
      answers = [
        await call("GET", `/v1/stores/${store.storeId}`, { token: store.adminToken }),
        await call("GET", `/v1/stores/${store.storeId}`, { token: "prm.0123456789abcdef." + "a".repeat(43) }),
        await call("GET", "/v1/nowhere"),
      ];
    });
    expect(lines).toHaveLength(3);
    const ids = answers.map((a) => a.headers.get("x-request-id"));
    expect(new Set(ids).size).toBe(3);
    expect(lines[0]).toEqual(expect.objectContaining({ requestId: ids[0], method: "GET", route: "/v1/stores/:storeId", status: 200, storeId: store.storeId }));
    expect(lines[1]).toEqual(expect.objectContaining({ requestId: ids[1], route: "/v1/stores/:storeId", status: 401, storeId: store.storeId }));
    expect(lines[2]).toEqual(expect.objectContaining({ requestId: ids[2], route: null, status: 404, storeId: null }));
    for (const line of lines) expect(line.durationMs).toEqual(expect.any(Number));
    expect(lines[0]!.durationMs as number).toBeGreaterThanOrEqual(0);
  });

  it("uses a well-formed cf-ray as the request id, and a fresh id for anything else a client sends", async () => {
    const ray = "8f1c2b3a4d5e6f70-IST";
    const sent = [ray, 'x", "status": 200, "note": "written by the client', "8F1C2B3A4D5E6F70-IST", `${ray} admin logged in`, "a".repeat(5000)];
    let answers: Awaited<ReturnType<typeof call>>[] = [];
    const lines = await requestLines(async () => {
      answers = [];
      for (const value of sent) answers.push(await call("GET", "/healthz", { headers: { "cf-ray": value } }));
    });
    const ids = answers.map((a) => a.headers.get("x-request-id"));
    expect(ids[0]).toBe(ray);
    for (const id of ids.slice(1)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(lines.map((l) => l.requestId)).toEqual(ids);
  });
});
