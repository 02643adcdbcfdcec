/**
 * One test per rule of the calendar semantics, with real instants. The conventions asserted
 * here are the ones docs/business-hours.md documents, example for example.
 */
import { describe, expect, it } from "vitest";
import {
  addBusinessTime,
  type BusinessCalendar,
  businessTimeBetween,
  isOpen,
  nextClosing,
  nextOpening,
  prepareCalendar,
  subtractBusinessTime,
} from "../../src/calendar/index";
import { ALL_DAYS, days, HOUR, MINUTE, T, WEEKDAYS, local } from "./helpers";

/** Mon–Fri 09:00–17:00 in Berlin; June 2026 is summer time (+02:00), 2026-06-01 is a Monday. */
const BERLIN: BusinessCalendar = { timeZone: "Europe/Berlin", week: days([["09:00", "17:00"]], ...WEEKDAYS) };
const b = (ms: number) => local("Europe/Berlin", ms);

/** The Istanbul document (no DST, +03:00), with Wednesday to Friday filled in. */
const ISTANBUL: BusinessCalendar = {
  timeZone: "Europe/Istanbul",
  week: {
    mon: [["09:00", "12:30"], ["13:30", "18:00"]],
    tue: [["09:00", "18:00"]],
    wed: [["09:00", "18:00"]],
    thu: [["09:00", "18:00"]],
    fri: [["09:00", "18:00"]],
    sat: [],
    sun: [],
  },
  holidays: ["2026-10-29", "2027-01-01"],
  closures: [{ date: "2026-12-31", start: "14:00", end: "24:00" }],
  openings: [{ date: "2026-12-27", start: "10:00", end: "16:00" }],
};
const ist = (ms: number) => local("Europe/Istanbul", ms);

describe("interval membership is [open, close)", () => {
  it("is open at the opening instant and closed at the closing instant", () => {
    expect(isOpen(BERLIN, T("2026-06-01T08:59:59.999+02:00"))).toBe(false);
    expect(isOpen(BERLIN, T("2026-06-01T09:00+02:00"))).toBe(true);
    expect(isOpen(BERLIN, T("2026-06-01T16:59:59.999+02:00"))).toBe(true);
    expect(isOpen(BERLIN, T("2026-06-01T17:00+02:00"))).toBe(false);
    expect(isOpen(BERLIN, T("2026-06-06T12:00+02:00"))).toBe(false); // Saturday
  });

  it("gives the next opening: the instant itself when open, the following opening at a closing", () => {
    expect(b(nextOpening(BERLIN, T("2026-06-01T09:00+02:00")))).toBe("2026-06-01T09:00+02:00");
    expect(b(nextOpening(BERLIN, T("2026-06-01T12:34+02:00")))).toBe("2026-06-01T12:34+02:00");
    expect(b(nextOpening(BERLIN, T("2026-06-01T17:00+02:00")))).toBe("2026-06-02T09:00+02:00");
    expect(b(nextOpening(BERLIN, T("2026-06-05T18:00+02:00")))).toBe("2026-06-08T09:00+02:00");
  });

  it("gives the next closing: the end of the current period, or of the next one when closed", () => {
    expect(b(nextClosing(BERLIN, T("2026-06-01T10:00+02:00")))).toBe("2026-06-01T17:00+02:00");
    expect(b(nextClosing(BERLIN, T("2026-06-01T16:59+02:00")))).toBe("2026-06-01T17:00+02:00");
    expect(b(nextClosing(BERLIN, T("2026-06-01T17:00+02:00")))).toBe("2026-06-02T17:00+02:00");
    expect(b(nextClosing(BERLIN, T("2026-06-06T12:00+02:00")))).toBe("2026-06-08T17:00+02:00");
  });
});

