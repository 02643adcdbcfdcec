/**
 * Business-time arithmetic for SLA deadlines. Instants are epoch milliseconds, durations are
 * milliseconds. Every operation accepts a raw calendar document, the literal `"24/7"`, or the
 * result of `prepareCalendar`; raw documents are validated and precomputed once (memoized by
 * object identity and by content), so passing the same document on every call is cheap.
 *
 * Conventions (see docs/business-hours.md for worked examples):
 * - Open periods are `[open, close)`: open at the opening instant, closed at the closing one.
 * - A deadline that uses up its budget exactly at a closing lands on that closing instant.
 * - A zero duration returns the start when open, else the next opening (a closing instant is
 *   not open, so zero from 17:00 is the next morning's opening).
 * - A subtraction that lands exactly on an opening returns that opening, not the previous
 *   closing; a zero subtraction returns the start when open (an opening included), else the
 *   previous closing.
 * - Skipped local times (spring forward) move forward by the gap; repeated ones take the first
 *   occurrence; `"24/7"` counts real elapsed time (23 h / 25 h on change days).
 * - Holidays close whole local dates; a date's openings replace its weekly hours (on a holiday
 *   too); its closures are then subtracted.
 * - Instants must lie in 1900-01-01T00:00Z..2300-01-01T00:00Z (else RangeError); results beyond
 *   that range are ±Infinity. A bad calendar document throws the schema's ZodError.
 */
import { type CalendarInput, prepareCalendar } from "./engine";

export { BusinessCalendar, CalendarSchema, type Calendar } from "./schema";
export { prepareCalendar, type CalendarInput, type PreparedCalendar } from "./engine";

function checkDuration(durationMs: number): void {
  if (!(durationMs >= 0) || !Number.isFinite(durationMs)) {
    throw new RangeError(`duration must be a finite, non-negative number of milliseconds, got ${durationMs}`);
  }
}

function checkInstant(ms: number): void {
  if (!Number.isFinite(ms)) throw new RangeError(`instant must be finite epoch milliseconds, got ${ms}`);
}

/** The instant at which `durationMs` of business time has elapsed after `startMs`: the deadline. */
export function addBusinessTime(calendar: CalendarInput, startMs: number, durationMs: number): number {
  checkInstant(startMs);
  checkDuration(durationMs);
  const c = prepareCalendar(calendar);
  const at = c.cumulative(startMs);
  return durationMs === 0 ? c.latestAt(at) : c.earliestReaching(at + durationMs);
}

/** The instant `durationMs` of business time before `startMs`. */
export function subtractBusinessTime(calendar: CalendarInput, startMs: number, durationMs: number): number {
  checkInstant(startMs);
  checkDuration(durationMs);
  const c = prepareCalendar(calendar);
  const at = c.cumulative(startMs);
  if (durationMs > 0) return c.latestAt(at - durationMs);
  // Zero goes back to the nearest business instant: the start itself when open (an opening
  // included), else the previous closing. C is flat between that closing and the next opening,
  // so earliestReaching alone would answer the previous closing for an opening instant too.
  return c.isOpen(startMs) ? startMs : c.earliestReaching(at);
}

/** Business time elapsed from `fromMs` to `toMs`; 0 when `toMs <= fromMs`. */
export function businessTimeBetween(calendar: CalendarInput, fromMs: number, toMs: number): number {
  checkInstant(fromMs);
  checkInstant(toMs);
  if (toMs <= fromMs) return 0;
  const c = prepareCalendar(calendar);
  return c.cumulative(toMs) - c.cumulative(fromMs);
}

/** Whether `atMs` lies inside an open period (`[open, close)`). */
export function isOpen(calendar: CalendarInput, atMs: number): boolean {
  checkInstant(atMs);
  return prepareCalendar(calendar).isOpen(atMs);
}

/** The first instant at or after `atMs` at which the calendar is open (`atMs` itself when open). */
export function nextOpening(calendar: CalendarInput, atMs: number): number {
  checkInstant(atMs);
  const c = prepareCalendar(calendar);
  return c.latestAt(c.cumulative(atMs));
}

/**
 * The closing of the current-or-next open period: when open, the end of the period containing
 * `atMs`; when closed, the end of the period starting at `nextOpening(atMs)`. Periods that run
 * across midnight are one period. Infinity for `"24/7"` or a calendar that never closes again.
 */
export function nextClosing(calendar: CalendarInput, atMs: number): number {
  checkInstant(atMs);
  const c = prepareCalendar(calendar);
  return c.closingAfter(c.latestAt(c.cumulative(atMs)));
}
