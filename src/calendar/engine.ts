/**
 * Business-time arithmetic over a prepared calendar.
 *
 * Everything reduces to one monotone function, the cumulative business time C(t) since a fixed
 * anchor. Per local day d, B(d) is C at the start of day d:
 *
 *   B(d) = base(d) + corr(d)
 *
 * where base(d) is what the plain weekly pattern would give (whole weeks × weekly total + a
 * partial week, O(1)) and corr(d) sums, over the "special" days before d, how much that day
 * actually differs from its pattern. Special days are the only ones that can differ: holidays,
 * closures, openings, and the days around a UTC-offset change. So C(t) is two binary searches,
 * and its inverse (a deadline) is a binary search over special days plus at most two weeks of
 * single-day steps, whatever the span: no walking day by day across years.
 */
import { ALWAYS_OPEN, BusinessCalendar, type Calendar, CalendarSchema, minutesOf, WEEKDAYS } from "./schema";
import { lowerBound, upperBound, type ZoneOffsets, zoneOffsets } from "./zone";

const DAY = 86_400_000;
const MINUTE = 60_000;
/** Days are numbered from 1970-01-01 (a Thursday); +3 makes Monday index 0. */
const MONDAY_SHIFT = 3;
/**
 * The supported range, 1900-01-01T00:00Z to 2300-01-01T00:00Z: an instant outside it is a
 * RangeError, a result outside it is ±Infinity. Coverage may reach a week beyond, so that
 * queries near the edges still see whole days around them.
 */
const RANGE_LO = -25_567 * DAY;
const RANGE_HI = 120_529 * DAY;
const MIN_DAY = -25_567 - 8;
const MAX_DAY = 120_529 + 8;

/** A result instant, or ±Infinity when it lies outside the supported range. */
const inRange = (t: number): number => (t < RANGE_LO ? -Infinity : t > RANGE_HI ? Infinity : t);
/** How far coverage reaches beyond what a query needs, so most calls never rebuild. */
const MARGIN_DAYS = 400;

const floorDiv = (a: number, b: number): number => Math.floor(a / b);
const mod = (a: number, b: number): number => ((a % b) + b) % b;

/**
 * Days since 1970-01-01 of a `YYYY-MM-DD` date (Howard Hinnant's days_from_civil), exact for
 * every year: Date.UTC would read years 0–99 as 1900–1999.
 */
