/**
 * The engine against a deliberately naive day-by-day Temporal walk (./oracle.ts), over random
 * calendars in zones with awkward transitions (midnight gaps, 30-minute shifts, a skipped
 * date, abolished DST), near real transition dates, with starts and durations biased to the
 * boundaries. Runs are few to keep CI quick; a failure prints fast-check's seed and shrunk
 * counterexample to replay it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addBusinessTime, businessTimeBetween, isOpen, nextClosing, nextOpening, subtractBusinessTime } from "../../src/calendar/index";
import { pickDuration, pickStart, scenario } from "./arbitraries";
import * as oracle from "./oracle";

describe("the engine agrees with a naive day-by-day Temporal walk", () => {
  it("for isOpen, add, subtract, between, nextOpening and nextClosing", () => {
    fc.assert(
      fc.property(
        scenario,
        fc.integer({ min: -5 * 86_400, max: 25 * 86_400 }),
        fc.integer({ min: 0, max: 3 * 86_400 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.constantFrom(-1, 1),
        ({ base, cal }, offsetS, seconds, startMode, durationMode, jitter) => {
          const s = pickStart(cal, base, offsetS, startMode, jitter);
          const d = pickDuration(cal, s, seconds, durationMode);
          let expectedAdd: number;
          try {
            expectedAdd = oracle.add(cal, s, d);
          } catch {
            // Too sparse a week for the oracle's 400-day window: nothing to compare.
            fc.pre(false);
            return;
          }
          expect(isOpen(cal, s)).toBe(oracle.isOpen(cal, s));
          expect(addBusinessTime(cal, s, d)).toBe(expectedAdd);
          expect(subtractBusinessTime(cal, s, d)).toBe(oracle.subtract(cal, s, d));
          expect(businessTimeBetween(cal, s, s + 3 * d)).toBe(oracle.between(cal, s, s + 3 * d));
          expect(nextOpening(cal, s)).toBe(oracle.nextOpening(cal, s));
          expect(nextClosing(cal, s)).toBe(oracle.nextClosing(cal, s));
        },
      ),
      { numRuns: 50 },
    );
  });
});

