/** Random calendars for property tests, in zones chosen for awkward transitions. */
import fc from "fast-check";
import type { BusinessCalendar } from "../../src/calendar/index";
import { DAY } from "./helpers";
import * as oracle from "./oracle";

export const ZONES = [
  "Europe/Berlin",
  "America/Sao_Paulo",
  "Asia/Tehran",
  "Australia/Sydney",
  "America/Santiago",
  "America/Havana",
  "Australia/Lord_Howe",
  "Pacific/Apia",
  "America/New_York",
  "Asia/Kolkata",
];
/** Instants a few days before transitions in at least one of the zones. */
export const WINDOWS = [
  Date.UTC(2011, 11, 25),
  Date.UTC(2018, 1, 10),
  Date.UTC(2018, 9, 28),
  Date.UTC(2021, 2, 15),
  Date.UTC(2021, 8, 15),
  Date.UTC(2022, 2, 18),
  Date.UTC(2026, 2, 25),
  Date.UTC(2026, 9, 20),
];

const hhmm = (m: number): string => (m === 1440 ? "24:00" : `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`);
/** Minutes of the day, biased to midnight and quarter hours, where bugs live. */
const minute = fc.oneof(fc.constantFrom(0, 1440), fc.integer({ min: 0, max: 96 }).map((q) => q * 15), fc.integer({ min: 0, max: 1440 }));
/** Up to three disjoint [start, end) ranges of one day, possibly touching at 24:00. */
const dayHours = fc.array(fc.tuple(minute, minute), { maxLength: 3 }).map((pairs) => {
  const points = [...new Set(pairs.flat())].sort((a, b) => a - b);
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < points.length; i += 2) out.push([hhmm(points[i] as number), hhmm(points[i + 1] as number)]);
  return out;
});
const ALL_DAY: BusinessCalendar["week"] = Object.fromEntries(["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, [["00:00", "24:00"]]]));
const week = fc.oneof(
  { weight: 1, arbitrary: fc.constant(ALL_DAY) },
  {
    weight: 6,
    arbitrary: fc
      .record({ mon: dayHours, tue: dayHours, wed: dayHours, thu: dayHours, fri: dayHours, sat: dayHours, sun: dayHours })
      .filter((w) => Object.values(w).some((r) => r.length > 0)),
  },
);
const dateNear = (base: number) => fc.integer({ min: -10, max: 30 }).map((k) => new Date(base + k * DAY).toISOString().slice(0, 10));
const datedRange = (base: number) =>
  fc
    .tuple(dateNear(base), minute, minute)
    .filter(([, a, b]) => a !== b)
    .map(([date, a, b]) => ({ date, start: hhmm(Math.min(a, b)), end: hhmm(Math.max(a, b)) }));
/** A calendar and an instant near one of its zone's transitions. */
export const scenario = fc.tuple(fc.constantFrom(...ZONES), fc.constantFrom(...WINDOWS)).chain(([timeZone, base]) =>
  fc.record({
    base: fc.constant(base),
    cal: fc.record({
      timeZone: fc.constant(timeZone),
      week,
      holidays: fc.array(dateNear(base), { maxLength: 4 }),
      closures: fc.array(datedRange(base), { maxLength: 3 }),
      // Openings on one date may not overlap; one per calendar keeps the generator simple.
      openings: fc.array(datedRange(base), { maxLength: 1 }),
    }) as fc.Arbitrary<BusinessCalendar>,
  }),
);

/** A start instant: anywhere, on the quarter hour, or at or next to an opening or a closing. */
export function pickStart(cal: BusinessCalendar, base: number, offsetS: number, mode: number, jitter: number): number {
  const raw = base + offsetS * 1000;
  if (mode === 0) return raw;
  if (mode === 1) return Math.round(raw / 900_000) * 900_000;
  const closing = oracle.nextClosing(cal, raw);
  const edge = mode === 2 || !Number.isFinite(closing) ? oracle.nextOpening(cal, raw) : closing;
  return edge + (mode === 4 ? jitter : 0);
}

/** A duration: arbitrary, zero, exactly to the next closing, or a few days' worth. */
export function pickDuration(cal: BusinessCalendar, start: number, seconds: number, mode: number): number {
  if (mode === 1) return 0;
  if (mode === 2) {
    const closing = oracle.nextClosing(cal, start);
    return Number.isFinite(closing) ? oracle.between(cal, start, closing) : 0;
  }
  if (mode === 3) return Math.round(seconds / 900) * 900_000;
  return seconds * 1000 * (mode === 4 ? 10 : 1);
}

const toMin = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
export const weeklyMs = (cal: BusinessCalendar): number =>
  Object.values(cal.week).reduce((sum, hours) => sum + (hours ?? []).reduce((t, [a, b]) => t + (toMin(b) - toMin(a)) * 60_000, 0), 0);