export function parseDay(date: string): number {
  const m = Number(date.slice(5, 7));
  const y = Number(date.slice(0, 4)) - (m <= 2 ? 1 : 0);
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + Number(date.slice(8, 10)) - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Flat, sorted, merged [start, end, start, end, …] pairs. */
type Flat = number[];

function mergeFlat(pairs: [number, number][]): Flat {
  pairs.sort((x, y) => x[0] - y[0]);
  const out: Flat = [];
  for (const [s, e] of pairs) {
    if (e <= s) continue;
    const n = out.length;
    if (n > 0 && s <= (out[n - 1] as number)) out[n - 1] = Math.max(out[n - 1] as number, e);
    else out.push(s, e);
  }
  return out;
}

function subtractFlat(hours: Flat, closed: [number, number][]): Flat {
  let pieces: [number, number][] = [];
  for (let i = 0; i < hours.length; i += 2) pieces.push([hours[i] as number, hours[i + 1] as number]);
  for (const [cs, ce] of closed) {
    const next: [number, number][] = [];
    for (const [s, e] of pieces) {
      if (ce <= s || cs >= e) next.push([s, e]);
      else {
        if (s < cs) next.push([s, cs]);
        if (ce < e) next.push([ce, e]);
      }
    }
    pieces = next;
  }
  return mergeFlat(pieces);
}

function flatTotal(f: Flat): number {
  let t = 0;
  for (let i = 0; i < f.length; i += 2) t += (f[i + 1] as number) - (f[i] as number);
  return t;
}

interface DateRules {
  holiday: boolean;
  openings: [number, number][] | null;
  closures: [number, number][];
}

/** A calendar validated and precomputed; obtain one with `prepareCalendar`. */
export interface PreparedCalendar {
  readonly alwaysOpen: boolean;
  /** Business time (ms) from the calendar's fixed anchor to `t`. */
  cumulative(t: number): number;
  /** The earliest instant at which cumulative time reaches `x`. */
  earliestReaching(x: number): number;
  /** The latest instant at which cumulative time is still at most `x`. */
  latestAt(x: number): number;
  isOpen(t: number): boolean;
  /** The end of the open period that starts at or contains `openAt` (an open instant). */
  closingAfter(openAt: number): number;
}

const alwaysOpen: PreparedCalendar = {
  alwaysOpen: true,
  cumulative: (t) => t,
  earliestReaching: (x) => x,
  latestAt: (x) => x,
  isOpen: () => true,
  closingAfter: () => Infinity,
};

class BusinessHoursCalendar implements PreparedCalendar {
  readonly alwaysOpen = false;
  private readonly zone: ZoneOffsets;
  /** Per Monday-based weekday: merged intervals in minutes since local midnight. */
  private readonly week: Flat[];
  private readonly weekTotal: number;
  /** prefixWeek[r]: pattern business time of the first r days of a Monday-based week. */
  private readonly prefixWeek: number[];
  private readonly dayTotal: number[];
  private readonly fullWeek: boolean;
  private readonly rules = new Map<number, DateRules>();
  private readonly ruleDays: number[];

  // Coverage: special days are complete for days in [covLo, covHi).
  private covLo = 0;
  private covHi = 0;
  /** The day whose B is the fixed origin of cumulative time (set on first use). */
  private anchorDay = 0;
  private specials: number[] = [];
  private specialPlans: Flat[] = [];
  private specialTotals: number[] = [];
  /** corr[i]: Σ (actual − pattern) over specials[0..i), shifted so the anchor is 0. */
  private corr: number[] = [0];
  /** B(specials[i]). */
  private specialB: number[] = [];
  private readonly planCache = new Map<number, Flat>();

  constructor(doc: BusinessCalendar) {
    this.zone = zoneOffsets(doc.timeZone);
    this.week = WEEKDAYS.map((d) => mergeFlat((doc.week[d] ?? []).map(([s, e]) => [minutesOf(s), minutesOf(e)])));
    this.dayTotal = this.week.map((f) => flatTotal(f) * MINUTE);
    this.prefixWeek = [0];
    for (const t of this.dayTotal) this.prefixWeek.push((this.prefixWeek[this.prefixWeek.length - 1] as number) + t);
    this.weekTotal = this.prefixWeek[7] as number;
    this.fullWeek = this.week.every((f) => f.length === 2 && f[0] === 0 && f[1] === 1440);
    const rulesFor = (date: string): DateRules => {
      const day = parseDay(date);
      let r = this.rules.get(day);
      if (r === undefined) {
        r = { holiday: false, openings: null, closures: [] };
        this.rules.set(day, r);
      }
      return r;
    };
    for (const h of doc.holidays ?? []) rulesFor(h).holiday = true;
    for (const c of doc.closures ?? []) rulesFor(c.date).closures.push([minutesOf(c.start), minutesOf(c.end)]);
    for (const o of doc.openings ?? []) {
      const r = rulesFor(o.date);
      (r.openings ??= []).push([minutesOf(o.start), minutesOf(o.end)]);
    }
    this.ruleDays = [...this.rules.keys()].sort((a, b) => a - b);
  }

  // ---- days -------------------------------------------------------------------------------

  private base(d: number): number {
    const k = d + MONDAY_SHIFT;
    return floorDiv(k, 7) * this.weekTotal + (this.prefixWeek[mod(k, 7)] as number);
  }

  private dayStart(d: number): number {
    return this.zone.localToUtc(d * DAY);
  }

  /** The local day an instant belongs to: the last day whose (DST-resolved) midnight is ≤ u. */
  private dayOf(u: number): number {
    let d = Math.floor((u + this.zone.offsetAt(u)) / DAY);
    while (this.dayStart(d + 1) <= u) d++;
    while (this.dayStart(d) > u) d--;
    return d;
  }

  /** B(d): cumulative business time at the start of local day d (d within coverage). */
  private B(d: number): number {
    return this.base(d) + (this.corr[lowerBound(this.specials, d)] as number);
  }

  /** The day's open intervals as UTC instants. */
  private plan(d: number): Flat {
    const i = lowerBound(this.specials, d);
    if (this.specials[i] === d) return this.specialPlans[i] as Flat;
    const pattern = this.week[mod(d + MONDAY_SHIFT, 7)] as Flat;
    // Regular days sit away from offset changes, so one offset maps the whole day.
    const start = d * DAY - this.zone.offsetAt(d * DAY);
    return pattern.map((m) => start + m * MINUTE);
  }

  private computePlan(d: number): Flat {
    const cached = this.planCache.get(d);
    if (cached) return cached;
    const r = this.rules.get(d);
    let local: Flat = this.week[mod(d + MONDAY_SHIFT, 7)] as Flat;
    if (r?.openings) local = mergeFlat(r.openings.map(([s, e]) => [s, e]));
    else if (r?.holiday) local = [];
    if (r && r.closures.length > 0) local = subtractFlat(local, r.closures);
    const lo = this.dayStart(d);
    const hi = this.dayStart(d + 1);
    const pairs: [number, number][] = [];
    for (let i = 0; i < local.length; i += 2) {
      const s = Math.max(lo, this.zone.localToUtc(d * DAY + (local[i] as number) * MINUTE));
      const e = Math.min(hi, this.zone.localToUtc(d * DAY + (local[i + 1] as number) * MINUTE));
      pairs.push([s, e]);
    }
    const plan = mergeFlat(pairs);
    this.planCache.set(d, plan);
    return plan;
  }

  // ---- coverage ---------------------------------------------------------------------------

  private ensureDays(lo: number, hi: number): void {
    const empty = this.covHi <= this.covLo;
    if (!empty && lo >= this.covLo && hi <= this.covHi) return;
    lo = Math.max(MIN_DAY, lo);
    hi = Math.min(MAX_DAY, hi);
    if (empty) this.anchorDay = lo;
    const newLo = Math.max(MIN_DAY, Math.min(empty ? lo : this.covLo, lo - MARGIN_DAYS));
    const newHi = Math.min(MAX_DAY, Math.max(empty ? hi : this.covHi, hi + MARGIN_DAYS));
    this.rebuild(newLo, newHi);
  }

  private rebuild(lo: number, hi: number): void {
    const anchorDay = this.anchorDay;
    const anchorB = this.covHi > this.covLo ? this.B(anchorDay) : null;
    this.zone.ensure((lo - 3) * DAY, (hi + 3) * DAY);
    const days = new Set<number>();
    for (let i = lowerBound(this.ruleDays, lo); i < this.ruleDays.length && (this.ruleDays[i] as number) < hi; i++) {
      days.add(this.ruleDays[i] as number);
    }
    for (const [t, before, after] of this.zone.transitionsBetween((lo - 3) * DAY, (hi + 3) * DAY)) {
      const from = Math.floor((t + Math.min(before, after)) / DAY) - 1;
      const to = Math.floor((t + Math.max(before, after)) / DAY) + 1;
      for (let d = from; d <= to; d++) if (d >= lo && d < hi) days.add(d);
    }
    const specials = [...days].sort((a, b) => a - b);
    this.covLo = lo;
    this.covHi = hi;
    this.specials = specials;
    this.specialPlans = specials.map((d) => this.computePlan(d));
    this.specialTotals = this.specialPlans.map(flatTotal);
    const corr = [0];
    specials.forEach((d, i) => {
      const pattern = this.dayTotal[mod(d + MONDAY_SHIFT, 7)] as number;
      corr.push((corr[i] as number) + (this.specialTotals[i] as number) - pattern);
    });
    this.corr = corr;
    // Keep B stable across rebuilds: cumulative values computed before a rebuild stay valid.
    const shift = anchorB === null ? 0 : anchorB - this.B(anchorDay);
    this.corr = corr.map((c) => c + shift);
    this.specialB = specials.map((d, i) => this.base(d) + (this.corr[i] as number));
  }

  private ensureInstant(t: number): void {
    if (!(t >= RANGE_LO && t <= RANGE_HI)) throw new RangeError(`instant ${t} is outside the supported range (years 1900–2300)`);
    const d = Math.floor(t / DAY);
    this.ensureDays(d - 2, d + 3);
  }

  // ---- cumulative time and its inverses ----------------------------------------------------

  cumulative(t: number): number {
    this.ensureInstant(t);
    const d = this.dayOf(t);
    const plan = this.plan(d);
    let within = 0;
    for (let i = 0; i < plan.length; i += 2) {
      const s = plan[i] as number;
      if (t <= s) break;
      within += Math.min(t, plan[i + 1] as number) - s;
    }
    return this.B(d) + within;
  }

  /**
   * The largest covered day d with B(d) < x (strict) or B(d) ≤ x, extending coverage until
   * the answer is inside it. Returns ±Infinity when the answer lies outside the supported range.
   */
  private dayFor(x: number, strict: boolean): number {
    const below = (v: number): boolean => (strict ? v < x : v <= x);
    while (below(this.B(this.covHi))) {
      if (this.covHi >= MAX_DAY) return Infinity;
      const missing = x - this.B(this.covHi);
      const days = Math.ceil((missing / this.weekTotal) * 7 * 1.25) + 14;
      this.ensureDays(this.covHi - 1, Math.min(MAX_DAY, this.covHi + days));
    }
    while (!below(this.B(this.covLo))) {
      if (this.covLo <= MIN_DAY) return -Infinity;
      const excess = this.B(this.covLo) - x;
      const days = Math.ceil((excess / this.weekTotal) * 7 * 1.25) + 14;
      this.ensureDays(Math.max(MIN_DAY, this.covLo - days), this.covLo + 1);
    }
    // Last special day whose start is still below x.
    let lo = 0;
    let hi = this.specialB.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (below(this.specialB[mid] as number)) lo = mid + 1;
      else hi = mid;
    }
    const j = lo - 1;
    if (j >= 0 && below((this.specialB[j] as number) + (this.specialTotals[j] as number)) === false) {
      return this.specials[j] as number;
    }
    // Otherwise the answer is among the regular days after specials[j], where B = base + corr[j+1].
    const regionStart = j >= 0 ? (this.specials[j] as number) + 1 : this.covLo;
    const regionEnd = j + 1 < this.specials.length ? (this.specials[j + 1] as number) : this.covHi;
    const y = x - (this.corr[j + 1] as number);
    const belowBase = (k: number): boolean => {
      const v = floorDiv(k, 7) * this.weekTotal + (this.prefixWeek[mod(k, 7)] as number);
      return strict ? v < y : v <= y;
    };
    let k = 7 * Math.floor(y / this.weekTotal) - 7;
    k = Math.max(k, regionStart + MONDAY_SHIFT);
    while (k + 1 < regionEnd + MONDAY_SHIFT && belowBase(k + 1)) k++;
    return k - MONDAY_SHIFT;
  }

  earliestReaching(x: number): number {
    const d = this.dayFor(x, true);
    if (!Number.isFinite(d)) return d;
    let rest = x - this.B(d);
    const plan = this.plan(d);
    for (let i = 0; i < plan.length; i += 2) {
      const s = plan[i] as number;
      const len = (plan[i + 1] as number) - s;
      if (rest <= len) return inRange(s + rest);
      rest -= len;
    }
    // Unreachable by construction (B(d) < x ≤ B(d+1)); the day's end is the safe answer.
    return inRange(this.dayStart(d + 1));
  }

  latestAt(x: number): number {
    const d = this.dayFor(x, false);
    if (!Number.isFinite(d)) return d;
    let rest = x - this.B(d);
    const plan = this.plan(d);
    for (let i = 0; i < plan.length; i += 2) {
      const s = plan[i] as number;
      const len = (plan[i + 1] as number) - s;
      if (rest < len) return inRange(s + rest);
      rest -= len;
    }
    return inRange(this.dayStart(d + 1));
  }

  isOpen(t: number): boolean {
    this.ensureInstant(t);
    const plan = this.plan(this.dayOf(t));
    for (let i = 0; i < plan.length; i += 2) {
      if ((plan[i] as number) <= t && t < (plan[i + 1] as number)) return true;
    }
    return false;
  }

  closingAfter(openAt: number): number {
    if (!Number.isFinite(openAt)) return openAt;
    this.ensureInstant(openAt);
    let d = this.dayOf(openAt);
    let cursor = openAt;
    for (;;) {
      const plan = this.plan(d);
      let end: number | null = null;
      for (let i = 0; i < plan.length && end === null; i += 2) {
        if ((plan[i] as number) <= cursor && cursor < (plan[i + 1] as number)) end = plan[i + 1] as number;
      }
      if (end === null) return inRange(cursor);
      if (end < this.dayStart(d + 1)) return inRange(end);
      // The period runs to midnight: it goes on if the next day opens at its first instant.
      cursor = end;
      if (this.fullWeek) {
        // Every regular day of an all-day week is open end to end, and so is a day with an
        // offset change: only a dated rule can close, so jump straight to the next one.
        const r = this.ruleDays[upperBound(this.ruleDays, d)];
        if (r === undefined || r * DAY > RANGE_HI) return Infinity;
        this.ensureDays(r - 1, r + 2);
        if (r > d + 1) cursor = this.dayStart(r);
      } else {
        this.ensureDays(d, d + 3);
      }
      // dayOf, not d + 1: a date skipped by the zone (Samoa, 2011-12-30) lasts no time at all.
      d = this.dayOf(cursor);
    }
  }
}

