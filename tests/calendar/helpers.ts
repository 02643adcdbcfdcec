/** Readable instants for calendar tests: ISO strings with an explicit offset in, the same out. */
import { Temporal } from "temporal-polyfill";
import type { BusinessCalendar } from "../../src/calendar/index";

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** Epoch ms of an ISO instant with offset, e.g. "2026-06-01T09:00+02:00". */
export const T = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad instant ${iso}`);
  return ms;
};

/** The instant as local time with offset in `zone`, to the minute (or second when it has one). */
export function local(zone: string, ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const z = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone);
  return z.toString({ timeZoneName: "never", smallestUnit: z.second === 0 && z.millisecond === 0 ? "minute" : "millisecond" });
}

type Hours = [string, string][];

/** The same hours on the given weekdays. */
export function days(hours: Hours, ...names: (keyof BusinessCalendar["week"])[]): BusinessCalendar["week"] {
  return Object.fromEntries(names.map((n) => [n, hours]));
}

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"] as const;
export const ALL_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