describe("addBusinessTime", () => {
  it("counts only open time, across nights and weekends", () => {
    expect(b(addBusinessTime(BERLIN, T("2026-06-01T10:00+02:00"), 2 * HOUR))).toBe("2026-06-01T12:00+02:00");
    expect(b(addBusinessTime(BERLIN, T("2026-06-01T16:00+02:00"), 2 * HOUR))).toBe("2026-06-02T10:00+02:00");
    expect(b(addBusinessTime(BERLIN, T("2026-06-05T16:00+02:00"), 2 * HOUR))).toBe("2026-06-08T10:00+02:00");
    expect(b(addBusinessTime(BERLIN, T("2026-06-06T12:00+02:00"), HOUR))).toBe("2026-06-08T10:00+02:00");
    expect(b(addBusinessTime(BERLIN, T("2026-06-01T09:00+02:00"), 41 * HOUR))).toBe("2026-06-08T10:00+02:00");
    expect(b(addBusinessTime(BERLIN, T("2026-06-01T10:00+02:00"), 90 * 1000))).toBe("2026-06-01T10:01:30.000+02:00");
  });

  it("lands on the closing instant when the budget runs out exactly at a closing", () => {
    expect(b(addBusinessTime(BERLIN, T("2026-06-01T15:00+02:00"), 2 * HOUR))).toBe("2026-06-01T17:00+02:00");
    expect(b(addBusinessTime(BERLIN, T("2026-06-01T09:00+02:00"), 8 * HOUR))).toBe("2026-06-01T17:00+02:00");
    expect(b(addBusinessTime(BERLIN, T("2026-06-01T09:00+02:00"), 40 * HOUR))).toBe("2026-06-05T17:00+02:00");
    expect(b(addBusinessTime(BERLIN, T("2026-06-06T12:00+02:00"), 8 * HOUR))).toBe("2026-06-08T17:00+02:00");
  });

  it("returns the start for a zero duration when open, else the next opening", () => {
    expect(b(addBusinessTime(BERLIN, T("2026-06-01T10:00+02:00"), 0))).toBe("2026-06-01T10:00+02:00");
    expect(b(addBusinessTime(BERLIN, T("2026-06-01T09:00+02:00"), 0))).toBe("2026-06-01T09:00+02:00");
    expect(b(addBusinessTime(BERLIN, T("2026-06-01T17:00+02:00"), 0))).toBe("2026-06-02T09:00+02:00");
    expect(b(addBusinessTime(BERLIN, T("2026-06-06T12:00+02:00"), 0))).toBe("2026-06-08T09:00+02:00");
  });
});

describe("subtractBusinessTime", () => {
  it("goes back over open time only", () => {
    expect(b(subtractBusinessTime(BERLIN, T("2026-06-02T10:00+02:00"), 2 * HOUR))).toBe("2026-06-01T16:00+02:00");
    expect(b(subtractBusinessTime(BERLIN, T("2026-06-08T10:00+02:00"), 2 * HOUR))).toBe("2026-06-05T16:00+02:00");
    expect(b(subtractBusinessTime(BERLIN, T("2026-06-06T12:00+02:00"), HOUR))).toBe("2026-06-05T16:00+02:00");
  });

  it("stops at the opening when it lands exactly on one (not at the previous closing)", () => {
    expect(b(subtractBusinessTime(BERLIN, T("2026-06-02T10:00+02:00"), HOUR))).toBe("2026-06-02T09:00+02:00");
    expect(b(subtractBusinessTime(BERLIN, T("2026-06-02T09:00+02:00"), 8 * HOUR))).toBe("2026-06-01T09:00+02:00");
    expect(b(subtractBusinessTime(BERLIN, T("2026-06-06T12:00+02:00"), 8 * HOUR))).toBe("2026-06-05T09:00+02:00");
  });

  it("returns the start for a zero duration when open (an opening included), else the previous closing", () => {
    expect(b(subtractBusinessTime(BERLIN, T("2026-06-02T10:00+02:00"), 0))).toBe("2026-06-02T10:00+02:00");
    expect(b(subtractBusinessTime(BERLIN, T("2026-06-02T09:00+02:00"), 0))).toBe("2026-06-02T09:00+02:00");
    expect(b(subtractBusinessTime(BERLIN, T("2026-06-02T08:00+02:00"), 0))).toBe("2026-06-01T17:00+02:00");
    expect(b(subtractBusinessTime(BERLIN, T("2026-06-01T17:00+02:00"), 0))).toBe("2026-06-01T17:00+02:00");
    expect(b(subtractBusinessTime(BERLIN, T("2026-06-06T12:00+02:00"), 0))).toBe("2026-06-05T17:00+02:00");
  });
});

