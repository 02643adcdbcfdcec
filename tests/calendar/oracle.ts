/**
 * A deliberately naive business-time implementation, used as the reference the engine is checked
 * against: it walks local dates one by one and converts each wall-clock boundary with Temporal's
 * own `compatible` disambiguation (gaps move forward, repeated times take the first occurrence).
 * It shares no code with src/calendar, so an agreement between the two means something. It is
 * only meant for spans of weeks, not years.
 */
import { Temporal } from "temporal-polyfill";
import type { BusinessCalendar } from "../../src/calendar/index";

const WEEKDAY_KEYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

type Range = [number, number];

const toMinutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function subtract(open: Range[], closed: Range[]): Range[] {
  let out = open;
  for (const [cs, ce] of closed) {
    out = out.flatMap(([s, e]): Range[] => {
      if (ce <= s || e <= cs) return [[s, e]];
      const parts: Range[] = [];
      if (s < cs) parts.push([s, cs]);
      if (ce < e) parts.push([ce, e]);
      return parts;
    });
  }
  return out;
}

/** Wall-clock minute ranges that are open on a local date. */
function localRanges(cal: BusinessCalendar, date: Temporal.PlainDate): Range[] {
  const iso = date.toString();
  const openings = (cal.openings ?? []).filter((o) => o.date === iso);
  let ranges: Range[];
  if (openings.length > 0) ranges = openings.map((o) => [toMinutes(o.start), toMinutes(o.end)]);
  else if ((cal.holidays ?? []).includes(iso)) ranges = [];
  else ranges = (cal.week[WEEKDAY_KEYS[date.dayOfWeek - 1] as (typeof WEEKDAY_KEYS)[number]] ?? []).map(([s, e]) => [toMinutes(s), toMinutes(e)]);
  const closures = (cal.closures ?? []).filter((c) => c.date === iso).map((c): Range => [toMinutes(c.start), toMinutes(c.end)]);
  return subtract(ranges, closures).sort((a, b) => a[0] - b[0]);
}

/** Temporal's zone lookups are slow in the polyfill; the same few dates recur across runs. */
const instants = new Map<string, number>();

function instantOf(zone: string, date: Temporal.PlainDate, minutes: number): number {
  const key = `${zone} ${date.toString()} ${minutes}`;
  let ms = instants.get(key);
  if (ms === undefined) {
    const dt = date.toPlainDateTime({ hour: 0 }).add({ minutes });
    ms = dt.toZonedDateTime(zone, { disambiguation: "compatible" }).epochMilliseconds;
    instants.set(key, ms);
  }
  return ms;
}

function startOfDay(zone: string, date: Temporal.PlainDate): number {
  const key = `${zone} ${date.toString()} start`;
  let ms = instants.get(key);
  if (ms === undefined) {
    ms = date.toZonedDateTime({ timeZone: zone }).startOfDay().epochMilliseconds;
    instants.set(key, ms);
  }
  return ms;
}

const memo = new WeakMap<BusinessCalendar, Map<string, Range[]>>();

/** Open intervals of one local date as epoch-ms ranges, clipped to that date's real extent. */
export function dayIntervals(cal: BusinessCalendar, date: Temporal.PlainDate): Range[] {
  let days = memo.get(cal);
  if (!days) memo.set(cal, (days = new Map()));
  const key = date.toString();
  let found = days.get(key);
  if (!found) days.set(key, (found = computeDay(cal, date)));
  return found.map(([a, b]): Range => [a, b]);
}

