/** /v1/stores: creating stores (operator) and managing a store's admin tokens (store admin). */
import { z } from "zod";
import { ApiError } from "../http/errors";
import { defineRoute, json } from "../http/route";
import { AdminTokenInfo, CreateStoreBody, IssueTokenBody, StoreCreated, StoreView, TokenIssued } from "./schema";
import { issueToken, newStoreId } from "./tokens";

const storeParam = { storeId: "The store's id (`st_…`), from `POST /v1/stores`." };

export const storeRoutes = [
  defineRoute({
    method: "post",
    path: "/v1/stores",
    summary: "Create a store",
    description: "Creates a store (tenant) and its first admin token. The token is shown once; only its SHA-256 is kept.",
    tags: ["Stores"],
    auth: "operator",
    body: CreateStoreBody,
    responses: { 201: { description: "Store created", schema: StoreCreated } },
    handler: async ({ env, body }) => {
      const storeId = newStoreId();
      const token = await issueToken();
      const store = await env.STORES.getByName(storeId).createStore({ storeId, name: body.name, tokenId: token.tokenId, tokenHash: token.tokenHash });
      if (!store) throw new ApiError(409, "conflict", "store id collision, retry");
      return json({ storeId, name: store.name, adminToken: token.token, tokenId: token.tokenId }, 201);
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/stores/:storeId",
    summary: "Read a store",
    description: "The store and its admin tokens' metadata. Never a secret or a hash.",
    tags: ["Stores"],
    auth: "store",
    headers: storeParam,
    responses: { 200: { description: "The store", schema: StoreView } },
    handler: async ({ env, auth }) => {
      const store = await env.STORES.getByName(auth!.storeId).getStore();
      if (!store) throw new ApiError(404, "not_found", "store not found");
      return json(store);
    },
  }),
  defineRoute({
    method: "post",
    path: "/v1/stores/:storeId/tokens",
    summary: "Issue an admin token",
    description: "Issues another admin token, for rotation: any number can be live at once until revoked. The body (a label) may be left out.",
    tags: ["Stores"],
    auth: "store",
    body: IssueTokenBody,
    bodyOptional: true,
    responses: { 201: { description: "Token issued (shown once)", schema: TokenIssued } },
    handler: async ({ env, body, auth }) => {
      const token = await issueToken();
      await env.STORES.getByName(auth!.storeId).addAdminToken({
        tokenId: token.tokenId,
        tokenHash: token.tokenHash,
        label: body.label ?? null,
        createdBy: auth!.tokenId,
      });
      return json({ tokenId: token.tokenId, adminToken: token.token, label: body.label ?? null }, 201);
    },
  }),
  defineRoute({
    method: "delete",
    path: "/v1/stores/:storeId/tokens/:tokenId",
    summary: "Revoke an admin token",
    description: "Revokes a token at once. The last live token cannot be revoked (409): issue its replacement first.",
    tags: ["Stores"],
    auth: "store",
    responses: {
      200: { description: "Revoked", schema: z.object({ tokenId: z.string(), revoked: z.literal(true) }) },
      404: { description: "No live token with that id in this store" },
      409: { description: "It is the store's last live token" },
    },
    handler: async ({ env, params, auth }) => {
      const outcome = await env.STORES.getByName(auth!.storeId).revokeAdminToken(params.tokenId!);
      if (outcome === "not_found") throw new ApiError(404, "not_found", "no live admin token with that id");
      if (outcome === "last_live_token") throw new ApiError(409, "last_live_token", "issue a new token before revoking the last live one");
      return json({ tokenId: params.tokenId, revoked: true });
    },
  }),
];

export { AdminTokenInfo };