describe("businessTimeBetween", () => {
  it("sums the open time between two instants", () => {
    expect(businessTimeBetween(BERLIN, T("2026-06-05T16:00+02:00"), T("2026-06-08T10:00+02:00"))).toBe(2 * HOUR);
    expect(businessTimeBetween(BERLIN, T("2026-06-01T08:00+02:00"), T("2026-06-01T18:00+02:00"))).toBe(8 * HOUR);
    expect(businessTimeBetween(BERLIN, T("2026-06-01T00:00+02:00"), T("2026-06-08T00:00+02:00"))).toBe(40 * HOUR);
    expect(businessTimeBetween(BERLIN, T("2026-06-06T00:00+02:00"), T("2026-06-07T23:59+02:00"))).toBe(0);
    expect(businessTimeBetween(BERLIN, T("2026-06-01T10:00+02:00"), T("2026-06-01T10:00:00.250+02:00"))).toBe(250);
  });

  it("is 0 when the end is not after the start", () => {
    expect(businessTimeBetween(BERLIN, T("2026-06-01T12:00+02:00"), T("2026-06-01T12:00+02:00"))).toBe(0);
    expect(businessTimeBetween(BERLIN, T("2026-06-01T12:00+02:00"), T("2026-06-01T10:00+02:00"))).toBe(0);
  });
});

describe("split shifts (the issue's Monday: 09:00–12:30, 13:30–18:00)", () => {
  it("skips the lunch break", () => {
    expect(ist(addBusinessTime(ISTANBUL, T("2026-12-28T12:00+03:00"), HOUR))).toBe("2026-12-28T14:00+03:00");
    expect(businessTimeBetween(ISTANBUL, T("2026-12-28T09:00+03:00"), T("2026-12-28T18:00+03:00"))).toBe(8 * HOUR);
    expect(isOpen(ISTANBUL, T("2026-12-28T12:30+03:00"))).toBe(false);
    expect(isOpen(ISTANBUL, T("2026-12-28T13:30+03:00"))).toBe(true);
  });

  it("applies the boundary conventions at the break too", () => {
    expect(ist(addBusinessTime(ISTANBUL, T("2026-12-28T12:00+03:00"), 30 * MINUTE))).toBe("2026-12-28T12:30+03:00");
    expect(ist(addBusinessTime(ISTANBUL, T("2026-12-28T12:30+03:00"), 0))).toBe("2026-12-28T13:30+03:00");
    expect(ist(subtractBusinessTime(ISTANBUL, T("2026-12-28T14:00+03:00"), 30 * MINUTE))).toBe("2026-12-28T13:30+03:00");
    expect(ist(subtractBusinessTime(ISTANBUL, T("2026-12-28T14:00+03:00"), HOUR))).toBe("2026-12-28T12:00+03:00");
    expect(ist(nextClosing(ISTANBUL, T("2026-12-28T10:00+03:00")))).toBe("2026-12-28T12:30+03:00");
    expect(ist(nextOpening(ISTANBUL, T("2026-12-28T12:30+03:00")))).toBe("2026-12-28T13:30+03:00");
  });
});

describe("holidays close whole local dates", () => {
  it("skips Thursday 2026-10-29", () => {
    expect(isOpen(ISTANBUL, T("2026-10-29T10:00+03:00"))).toBe(false);
    expect(ist(addBusinessTime(ISTANBUL, T("2026-10-28T17:00+03:00"), 2 * HOUR))).toBe("2026-10-30T10:00+03:00");
    expect(businessTimeBetween(ISTANBUL, T("2026-10-28T09:00+03:00"), T("2026-10-30T18:00+03:00"))).toBe(18 * HOUR);
    expect(ist(nextOpening(ISTANBUL, T("2026-10-28T18:00+03:00")))).toBe("2026-10-30T09:00+03:00");
    expect(ist(subtractBusinessTime(ISTANBUL, T("2026-10-30T10:00+03:00"), 2 * HOUR))).toBe("2026-10-28T17:00+03:00");
  });

  it("closes the local date, not the UTC date", () => {
    // 2026-10-29 00:00 in Istanbul is 2026-10-28T21:00Z: an evening shift shows which date is closed.
    const late: BusinessCalendar = { timeZone: "Europe/Istanbul", week: days([["20:00", "24:00"]], ...ALL_DAYS), holidays: ["2026-10-29"] };
    expect(isOpen(late, T("2026-10-28T23:30+03:00"))).toBe(true);
    expect(isOpen(late, T("2026-10-29T21:00+03:00"))).toBe(false);
    expect(businessTimeBetween(late, T("2026-10-28T00:00+03:00"), T("2026-10-31T00:00+03:00"))).toBe(8 * HOUR);
  });
});

