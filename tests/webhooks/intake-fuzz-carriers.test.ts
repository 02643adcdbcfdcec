/** fast-check fuzz through the real fetch handler: shopify easypost aftership shippo 17track shipengine. See ./intake-fuzz.ts. */
import { afterEach, describe, vi } from "vitest";
import { fuzzProviders } from "./intake-fuzz";

afterEach(() => vi.restoreAllMocks());

describe("fuzzing through the real fetch handler", () => {
  fuzzProviders(["shopify", "easypost", "aftership", "shippo", "17track", "shipengine"]);
});
