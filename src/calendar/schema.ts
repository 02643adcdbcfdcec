/**
 * The business-calendar document admins write in their rules. Every rule about what a valid
 * calendar is lives here, so an admin sees one clear message per mistake, at its path
 * (`week.mon[1]: overlaps week.mon[0] (09:00–12:30)`); `z.prettifyError` prints them.
 */
import { z } from "zod";
import { isValidTimeZone } from "./zone";

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const HHMM = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;

/** Minutes since local midnight for a valid `HH:MM` (24:00 → 1440). */
export function minutesOf(hhmm: string): number {
  if (hhmm === "24:00") return 1440;
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

const WallTime = z.string().regex(HHMM, { error: (iss) => `bad time ${JSON.stringify(iss.input)}: expected HH:MM from 00:00 to 24:00` });

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isRealDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m === null) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (mo === 2 ? (leap ? 29 : 28) : (DAYS_IN_MONTH[mo - 1] as number));
}

const LocalDate = z.string().refine(isRealDate, {
  error: (iss) => `bad date ${JSON.stringify(iss.input)}: expected a real calendar date as YYYY-MM-DD`,
});

function startBeforeEnd(start: string, end: string): boolean {
  return !HHMM.test(start) || !HHMM.test(end) || minutesOf(start) < minutesOf(end);
}

/** A `[start, end)` local wall-clock interval; `end` may be `24:00`. */
export const HoursInterval = z.tuple([WallTime, WallTime]).superRefine(([start, end], ctx) => {
  if (!startBeforeEnd(start, end)) ctx.addIssue({ code: "custom", message: `start ${start} must be before end ${end}` });
});
export type HoursInterval = z.infer<typeof HoursInterval>;

/** Each range that overlaps an earlier one, with the index of the earlier one. */
function overlapping(ranges: { index: number; range: readonly [string, string] }[]): { index: number; other: number; range: readonly [string, string] }[] {
  const valid = ranges.filter((x) => HHMM.test(x.range[0]) && HHMM.test(x.range[1]) && startBeforeEnd(x.range[0], x.range[1]));
  const found: { index: number; other: number; range: readonly [string, string] }[] = [];
  for (const a of valid) {
    const b = valid.find(
      (b) => b.index < a.index && minutesOf(a.range[0]) < minutesOf(b.range[1]) && minutesOf(b.range[0]) < minutesOf(a.range[1]),
    );
    if (b) found.push({ index: a.index, other: b.index, range: b.range });
  }
  return found;
}

/**
 * Caps on a calendar's lists (a store's whole rules document is capped too, see
 * src/rules/limits.ts): the overlap checks compare items pairwise, and a 50,000-holiday calendar
 * once took the runtime down. Far above what any real calendar holds (a decade of holidays).
 */
export const MAX_HOURS_PER_DAY = 24;
export const MAX_CALENDAR_DATES = 1000;

const DayHours = (day: Weekday) =>
  z.array(HoursInterval).max(MAX_HOURS_PER_DAY, `at most ${MAX_HOURS_PER_DAY} intervals per day`).superRefine((items, ctx) => {
    if (items.length > MAX_HOURS_PER_DAY) return;
    for (const o of overlapping(items.map((range, index) => ({ index, range })))) {
      ctx.addIssue({ code: "custom", path: [o.index], message: `overlaps week.${day}[${o.other}] (${o.range[0]}–${o.range[1]})` });
    }
  });

export const WeekHours = z
  .object(Object.fromEntries(WEEKDAYS.map((d) => [d, DayHours(d).optional()])) as Record<Weekday, z.ZodOptional<ReturnType<typeof DayHours>>>)
  .strict()
  .superRefine((week, ctx) => {
    if (!WEEKDAYS.some((d) => (week[d]?.length ?? 0) > 0)) {
      ctx.addIssue({ code: "custom", message: "the week has no business hours, so no deadline could ever be met" });
    }
  });

const DatedRange = z
  .object({ date: LocalDate, start: WallTime, end: WallTime })
  .strict()
  .superRefine((r, ctx) => {
    if (!startBeforeEnd(r.start, r.end)) {
      ctx.addIssue({ code: "custom", path: ["end"], message: `start ${r.start} must be before end ${r.end}` });
    }
  });

/** A business-hours calendar in one IANA time zone. */
export const BusinessCalendar = z
  .object({
    timeZone: z.string().refine(isValidTimeZone, {
      error: (iss) => `invalid IANA time zone ${JSON.stringify(iss.input)}`,
    }),
    week: WeekHours,
    /** Whole local dates closed. */
    holidays: z.array(LocalDate).max(MAX_CALENDAR_DATES, `at most ${MAX_CALENDAR_DATES} holidays per calendar`).optional(),
    /** Date-specific closed ranges subtracted from that date's hours. */
    closures: z.array(DatedRange).max(MAX_CALENDAR_DATES, `at most ${MAX_CALENDAR_DATES} closures per calendar`).optional(),
    /** Date-specific hours that replace the week's hours on that date (also on a holiday). */
    openings: z
      .array(DatedRange)
      .max(MAX_CALENDAR_DATES, `at most ${MAX_CALENDAR_DATES} openings per calendar`)
      .superRefine((items, ctx) => {
        if (items.length > MAX_CALENDAR_DATES) return;
        const byDate = new Map<string, { index: number; range: readonly [string, string] }[]>();
        items.forEach((o, index) => byDate.set(o.date, [...(byDate.get(o.date) ?? []), { index, range: [o.start, o.end] }]));
        for (const ranges of byDate.values()) {
          for (const o of overlapping(ranges)) {
            ctx.addIssue({ code: "custom", path: [o.index], message: `overlaps openings[${o.other}] (${o.range[0]}–${o.range[1]}) on the same date` });
          }
        }
      })
      .optional(),
  })
  .strict();
export type BusinessCalendar = z.infer<typeof BusinessCalendar>;

/** The literal calendar that is always open: calendar-hours targets share the business-hours path. */
export const ALWAYS_OPEN = "24/7" as const;

const AlwaysOpen = z.literal(ALWAYS_OPEN, { error: (iss) => `expected "${ALWAYS_OPEN}" or a calendar object, got ${JSON.stringify(iss.input)}` });

/** A calendar as targets carry it: a business calendar or the literal `"24/7"`. */
export type Calendar = z.infer<typeof AlwaysOpen> | BusinessCalendar;

/**
 * Validates a calendar as targets carry it. The input's type picks the branch (a string can only
 * mean `"24/7"`, anything else must be a calendar document) and only that branch's issues are
 * reported: a plain `z.union` would answer a missing `timeZone` or a three-item interval with
 * one pathless "Invalid input", since every branch failed.
 */
export const CalendarSchema = z.custom<Calendar>().transform((input, ctx): Calendar => {
  const parsed = typeof input === "string" ? AlwaysOpen.safeParse(input) : BusinessCalendar.safeParse(input);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.issues.push({ code: "custom", path: [...issue.path], message: issue.message, input });
  return z.NEVER;
});
