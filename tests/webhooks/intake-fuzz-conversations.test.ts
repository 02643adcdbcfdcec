/** fast-check fuzz through the real fetch handler: the other helpdesks and `custom`. See ./intake-fuzz.ts. */
import { afterEach, describe, vi } from "vitest";
import { fuzzGroup, fuzzProviders } from "./intake-fuzz";

afterEach(() => vi.restoreAllMocks());

describe("fuzzing through the real fetch handler", () => {
  fuzzProviders(fuzzGroup("conversations"));
});