describe("closures subtract from a date's hours", () => {
  it("closes 2026-12-31 from 14:00, so the deadline moves past the New Year holiday and the weekend", () => {
    expect(isOpen(ISTANBUL, T("2026-12-31T13:59+03:00"))).toBe(true);
    expect(isOpen(ISTANBUL, T("2026-12-31T14:00+03:00"))).toBe(false);
    expect(ist(nextClosing(ISTANBUL, T("2026-12-31T10:00+03:00")))).toBe("2026-12-31T14:00+03:00");
    expect(ist(addBusinessTime(ISTANBUL, T("2026-12-31T13:00+03:00"), 2 * HOUR))).toBe("2027-01-04T10:00+03:00");
  });

  it("can cut a hole in the middle of a day, and several closures on a date all apply", () => {
    const cal: BusinessCalendar = {
      timeZone: "Europe/Berlin",
      week: days([["09:00", "17:00"]], ...WEEKDAYS),
      closures: [
        { date: "2026-06-03", start: "12:00", end: "13:00" },
        { date: "2026-06-03", start: "12:30", end: "14:00" },
        { date: "2026-06-03", start: "16:00", end: "24:00" },
      ],
    };
    expect(b(nextClosing(cal, T("2026-06-03T10:00+02:00")))).toBe("2026-06-03T12:00+02:00");
    expect(b(nextOpening(cal, T("2026-06-03T12:00+02:00")))).toBe("2026-06-03T14:00+02:00");
    expect(businessTimeBetween(cal, T("2026-06-03T00:00+02:00"), T("2026-06-04T00:00+02:00"))).toBe(5 * HOUR);
    expect(b(addBusinessTime(cal, T("2026-06-03T11:00+02:00"), 3 * HOUR))).toBe("2026-06-03T16:00+02:00");
    expect(b(addBusinessTime(cal, T("2026-06-03T11:00+02:00"), 3 * HOUR + MINUTE))).toBe("2026-06-04T09:01+02:00");
  });
});

describe("openings replace the week's hours on their date", () => {
  it("opens the special Sunday 2026-12-27 from 10:00 to 16:00", () => {
    expect(isOpen(ISTANBUL, T("2026-12-27T09:59+03:00"))).toBe(false);
    expect(isOpen(ISTANBUL, T("2026-12-27T10:00+03:00"))).toBe(true);
    expect(isOpen(ISTANBUL, T("2026-12-27T16:00+03:00"))).toBe(false);
    expect(ist(nextOpening(ISTANBUL, T("2026-12-26T12:00+03:00")))).toBe("2026-12-27T10:00+03:00");
    expect(ist(addBusinessTime(ISTANBUL, T("2026-12-25T17:00+03:00"), 2 * HOUR))).toBe("2026-12-27T11:00+03:00");
    expect(ist(subtractBusinessTime(ISTANBUL, T("2026-12-28T09:30+03:00"), HOUR))).toBe("2026-12-27T15:30+03:00");
  });

  it("replaces, not adds to, a weekday's hours", () => {
    const cal: BusinessCalendar = { ...ISTANBUL, openings: [{ date: "2026-12-29", start: "10:00", end: "12:00" }] };
    expect(isOpen(cal, T("2026-12-29T09:30+03:00"))).toBe(false);
    expect(isOpen(cal, T("2026-12-29T11:00+03:00"))).toBe(true);
    expect(isOpen(cal, T("2026-12-29T13:00+03:00"))).toBe(false);
    expect(businessTimeBetween(cal, T("2026-12-29T00:00+03:00"), T("2026-12-30T00:00+03:00"))).toBe(2 * HOUR);
  });

  it("opens a holiday too (the dated opening is the more specific rule), and closures still subtract", () => {
    const cal: BusinessCalendar = {
      ...ISTANBUL,
      openings: [{ date: "2027-01-01", start: "10:00", end: "12:00" }, { date: "2026-12-27", start: "10:00", end: "16:00" }],
      closures: [{ date: "2026-12-27", start: "12:00", end: "13:00" }],
    };
    expect(isOpen(cal, T("2027-01-01T11:00+03:00"))).toBe(true);
    expect(isOpen(cal, T("2026-12-27T12:30+03:00"))).toBe(false);
    expect(businessTimeBetween(cal, T("2026-12-27T00:00+03:00"), T("2026-12-28T00:00+03:00"))).toBe(5 * HOUR);
  });
});

