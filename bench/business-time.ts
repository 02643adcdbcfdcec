/**
 * Business-time micro-benchmark: add over a 1-day and a 10-year span, and between over 10
 * years, on a Europe/Berlin split-shift calendar with 500 holidays, once prepared (validated,
 * and its coverage of the 10 years built by a warm-up). Bundled with esbuild and run in Node by
 * bench/run.mjs, so it uses only performance.now(). Spans are business time: the 1-day span is
 * one calendar day's worth from the start, the 10-year one the business time in 3,652 days.
 */
import { addBusinessTime, type BusinessCalendar, businessTimeBetween, prepareCalendar } from "../src/calendar/index";

const DAY = 86_400_000;

function calendarWith500Holidays(): BusinessCalendar {
  const holidays: string[] = [];
  // 50 scattered dates a year for 10 years, from 2026.
  for (let y = 2026; y < 2036; y++) {
    for (let i = 0; i < 50; i++) {
      const d = new Date(Date.UTC(y, 0, 1) + ((i * 7 + (y % 5)) % 365) * DAY);
      holidays.push(d.toISOString().slice(0, 10));
    }
  }
  const shift: [string, string][] = [
    ["09:00", "12:30"],
    ["13:30", "18:00"],
  ];
  return {
    timeZone: "Europe/Berlin",
    week: { mon: shift, tue: shift, wed: shift, thu: shift, fri: shift, sat: [["10:00", "14:00"]] },
    holidays,
    closures: [{ date: "2026-12-31", start: "14:00", end: "24:00" }],
    openings: [{ date: "2026-12-27", start: "10:00", end: "16:00" }],
  };
}

const BATCHES = 20;

/**
 * µs per call: the median over `batches` timed batches, after a warm-up, so that a neighbour's
 * burst on a shared machine moves one batch rather than the figure.
 */
function timePerCall(iterations: number, fn: (i: number) => number, batches = BATCHES): number {
  let sink = 0;
  for (let i = 0; i < Math.min(iterations, 1000); i++) sink += fn(i); // warm-up
  const perBatch = Math.max(1, Math.floor(iterations / batches));
  const micros: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < perBatch; i++) sink += fn(b * perBatch + i);
    micros.push(((performance.now() - t0) * 1000) / perBatch);
  }
  if (Number.isNaN(sink)) throw new Error("benchmark produced NaN");
  micros.sort((a, b) => a - b);
  return micros[Math.floor(batches / 2)] as number;
}

/** Single calls timed one by one: the tail the batch medians hide. */
export interface CallTail {
  p50Micros: number;
  p99Micros: number;
  p999Micros: number;
  maxMicros: number;
  calls: number;
}

function tailOf(calls: number, fn: (i: number) => number): CallTail {
  const micros: number[] = new Array<number>(calls);
  let sink = 0;
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    sink += fn(i);
    micros[i] = (performance.now() - t0) * 1000;
  }
  if (Number.isNaN(sink)) throw new Error("benchmark produced NaN");
  micros.sort((a, b) => a - b);
  const at = (q: number) => micros[Math.min(calls - 1, Math.floor(q * calls))] as number;
  return { p50Micros: at(0.5), p99Micros: at(0.99), p999Micros: at(0.999), maxMicros: micros[calls - 1] as number, calls };
}

export async function benchBusinessTime(): Promise<{
  oneDayMicros: number;
  tenYearMicros: number;
  betweenTenYearMicros: number;
  iterations: number;
  batches: number;
  /** addBusinessTime over 10 years, each call timed alone (after the batches). */
  tenYearTail: CallTail;
  /** A calendar never used before: preparing it and its first 10-year addBusinessTime, ms. */
  firstCallMs: number;
}> {
  // First, what a case pays the first time it meets a calendar (an isolate's first case, or a new
  // rules version): validation and the coverage built for the span asked.
  const t0 = performance.now();
  const fresh = calendarWith500Holidays();
  prepareCalendar(fresh);
  const firstDue = addBusinessTime(fresh, Date.UTC(2026, 0, 5, 7, 17), 3_652 * 8 * 3_600_000);
  const firstCallMs = performance.now() - t0;
  if (!Number.isFinite(firstDue)) throw new Error("business-time bench: first call failed");

  const calendar = calendarWith500Holidays();
  prepareCalendar(calendar);
  const iterations = 20_000;
  const base = Date.UTC(2026, 0, 5, 7, 17);
  // 64 start instants spread over a few weeks, so no result can be a cached repeat.
  const starts = Array.from({ length: 64 }, (_, i) => base + i * 7_919_000);
  const oneDay = businessTimeBetween(calendar, base, base + DAY) || 8 * 3_600_000;
  const tenYears = businessTimeBetween(calendar, base, base + 3_652 * DAY);
  const startAt = (i: number): number => starts[i & 63] as number;
  // A fast wrong answer is worth nothing: check the round trip on every start first.
  for (const s of starts) {
    for (const d of [oneDay, tenYears]) {
      const due = addBusinessTime(calendar, s, d);
      if (businessTimeBetween(calendar, s, due) !== d) throw new Error(`business-time bench: round trip failed from ${new Date(s).toISOString()} for ${d} ms`);
    }
  }
  const warm = (i: number): number =>
    addBusinessTime(calendar, startAt(i), oneDay) + addBusinessTime(calendar, startAt(i), tenYears) + businessTimeBetween(calendar, startAt(i), startAt(i) + 3_652 * DAY);
  timePerCall(5_000, warm);
  const oneDayMicros = timePerCall(iterations, (i) => addBusinessTime(calendar, startAt(i), oneDay));
  const tenYearMicros = timePerCall(iterations, (i) => addBusinessTime(calendar, startAt(i), tenYears));
  const betweenTenYearMicros = timePerCall(iterations, (i) =>
    businessTimeBetween(calendar, startAt(i), startAt(i) + 3_652 * DAY),
  );
  const tenYearTail = tailOf(iterations, (i) => addBusinessTime(calendar, startAt(i), tenYears));
  return Promise.resolve({ oneDayMicros, tenYearMicros, betweenTenYearMicros, iterations, batches: BATCHES, tenYearTail, firstCallMs });
}
