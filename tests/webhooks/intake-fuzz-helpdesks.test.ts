/** fast-check fuzz through the real fetch handler: zendesk freshdesk gorgias helpscout zammad. See ./intake-fuzz.ts. */
import { afterEach, describe, it, vi } from "vitest";
import { coversAllProviders, fuzzProviders } from "./intake-fuzz";

afterEach(() => vi.restoreAllMocks());

describe("fuzzing through the real fetch handler", () => {
  it("covers all 15 providers", coversAllProviders);
  fuzzProviders(["zendesk", "freshdesk", "gorgias", "helpscout", "zammad"]);
});
