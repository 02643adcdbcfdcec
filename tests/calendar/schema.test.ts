import { describe, expect, it } from "vitest";
import { z } from "zod";
import { addBusinessTime, BusinessCalendar, CalendarSchema } from "../../src/calendar/index";
import { SlaPolicy } from "../../src/sla/index";

const MON_FRI: BusinessCalendar["week"] = { mon: [["09:00", "17:00"]], tue: [["09:00", "17:00"]], wed: [["09:00", "17:00"]], thu: [["09:00", "17:00"]], fri: [["09:00", "17:00"]] };

/** The issues an admin would see, as "path: message", through the exported calendar schema. */
function problems(doc: unknown, schema: z.ZodType = CalendarSchema): string[] {
  const r = schema.safeParse(doc);
  if (r.success) return [];
  return r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("calendar document validation", () => {
  it("accepts the issue's example document and the literal 24/7", () => {
    const doc = {
      timeZone: "Europe/Istanbul",
      week: { mon: [["09:00", "12:30"], ["13:30", "18:00"]], tue: [["09:00", "18:00"]], sat: [], sun: [] },
      holidays: ["2026-10-29", "2027-01-01"],
      closures: [{ date: "2026-12-31", start: "14:00", end: "24:00" }],
      openings: [{ date: "2026-12-27", start: "10:00", end: "16:00" }],
    };
    expect(problems(doc)).toEqual([]);
    expect(problems("24/7")).toEqual([]);
    expect(BusinessCalendar.parse(doc)).toEqual(doc);
  });

  it("accepts adjacent intervals, intervals in any order and an end of 24:00", () => {
    expect(problems({ timeZone: "Europe/Berlin", week: { mon: [["13:00", "24:00"], ["00:00", "13:00"]] } })).toEqual([]);
  });

  it("names the interval that overlaps and the one it overlaps", () => {
    expect(problems({ timeZone: "Europe/Berlin", week: { mon: [["09:00", "12:30"], ["12:00", "18:00"]] } })).toEqual([
      "week.mon.1: overlaps week.mon[0] (09:00–12:30)",
    ]);
    expect(problems({ timeZone: "Europe/Berlin", week: { fri: [["09:00", "17:00"], ["08:00", "10:00"], ["16:00", "18:00"]] } })).toEqual([
      "week.fri.1: overlaps week.fri[0] (09:00–17:00)",
      "week.fri.2: overlaps week.fri[0] (09:00–17:00)",
    ]);
  });

  it("refuses an interval whose start is not before its end", () => {
    expect(problems({ timeZone: "Europe/Berlin", week: { mon: [["09:00", "09:00"]] } })).toEqual(["week.mon.0: start 09:00 must be before end 09:00"]);
    expect(problems({ timeZone: "Europe/Berlin", week: { tue: [["18:00", "09:00"]] } })).toEqual(["week.tue.0: start 18:00 must be before end 09:00"]);
    expect(problems({ timeZone: "Europe/Berlin", week: { wed: [["24:00", "24:00"]] } })).toEqual(["week.wed.0: start 24:00 must be before end 24:00"]);
  });

  it("refuses malformed times at their exact position", () => {
    expect(problems({ timeZone: "Europe/Berlin", week: { mon: [["9:00", "17:00"]], tue: [["09:00", "24:01"]], wed: [["09:60", "10:00"]], thu: [["25:00", "26:00"]] } })).toEqual([
      'week.mon.0.0: bad time "9:00": expected HH:MM from 00:00 to 24:00',
      'week.tue.0.1: bad time "24:01": expected HH:MM from 00:00 to 24:00',
      'week.wed.0.0: bad time "09:60": expected HH:MM from 00:00 to 24:00',
      'week.thu.0.0: bad time "25:00": expected HH:MM from 00:00 to 24:00',
      'week.thu.0.1: bad time "26:00": expected HH:MM from 00:00 to 24:00',
    ]);
  });

  it("refuses unknown weekdays and an interval that is not a pair", () => {
    expect(problems({ timeZone: "Europe/Berlin", week: { ...MON_FRI, monday: [["09:00", "17:00"]] } })).toEqual(['week: Unrecognized key: "monday"']);
    expect(problems({ timeZone: "Europe/Berlin", week: { mon: [["09:00", "17:00", "18:00"]] } })).toHaveLength(1);
    expect(problems({ timeZone: "Europe/Berlin", week: { mon: [["09:00", "17:00", "18:00"]] } })[0]).toMatch(/^week\.mon\.0: /);
  });

  it("reports structural mistakes at their path, not as one pathless error for the whole calendar", () => {
    expect(problems({ week: MON_FRI })).toEqual(["timeZone: Invalid input: expected string, received undefined"]);
    expect(problems({ timeZone: "Europe/Berlin", week: "mon-fri 9-5" })).toEqual(["week: Invalid input: expected object, received string"]);
    expect(problems({ timeZone: "Europe/Berlin", week: { mon: [["09:00", "17:00", "18:00"]] } })).toEqual(["week.mon.0: Too big: expected array to have <=2 items"]);
    expect(problems({ timeZone: "Europe/Berlin", week: MON_FRI, holidays: "2026-12-25" })).toEqual(["holidays: Invalid input: expected array, received string"]);
    // The exported schema and the document schema agree on every mistake.
    for (const doc of [{ week: MON_FRI }, { timeZone: "Europe/Berlin", week: { mon: [["09:00"]] } }, { timeZone: "Mars/Olympus", week: {} }]) {
      expect(problems(doc)).toEqual(problems(doc, BusinessCalendar));
    }
  });

  it("names what it expected when the calendar is neither \"24/7\" nor a calendar object", () => {
    expect(problems("24x7")).toEqual([': expected "24/7" or a calendar object, got "24x7"']);
    expect(problems(7)).toEqual([": Invalid input: expected object, received number"]);
    expect(problems(["09:00", "17:00"])).toEqual([": Invalid input: expected object, received array"]);
    expect(CalendarSchema.parse("24/7")).toBe("24/7");
  });

  it("keeps the path when the calendar sits inside an SLA target", () => {
    const target = { metric: "first_reply", priority: "urgent", durationMs: 3_600_000 };
    const policy = (calendar: unknown) => ({ id: "p1", targets: [{ ...target, calendar: "24/7" }, { ...target, priority: "high", calendar }] });
    expect(problems(policy({ timeZone: "Europe/Berlin" }), SlaPolicy)).toEqual(["targets.1.calendar.week: Invalid input: expected object, received undefined"]);
    expect(problems(policy({ timeZone: "Europe/Berlin", week: { tue: [["09:00", "12:00", "13:00"]] } }), SlaPolicy)).toEqual([
      "targets.1.calendar.week.tue.0: Too big: expected array to have <=2 items",
    ]);
    expect(problems(policy({ timeZone: "Europe/Berlin", week: MON_FRI }), SlaPolicy)).toEqual([]);
  });

  it("refuses a week without any hours, since no deadline could ever be met", () => {
    expect(problems({ timeZone: "Europe/Berlin", week: {} })).toEqual(["week: the week has no business hours, so no deadline could ever be met"]);
    expect(problems({ timeZone: "Europe/Berlin", week: { sat: [], sun: [] } })).toHaveLength(1);
  });

  it("refuses zones that are not IANA names, including fixed offsets", () => {
    for (const zone of ["Mars/Olympus", "", " Europe/Berlin", "+02:00", "-0300", "CEST+2"]) {
      expect(problems({ timeZone: zone, week: MON_FRI })).toEqual([`timeZone: invalid IANA time zone ${JSON.stringify(zone)}`]);
    }
    for (const zone of ["UTC", "Etc/GMT+5", "America/Argentina/Buenos_Aires", "America/Port-au-Prince", "Asia/Tehran"]) {
      expect(problems({ timeZone: zone, week: MON_FRI })).toEqual([]);
    }
  });

  it("refuses dates that do not exist, at their index", () => {
    expect(problems({ timeZone: "Europe/Berlin", week: MON_FRI, holidays: ["2026-02-29", "2028-02-29", "2026-13-01", "26-01-01", "2026-04-31", "2026-1-05"] })).toEqual([
      'holidays.0: bad date "2026-02-29": expected a real calendar date as YYYY-MM-DD',
      'holidays.2: bad date "2026-13-01": expected a real calendar date as YYYY-MM-DD',
      'holidays.3: bad date "26-01-01": expected a real calendar date as YYYY-MM-DD',
      'holidays.4: bad date "2026-04-31": expected a real calendar date as YYYY-MM-DD',
      'holidays.5: bad date "2026-1-05": expected a real calendar date as YYYY-MM-DD',
    ]);
  });

  it("checks closures and openings field by field", () => {
    expect(
      problems({
        timeZone: "Europe/Berlin",
        week: MON_FRI,
        closures: [{ date: "2026-02-30", start: "14:00", end: "12:00" }, { date: "2026-12-31", start: "14:00", end: "24:00", note: "x" }],
        openings: [{ date: "2026-12-27", start: "10:00", end: "16:00" }, { date: "2026-12-27", start: "15:00", end: "17:00" }, { date: "2026-12-28", start: "7:00", end: "16:00" }],
      }),
    ).toEqual([
      'closures.0.date: bad date "2026-02-30": expected a real calendar date as YYYY-MM-DD',
      "closures.0.end: start 14:00 must be before end 12:00",
      'closures.1: Unrecognized key: "note"',
      'openings.2.start: bad time "7:00": expected HH:MM from 00:00 to 24:00',
      "openings.1: overlaps openings[0] (10:00–16:00) on the same date",
    ]);
  });

  it("lets openings on different dates use the same hours", () => {
    expect(problems({ timeZone: "Europe/Berlin", week: MON_FRI, openings: [{ date: "2026-12-27", start: "10:00", end: "16:00" }, { date: "2027-01-03", start: "10:00", end: "16:00" }] })).toEqual([]);
  });

  it("makes the operations throw the schema's error for a bad document, and RangeError for bad numbers", () => {
    const bad = { timeZone: "Europe/Berlin", week: { mon: [["09:00", "08:00"]] } } as unknown as BusinessCalendar;
    expect(() => addBusinessTime(bad, 0, 1)).toThrow(z.ZodError);
    // Through the operations too, a structural mistake is reported at its path.
    const pair = { timeZone: "Europe/Berlin", week: { mon: [["09:00", "17:00", "18:00"]] } } as unknown as BusinessCalendar;
    expect(() => addBusinessTime(pair, 0, 1)).toThrow(/"week",\s*"mon",\s*0/);
    expect(() => addBusinessTime("24x7" as "24/7", 0, 1)).toThrow(z.ZodError);
    const good: BusinessCalendar = { timeZone: "Europe/Berlin", week: MON_FRI };
    expect(() => addBusinessTime(good, 0, -1)).toThrow(RangeError);
    expect(() => addBusinessTime(good, 0, Number.NaN)).toThrow(RangeError);
    expect(() => addBusinessTime(good, Number.POSITIVE_INFINITY, 1)).toThrow(RangeError);
    expect(() => addBusinessTime(good, Date.UTC(1899, 11, 31), 1)).toThrow(RangeError);
    expect(() => addBusinessTime(good, Date.UTC(2300, 0, 2), 1)).toThrow(RangeError);
  });
});
