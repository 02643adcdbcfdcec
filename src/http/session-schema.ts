/**
 * The shapes of the console's session API, apart from its handlers so the console (which imports
 * API types from src/) can read them without pulling in Worker code
 * (hence the store id pattern written out: src/stores/tokens.ts imports the Worker's crypto).
 */
import { z } from "zod";

export const SessionBody = z.object({
  storeId: z.string().regex(/^st_[0-9a-f]{16}$/, "a store id: st_ followed by 16 hex digits"),
  token: z.string().min(1, "the store's admin token (prm.…)").max(200),
});

export const SessionView = z.object({
  storeId: z.string(),
  storeName: z.string(),
  tokenId: z.string(),
  expiresAt: z.string().meta({ description: "ISO 8601 instant (UTC) when the session ends" }),
});
export type SessionView = z.infer<typeof SessionView>;

