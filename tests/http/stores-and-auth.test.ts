/**
 * Stores and admin authentication, through the Worker's real fetch handler: who can create a
 * store, which token opens which store, rotation and revocation, and that a failed check never
 * reveals whether a store exists.
 */
import { describe, expect, it } from "vitest";
import { call, createStore, OPERATOR_TOKEN } from "../support/api";

describe("creating a store", () => {
  it("returns the store id and a one-time admin token, and never shows a secret or hash afterwards", async () => {
    const created = await call("POST", "/v1/stores", { token: OPERATOR_TOKEN, body: { name: "Anatolia Tea" } });
    expect(created.status).toBe(201);
    expect(created.body.storeId).toMatch(/^st_[0-9a-f]{16}$/);
    expect(created.body.adminToken).toMatch(/^prm\.[0-9a-f]{16}\./);

    const read = await call("GET", `/v1/stores/${created.body.storeId}`, { token: created.body.adminToken });
    expect(read.status).toBe(200);
    expect(read.body.name).toBe("Anatolia Tea");
    expect(read.body.adminTokens).toHaveLength(1);
    const text = JSON.stringify(read.body);
    expect(text).not.toContain(created.body.adminToken.split(".")[2]);
    expect(text).not.toMatch(/hash/i);
  });

  it("requires the operator token", async () => {
    expect((await call("POST", "/v1/stores", { body: { name: "x" } })).status).toBe(401);
    const wrong = await call("POST", "/v1/stores", { token: "not-the-operator", body: { name: "x" } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("unauthorized");
  });

  it("rejects a body without a name with the field path, and creates nothing", async () => {
    const res = await call("POST", "/v1/stores", { token: OPERATOR_TOKEN, body: { nam: "typo" } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.issues).toEqual([expect.objectContaining({ path: "name" })]);
  });
});

describe("store admin tokens", () => {
  it("missing or malformed tokens get 401", async () => {
    const { storeId } = await createStore();
    const missing = await call("GET", `/v1/stores/${storeId}`);
    expect(missing.status).toBe(401);
    const malformed = await call("GET", `/v1/stores/${storeId}`, { token: "hello" });
    expect(malformed.status).toBe(401);
    expect(malformed.body.error.message).toMatch(/malformed/);
  });

  it("a wrong token, another store's token and an unknown store all get the identical answer", async () => {
    const a = await createStore("A");
    const b = await createStore("B");
    const forged = `prm.${a.tokenId}.${"x".repeat(43)}`;
    const wrong = await call("GET", `/v1/stores/${a.storeId}`, { token: forged });
    const crossStore = await call("GET", `/v1/stores/${b.storeId}`, { token: a.adminToken });
    const unknownStore = await call("GET", `/v1/stores/st_0000000000000000`, { token: a.adminToken });
    const garbageStore = await call("GET", `/v1/stores/not-a-store`, { token: a.adminToken });
    for (const r of [wrong, crossStore, unknownStore, garbageStore]) {
      expect(r.status).toBe(401);
      expect(r.body).toEqual(unknownStore.body);
    }
  });

  it("two tokens can be live at once; a revoked one stops working; the last live one cannot be revoked", async () => {
    const store = await createStore();
    const second = await call("POST", `/v1/stores/${store.storeId}/tokens`, { token: store.adminToken, body: { label: "rotation" } });
    expect(second.status).toBe(201);
    expect((await call("GET", `/v1/stores/${store.storeId}`, { token: second.body.adminToken })).status).toBe(200);
    expect((await call("GET", `/v1/stores/${store.storeId}`, { token: store.adminToken })).status).toBe(200);

    const revoke = await call("DELETE", `/v1/stores/${store.storeId}/tokens/${store.tokenId}`, { token: second.body.adminToken });
    expect(revoke.status).toBe(200);
    expect((await call("GET", `/v1/stores/${store.storeId}`, { token: store.adminToken })).status).toBe(401);

    const last = await call("DELETE", `/v1/stores/${store.storeId}/tokens/${second.body.tokenId}`, { token: second.body.adminToken });
    expect(last.status).toBe(409);
    expect((await call("GET", `/v1/stores/${store.storeId}`, { token: second.body.adminToken })).status).toBe(200);
  });

  it("issues a token for a POST without a body, but still refuses a body that is not JSON", async () => {
    const store = await createStore();
    const bare = await call("POST", `/v1/stores/${store.storeId}/tokens`, { token: store.adminToken });
    expect(bare.status).toBe(201);
    expect(bare.body.label).toBeNull();
    expect((await call("GET", `/v1/stores/${store.storeId}`, { token: bare.body.adminToken })).status).toBe(200);
    const empty = await call("POST", `/v1/stores/${store.storeId}/tokens`, { token: store.adminToken, rawBody: "", headers: { "content-type": "text/plain" } });
    expect(empty.status).toBe(201);

    const form = await call("POST", `/v1/stores/${store.storeId}/tokens`, { token: store.adminToken, rawBody: "label=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(form.status).toBe(415);
    expect(form.body.error.code).toBe("unsupported_media_type");
    const invalid = await call("POST", `/v1/stores/${store.storeId}/tokens`, { token: store.adminToken, body: { label: "" } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.issues).toEqual([expect.objectContaining({ path: "label" })]);
    // The original token and the two issued without a body; nothing from the refused ones.
    expect((await call("GET", `/v1/stores/${store.storeId}`, { token: store.adminToken })).body.adminTokens).toHaveLength(3);
  });

  it("store A's token cannot issue or revoke tokens of store B", async () => {
    const a = await createStore("A");
    const b = await createStore("B");
    expect((await call("POST", `/v1/stores/${b.storeId}/tokens`, { token: a.adminToken, body: {} })).status).toBe(401);
    expect((await call("DELETE", `/v1/stores/${b.storeId}/tokens/${b.tokenId}`, { token: a.adminToken })).status).toBe(401);
    expect((await call("GET", `/v1/stores/${b.storeId}`, { token: b.adminToken })).body.adminTokens).toHaveLength(1);
  });
});

describe("request handling shared by every route", () => {
  it("unknown routes are a JSON 404, known paths with the wrong method a 405 with Allow", async () => {
    const nf = await call("GET", "/v1/nothing-here");
    expect(nf.status).toBe(404);
    expect(nf.body.error.code).toBe("not_found");
    const na = await call("PUT", "/v1/stores");
    expect(na.status).toBe(405);
    expect(na.headers.get("allow")).toBe("POST");
  });

  it("refuses bodies over 1 MiB with 413 and non-JSON bodies with 415", async () => {
    const big = await call("POST", "/v1/stores", { token: OPERATOR_TOKEN, rawBody: JSON.stringify({ name: "x".repeat(1024 * 1024 + 10) }), headers: { "content-type": "application/json" } });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe("body_too_large");
    const text = await call("POST", "/v1/stores", { token: OPERATOR_TOKEN, rawBody: "name=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(text.status).toBe(415);
  });

  it("answers malformed JSON with 400 invalid_json", async () => {
    const res = await call("POST", "/v1/stores", { token: OPERATOR_TOKEN, rawBody: "{\"name\":", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_json");
  });

  it("publishes an OpenAPI document covering every route, and a docs page", async () => {
    const doc = await call("GET", "/openapi.json");
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe("3.1.0");
    expect(doc.body.paths["/v1/stores"].post.requestBody.content["application/json"].schema.required).toContain("name");
    expect(doc.body.paths["/v1/stores/{storeId}/tokens/{tokenId}"].delete).toBeDefined();
    expect(doc.body.paths["/v1/stores"].post.requestBody.required).toBe(true);
    expect(doc.body.paths["/v1/stores/{storeId}/tokens"].post.requestBody.required).toBe(false);
    const page = await call("GET", "/docs");
    expect(page.status).toBe(200);
    expect(String(page.body)).toContain("/openapi.json");
    expect((await call("GET", "/healthz")).body).toEqual({ ok: true });
  });
});
