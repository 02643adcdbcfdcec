/**
 * Algebraic properties of the engine over random calendars (see ./arbitraries.ts) and spans of
 * up to about 15 years of each calendar's own hours. Bounded runs keep CI quick.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addBusinessTime, businessTimeBetween, nextOpening, subtractBusinessTime } from "../../src/calendar/index";
import { scenario, weeklyMs } from "./arbitraries";
import { DAY, HOUR } from "./helpers";

const RUNS = { numRuns: 50 };

/** Engine-only properties, over spans of up to about 15 years of the calendar's own hours. */
const far = fc
  .record({
    cal: scenario.map((x) => x.cal),
    start: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
    f1: fc.double({ min: 0, max: 1, noNaN: true }),
    f2: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ cal, start, f1, f2 }) => {
    const span = weeklyMs(cal) * 52 * 15;
    return { cal, start, d1: Math.floor(f1 * f1 * span), d2: Math.floor(f2 * f2 * span) };
  });

describe("algebraic properties", () => {
  it("businessTimeBetween(c, s, addBusinessTime(c, s, d)) === d", () => {
    fc.assert(
      fc.property(far, ({ cal, start, d1 }) => {
        expect(businessTimeBetween(cal, start, addBusinessTime(cal, start, d1))).toBe(d1);
      }),
      RUNS,
    );
  });

  it("deadlines are strictly increasing in the duration", () => {
    fc.assert(
      fc.property(far, ({ cal, start, d1, d2 }) => {
        const [lo, hi] = d1 <= d2 ? [d1, d2] : [d2, d1];
        const a = addBusinessTime(cal, start, lo);
        const b = addBusinessTime(cal, start, hi);
        if (lo === hi) expect(a).toBe(b);
        else expect(a).toBeLessThan(b);
        expect(subtractBusinessTime(cal, start, hi)).toBeLessThanOrEqual(subtractBusinessTime(cal, start, lo));
      }),
      RUNS,
    );
  });

  it("adding in two steps is adding once (d2 > 0), so long spans compose from short ones", () => {
    fc.assert(
      fc.property(far, ({ cal, start, d1, d2 }) => {
        fc.pre(d2 > 0);
        expect(addBusinessTime(cal, addBusinessTime(cal, start, d1), d2)).toBe(addBusinessTime(cal, start, d1 + d2));
      }),
      RUNS,
    );
  });

  it("subtract undoes add up to the nearest business instant", () => {
    fc.assert(
      fc.property(far, ({ cal, start, d1 }) => {
        fc.pre(d1 > 0);
        // Forward then back lands where business time resumes at or after the start.
        expect(subtractBusinessTime(cal, addBusinessTime(cal, start, d1), d1)).toBe(nextOpening(cal, start));
        // Back then forward lands at or before the start, with no business time in between.
        const back = addBusinessTime(cal, subtractBusinessTime(cal, start, d1), d1);
        expect(back).toBeLessThanOrEqual(start);
        expect(businessTimeBetween(cal, back, start)).toBe(0);
        expect(businessTimeBetween(cal, subtractBusinessTime(cal, start, d1), start)).toBe(d1);
      }),
      RUNS,
    );
  });

  it("answers do not depend on what was asked before (coverage grows without changing results)", () => {
    fc.assert(
      fc.property(far, fc.array(fc.integer({ min: Date.UTC(1950, 0, 1), max: Date.UTC(2100, 0, 1) }), { maxLength: 3 }), ({ cal, start, d1 }, earlier) => {
        const fresh = structuredClone(cal);
        // Equal documents share one prepared calendar, so the reference is a copy with a holiday
        // in 1901 that changes nothing here but its identity: prepared afresh, never warmed.
        const untouched = { ...structuredClone(cal), holidays: [...(cal.holidays ?? []), "1901-01-01"] };
        for (const t of earlier) addBusinessTime(fresh, t, HOUR);
        expect(addBusinessTime(fresh, start, d1)).toBe(addBusinessTime(untouched, start, d1));
        expect(businessTimeBetween(fresh, start - 400 * DAY, start)).toBe(businessTimeBetween(untouched, start - 400 * DAY, start));
      }),
      { numRuns: 40 },
    );
  });

  it('"24/7" is plain arithmetic on instants', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4e12 }), fc.integer({ min: 0, max: 1e11 }), (s, d) => {
        expect(addBusinessTime("24/7", s, d)).toBe(s + d);
        expect(subtractBusinessTime("24/7", s, d)).toBe(s - d);
        expect(businessTimeBetween("24/7", s, s + d)).toBe(d);
      }),
      RUNS,
    );
  });
});
