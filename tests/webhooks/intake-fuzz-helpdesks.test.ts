/** fast-check fuzz through the real fetch handler: the first half of the helpdesks. See ./intake-fuzz.ts. */
import { afterEach, describe, it, vi } from "vitest";
import { coversAllProviders, fuzzGroup, fuzzProviders } from "./intake-fuzz";

afterEach(() => vi.restoreAllMocks());

describe("fuzzing through the real fetch handler", () => {
  it("covers every provider across the three groups", coversAllProviders);
  fuzzProviders(fuzzGroup("helpdesks"));
});