const prepared = new WeakMap<object, PreparedCalendar>();
const preparedInstances = new WeakSet<object>();
preparedInstances.add(alwaysOpen);
/**
 * Prepared calendars by content, for callers that parse the same policy afresh on every call
 * (a case object reading its rules from storage): validation of a 500-holiday document costs
 * about a millisecond, its JSON key some microseconds. Bounded, oldest out first.
 */
const byContent = new Map<string, PreparedCalendar>();
const BY_CONTENT_MAX = 64;

/** Anything the calendar operations accept. */
export type CalendarInput = Calendar | PreparedCalendar;

/**
 * Validates and precomputes a calendar. Memoized by object identity and by content, so callers
 * may pass the same raw document on every call and pay for validation and precomputation once.
 * Throws the ZodError of `CalendarSchema` for an invalid document.
 */
export function prepareCalendar(calendar: CalendarInput): PreparedCalendar {
  if (calendar === ALWAYS_OPEN) return alwaysOpen;
  if (typeof calendar !== "object" || calendar === null) return build(calendar);
  if (preparedInstances.has(calendar)) return calendar as PreparedCalendar;
  const hit = prepared.get(calendar);
  if (hit) return hit;
  const key = JSON.stringify(calendar);
  let p = byContent.get(key);
  if (p === undefined) {
    p = build(calendar);
    if (byContent.size >= BY_CONTENT_MAX) byContent.delete(byContent.keys().next().value as string);
    byContent.set(key, p);
  }
  prepared.set(calendar, p);
  return p;
}

function build(input: unknown): PreparedCalendar {
  // CalendarSchema picks "24/7" or the document schema by the input's type, so a mistake deep in a
  // document keeps its path.
  const doc = CalendarSchema.parse(input);
  if (doc === ALWAYS_OPEN) return alwaysOpen;
  const p = new BusinessHoursCalendar(doc);
  preparedInstances.add(p);
  return p;
}
