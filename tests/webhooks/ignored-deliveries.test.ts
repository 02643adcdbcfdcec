/**
 * Deliveries Promptly does not act on (a topic it does not handle, a status the store left
 * unmapped) are answered 200 and remembered, so a provider's retry is a duplicate. They are
 * remembered for as long as providers retry, not forever.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { IGNORED_KEEP_MS, recordIgnored } from "../../src/webhooks/provider-store";
import { createStore } from "../support/api";

const HOUR = 3_600_000;

describe("ignored deliveries", () => {
  it("are duplicates through the longest provider retry window, and forgotten after the keep period", async () => {
    const store = await createStore();
    await runInDurableObject(env.STORES.getByName(store.storeId), (_registry, state) => {
      const sql = state.storage.sql;
      const t0 = Date.parse("2026-12-01T09:00:00Z");
      expect(recordIgnored(sql, "shopify", "w-1", "topic not handled", t0)).toBe(false);
      // AfterShip retries for about 68 hours, the longest documented window.
      expect(recordIgnored(sql, "shopify", "w-1", "topic not handled", t0 + 68 * HOUR)).toBe(true);
      // Any later delivery clears what has expired; the old one is new again when it comes back.
      expect(recordIgnored(sql, "aftership", "e-9", "status not mapped", t0 + IGNORED_KEEP_MS + 1)).toBe(false);
      const kept = sql.exec<{ id: string }>(`SELECT provider_event_id AS id FROM ignored_deliveries ORDER BY id`).toArray().map((r) => r.id);
      expect(kept).toEqual(["e-9"]);
      expect(recordIgnored(sql, "shopify", "w-1", "topic not handled", t0 + IGNORED_KEEP_MS + 2)).toBe(false);
    });
  });
});
