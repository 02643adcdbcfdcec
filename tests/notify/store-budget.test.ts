/** The per-store outbound cap: over it a delivery waits for a later window, never dropped, counted once. */
import { describe, expect, it } from "vitest";
import { DEFAULT_STORE_DELIVERIES_PER_MINUTE, OutboundBudget } from "../../src/notify/store-budget";

const T0 = Date.parse("2026-12-07T10:00:00.000Z");

describe("OutboundBudget", () => {
  it("sends up to the cap in a minute, then gives the rest the following minutes in arrival order", () => {
    const budget = new OutboundBudget(3);
    const at = T0 + 10_000;
    const verdicts = ["a", "b", "c", "d", "e", "f", "g"].map((id) => [id, budget.take(id, at)] as const);
    expect(verdicts.slice(0, 3).map(([, v]) => v)).toEqual([{ send: true }, { send: true }, { send: true }]);
    // d, e, f get the next minute (51 s away, plus one), g the one after.
    expect(verdicts.slice(3).map(([, v]) => v)).toEqual([
      { send: false, waitSeconds: 51 },
      { send: false, waitSeconds: 51 },
      { send: false, waitSeconds: 51 },
      { send: false, waitSeconds: 111 },
    ]);
    expect(budget.waiting).toBe(4);

    // Back in their minute, the waiting ones are sent without being counted again...
    const next = T0 + 61_000;
    expect(["d", "e", "f"].map((id) => budget.take(id, next))).toEqual([{ send: true }, { send: true }, { send: true }]);
    // ...so that minute is full for a newcomer, which waits behind g.
    expect(budget.take("h", next)).toEqual({ send: false, waitSeconds: 60 });
    // g came back early (a duplicate copy): it waits again for its own minute.
    expect(budget.take("g", next)).toEqual({ send: false, waitSeconds: 60 });
    expect(budget.take("g", T0 + 120_500)).toEqual({ send: true });
    expect(budget.take("h", T0 + 121_000)).toEqual({ send: true });
    expect(budget.waiting).toBe(0);
  });

  it("a new minute starts empty", () => {
    const budget = new OutboundBudget(2);
    expect([budget.take("a", T0), budget.take("b", T0)]).toEqual([{ send: true }, { send: true }]);
    expect(budget.take("c", T0 + 59_999).send).toBe(false);
    expect(budget.take("d", T0 + 120_000)).toEqual({ send: true });
  });

  it("reads the deployment setting, falling back to 12,000", () => {
    expect(OutboundBudget.perMinuteFrom("25")).toBe(25);
    expect(OutboundBudget.perMinuteFrom(undefined)).toBe(DEFAULT_STORE_DELIVERIES_PER_MINUTE);
    expect(OutboundBudget.perMinuteFrom("0")).toBe(12_000);
    expect(OutboundBudget.perMinuteFrom("many")).toBe(12_000);
  });
});