function computeDay(cal: BusinessCalendar, date: Temporal.PlainDate): Range[] {
  const lo = startOfDay(cal.timeZone, date);
  const hi = startOfDay(cal.timeZone, date.add({ days: 1 }));
  const out: Range[] = [];
  const real = localRanges(cal, date).map(([s, e]): Range => [Math.max(lo, instantOf(cal.timeZone, date, s)), Math.min(hi, instantOf(cal.timeZone, date, e))]);
  // A boundary moved forward by a gap can land after a later wall time, so re-sort.
  for (const [a, b] of real.sort((x, y) => x[0] - y[0])) {
    if (a >= b) continue;
    // Ranges moved forward by a gap can overlap: time counts once.
    const prev = out[out.length - 1];
    if (prev && prev[1] >= a) prev[1] = Math.max(prev[1], b);
    else out.push([a, b]);
  }
  return out;
}

function localDate(zone: string, ms: number): Temporal.PlainDate {
  return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).toPlainDate();
}

/** Each date's open intervals from the local date of `fromMs` on (or backwards), one by one. */
function* walk(cal: BusinessCalendar, fromMs: number, step: 1 | -1): Generator<Range> {
  let date = localDate(cal.timeZone, fromMs).add({ days: -step });
  for (let i = 0; i < MAX_DAYS; i++, date = date.add({ days: step })) {
    const day = dayIntervals(cal, date);
    yield* step === 1 ? day : day.reverse();
  }
  throw new Error("oracle: nothing found within the search window");
}

const MAX_DAYS = 400;

export function between(cal: BusinessCalendar, from: number, to: number): number {
  if (to <= from) return 0;
  let sum = 0;
  for (const [s, e] of walk(cal, from, 1)) {
    if (s >= to) break;
    sum += Math.max(0, Math.min(e, to) - Math.max(s, from));
  }
  return sum;
}

export function add(cal: BusinessCalendar, start: number, duration: number): number {
  let rest = duration;
  for (const [s, e] of walk(cal, start, 1)) {
    if (e <= start) continue;
    const from = Math.max(s, start);
    if (rest <= e - from) return from + rest;
    rest -= e - from;
  }
  throw new Error("unreachable");
}

export function subtract_(cal: BusinessCalendar, start: number, duration: number): number {
  let rest = duration;
  for (const [s, e] of walk(cal, start, -1)) {
    if (s > start) continue;
    if (duration === 0 && s <= start && start < e) return start;
    if (s === start) continue;
    const to = Math.min(e, start);
    if (rest <= to - s) return to - rest;
    rest -= to - s;
  }
  throw new Error("unreachable");
}
export { subtract_ as subtract };

export function isOpen(cal: BusinessCalendar, at: number): boolean {
  for (const [s, e] of walk(cal, at, 1)) {
    if (s > at) return false;
    if (at < e) return true;
  }
  return false;
}

export function nextOpening(cal: BusinessCalendar, at: number): number {
  return add(cal, at, 0);
}

/**
 * The end of the period at the next opening; periods that meet at midnight are one period.
 * Infinity once a whole week past the last dated rule has stayed open: the weekly pattern
 * repeats, so it would stay open for ever.
 */
export function nextClosing(cal: BusinessCalendar, at: number): number {
  const open = nextOpening(cal, at);
  const dated = [...(cal.holidays ?? []), ...(cal.closures ?? []).map((c) => c.date), ...(cal.openings ?? []).map((o) => o.date)].sort();
  const lastRule = Temporal.PlainDate.from(dated[dated.length - 1] ?? "1900-01-01");
  let date = localDate(cal.timeZone, open).subtract({ days: 1 });
  let end: number | null = null;
  for (let i = 0; i < MAX_DAYS; i++, date = date.add({ days: 1 })) {
    for (const [s, e] of dayIntervals(cal, date)) {
      if (end === null) {
        if (s <= open && open < e) end = e;
      } else if (s <= end) end = Math.max(end, e);
      else return end;
    }
    if (end !== null && Temporal.PlainDate.compare(date, lastRule.add({ days: 8 })) > 0 && end >= startOfDay(cal.timeZone, date.add({ days: 1 }))) {
      if (i > 9) return Infinity;
    }
  }
  throw new Error("oracle: nothing found within the search window");
}
