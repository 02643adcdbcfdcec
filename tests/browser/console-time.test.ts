/**
 * The console's own time arithmetic (Node, no browser needed): a callback time typed in the
 * calendar's zone becomes the right instant, across daylight-saving changes; times are shown with
 * their zone; the "outside business hours" warning reads the calendar's week, holidays, openings
 * and closures.
 */
import { describe, expect, it } from "vitest";
import { caseCalendar, isBusinessTime } from "../../console/src/calendar";
import { countdown, formatDuration, formatInstant, fromWallInput, toWallInput } from "../../console/src/time";
import type { RulesDocument } from "../../console/src/types";

describe("wall time in a zone", () => {
  it("turns a picked time into the instant it names in that zone, DST included", () => {
    expect(new Date(fromWallInput("2026-12-08T09:30", "Europe/Berlin")!).toISOString()).toBe("2026-12-08T08:30:00.000Z");
    expect(new Date(fromWallInput("2026-07-08T09:30", "Europe/Berlin")!).toISOString()).toBe("2026-07-08T07:30:00.000Z");
    expect(new Date(fromWallInput("2026-03-08T09:30", "America/New_York")!).toISOString()).toBe("2026-03-08T13:30:00.000Z");
    expect(new Date(fromWallInput("2026-12-08T09:30", "UTC")!).toISOString()).toBe("2026-12-08T09:30:00.000Z");
    expect(fromWallInput("08/12/2026 09:30", "UTC")).toBeNull();
  });

  it("round-trips through the picker's value", () => {
    for (const zone of ["Europe/Istanbul", "Asia/Kolkata", "America/Los_Angeles", "Australia/Lord_Howe"]) {
      const at = Date.parse("2026-10-25T00:45:00Z");
      expect(fromWallInput(toWallInput(at, zone), zone)).toBe(at);
    }
  });

  it("shows every instant with its zone, and durations in support terms", () => {
    expect(formatInstant("2026-12-08T08:30:00Z", "Europe/Berlin")).toBe("Tue 8 Dec, 09:30 CET");
    expect(formatInstant("2026-12-08T08:30:00Z", "UTC")).toBe("Tue 8 Dec, 08:30 UTC");
    expect(formatDuration(2 * 3_600_000 + 5 * 60_000)).toBe("2h 05m");
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe("3d 4h");
    expect(countdown(10_000 + 249_000, 10_000)).toBe("in 4m 09s");
    expect(countdown(10_000, 10_000 + 65_000)).toBe("1m 05s overdue");
  });
});

describe("the callback warning's business hours", () => {
  const rules = {
    calendars: {
      office: {
        timeZone: "Europe/Berlin",
        week: { mon: [["09:00", "17:00"]], tue: [["09:00", "12:00"], ["13:00", "17:00"]] },
        holidays: ["2026-12-14"],
        openings: [{ date: "2026-12-13", start: "10:00", end: "12:00" }],
        closures: [{ date: "2026-12-08", start: "15:00", end: "17:00" }],
      },
    },
    policies: [{ name: "P", targets: { firstReply: { calendar: "office" } } }],
  } as unknown as RulesDocument;
  const cal = caseCalendar(rules, 0);
  const at = (local: string) => fromWallInput(local, "Europe/Berlin")!;

  it("judges the case on its policy's calendar, in that calendar's zone", () => {
    expect(cal).toMatchObject({ name: "office", zone: "Europe/Berlin" });
    expect(caseCalendar(undefined, null)).toMatchObject({ name: "24/7", zone: "UTC", calendar: null });
  });

  it("warns outside the week's hours, on holidays and in closures, not inside openings", () => {
    expect(isBusinessTime(cal, at("2026-12-07T10:00"))).toBe(true); // Monday
    expect(isBusinessTime(cal, at("2026-12-07T17:00"))).toBe(false); // end is exclusive
    expect(isBusinessTime(cal, at("2026-12-08T12:30"))).toBe(false); // Tuesday lunch
    expect(isBusinessTime(cal, at("2026-12-08T15:30"))).toBe(false); // closure
    expect(isBusinessTime(cal, at("2026-12-12T10:00"))).toBe(false); // Saturday
    expect(isBusinessTime(cal, at("2026-12-13T11:00"))).toBe(true); // Sunday opening
    expect(isBusinessTime(cal, at("2026-12-14T10:00"))).toBe(false); // Monday holiday
    expect(isBusinessTime(caseCalendar(undefined, null), at("2026-12-12T03:00"))).toBe(true);
  });
});
