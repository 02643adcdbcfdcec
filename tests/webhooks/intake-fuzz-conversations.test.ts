/** fast-check fuzz through the real fetch handler: chatwoot intercom front custom. See ./intake-fuzz.ts. */
import { afterEach, describe, vi } from "vitest";
import { fuzzProviders } from "./intake-fuzz";

afterEach(() => vi.restoreAllMocks());

describe("fuzzing through the real fetch handler", () => {
  fuzzProviders(["chatwoot", "intercom", "front", "custom"]);
});