describe("periods that run across midnight", () => {
  // A Friday night shift: 18:00–24:00 then Saturday 00:00–02:00.
  const NIGHT: BusinessCalendar = { timeZone: "Europe/Berlin", week: { fri: [["18:00", "24:00"]], sat: [["00:00", "02:00"]] } };

  it("are one period for nextClosing", () => {
    expect(b(nextClosing(NIGHT, T("2026-06-05T19:00+02:00")))).toBe("2026-06-06T02:00+02:00");
    expect(b(nextClosing(NIGHT, T("2026-06-05T12:00+02:00")))).toBe("2026-06-06T02:00+02:00");
    expect(isOpen(NIGHT, T("2026-06-06T00:00+02:00"))).toBe(true);
  });

  it("carry a deadline over midnight without a gap", () => {
    expect(b(addBusinessTime(NIGHT, T("2026-06-05T23:00+02:00"), 2 * HOUR))).toBe("2026-06-06T01:00+02:00");
    expect(b(addBusinessTime(NIGHT, T("2026-06-05T22:00+02:00"), 2 * HOUR))).toBe("2026-06-06T00:00+02:00");
    expect(b(addBusinessTime(NIGHT, T("2026-06-05T22:00+02:00"), 4 * HOUR))).toBe("2026-06-06T02:00+02:00");
    expect(b(addBusinessTime(NIGHT, T("2026-06-06T02:00+02:00"), MINUTE))).toBe("2026-06-12T18:01+02:00");
  });
});

describe('the literal "24/7" calendar', () => {
  it("is always open and counts real elapsed time", () => {
    const at = T("2026-06-06T12:00+02:00");
    expect(isOpen("24/7", at)).toBe(true);
    expect(nextOpening("24/7", at)).toBe(at);
    expect(nextClosing("24/7", at)).toBe(Number.POSITIVE_INFINITY);
    expect(addBusinessTime("24/7", at, 36 * HOUR)).toBe(at + 36 * HOUR);
    expect(addBusinessTime("24/7", at, 0)).toBe(at);
    expect(subtractBusinessTime("24/7", at, 36 * HOUR)).toBe(at - 36 * HOUR);
    expect(businessTimeBetween("24/7", at, at + 5 * HOUR)).toBe(5 * HOUR);
    expect(businessTimeBetween("24/7", at, at - 5 * HOUR)).toBe(0);
  });
});

describe("an all-day week written as a document", () => {
  const ALL_DAY: BusinessCalendar = { timeZone: "Europe/Berlin", week: days([["00:00", "24:00"]], ...ALL_DAYS), holidays: ["2026-12-25"] };

  it("never closes except on its dated rules", () => {
    expect(b(nextClosing(ALL_DAY, T("2026-06-01T10:00+02:00")))).toBe("2026-12-25T00:00+01:00");
    expect(b(nextOpening(ALL_DAY, T("2026-12-25T10:00+01:00")))).toBe("2026-12-26T00:00+01:00");
    expect(nextClosing(ALL_DAY, T("2026-12-26T10:00+01:00"))).toBe(Number.POSITIVE_INFINITY);
    expect(businessTimeBetween(ALL_DAY, T("2026-12-24T12:00+01:00"), T("2026-12-26T12:00+01:00"))).toBe(24 * HOUR);
  });
});

describe("the supported range", () => {
  // Tokyo has had no offset change since 1951, so reaching 2300 needs no transition lookups.
  const TOKYO: BusinessCalendar = { timeZone: "Asia/Tokyo", week: days([["09:00", "17:00"]], ...WEEKDAYS) };

  it("reports deadlines past 2300 as Infinity and starts before 1900 as -Infinity", () => {
    expect(addBusinessTime(TOKYO, T("2299-12-01T10:00+09:00"), 1000 * HOUR)).toBe(Number.POSITIVE_INFINITY);
    expect(subtractBusinessTime(TOKYO, T("1900-01-10T10:00+09:00"), 1000 * HOUR)).toBe(Number.NEGATIVE_INFINITY);
    expect(addBusinessTime(TOKYO, T("2299-12-29T10:00+09:00"), HOUR)).toBe(T("2299-12-29T11:00+09:00"));
    // 2299-12-30 is a Saturday: the next opening would be in 2300.
    expect(addBusinessTime(TOKYO, T("2299-12-30T10:00+09:00"), HOUR)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("prepared and raw calendars", () => {
  it("give the same answers whether passed raw, prepared, or as an equal copy", () => {
    const start = T("2026-12-24T15:00+03:00");
    // Thu 15–18, Fri 9–18, the special Sunday 10–16, Mon 8 h, Tue 9 h, then Wed 09:00–14:00.
    const raw = addBusinessTime(ISTANBUL, start, 40 * HOUR);
    expect(ist(raw)).toBe("2026-12-30T14:00+03:00");
    expect(addBusinessTime(prepareCalendar(ISTANBUL), start, 40 * HOUR)).toBe(raw);
    expect(addBusinessTime(structuredClone(ISTANBUL), start, 40 * HOUR)).toBe(raw);
  });
});
