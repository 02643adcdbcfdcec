/** Store (tenant) and admin-token shapes: request bodies and responses of /v1/stores. */
import { z } from "zod";

export const CreateStoreBody = z.object({
  name: z.string().trim().min(1, "name is required").max(200),
});

export const IssueTokenBody = z.object({
  label: z.string().trim().min(1).max(100).optional(),
});

export const AdminTokenInfo = z.object({
  tokenId: z.string(),
  label: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type AdminTokenInfo = z.infer<typeof AdminTokenInfo>;

export const StoreView = z.object({
  storeId: z.string(),
  name: z.string(),
  createdAt: z.string(),
  adminTokens: z.array(AdminTokenInfo),
});
export type StoreView = z.infer<typeof StoreView>;

export const StoreCreated = z.object({
  storeId: z.string(),
  name: z.string(),
  /** Shown once: only its SHA-256 is stored. */
  adminToken: z.string(),
  tokenId: z.string(),
});

export const TokenIssued = z.object({ tokenId: z.string(), adminToken: z.string(), label: z.string().nullable() });
