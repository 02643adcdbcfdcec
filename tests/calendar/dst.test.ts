/**
 * Days whose UTC offset changes, in four zones and both hemispheres, including zones that
 * have since abolished daylight saving time (Brazil in 2019, Iran in 2022): the engine must
 * follow the historical rules for past dates and the current ones after.
 *
 * Rules under test: a skipped local time moves forward by the gap, a repeated one takes its
 * first occurrence, and a day that is open around the clock counts 23 or 25 real hours.
 */
import { describe, expect, it } from "vitest";
import { addBusinessTime, type BusinessCalendar, businessTimeBetween, isOpen, nextClosing, nextOpening, subtractBusinessTime } from "../../src/calendar/index";
import { ALL_DAYS, days, HOUR, MINUTE, T, WEEKDAYS, local } from "./helpers";

const allDay = (timeZone: string): BusinessCalendar => ({ timeZone, week: days([["00:00", "24:00"]], ...ALL_DAYS) });
const on = (timeZone: string, day: keyof BusinessCalendar["week"], hours: [string, string][]): BusinessCalendar => ({ timeZone, week: { [day]: hours } });

describe("Europe/Berlin: 2026-03-29 02:00 → 03:00, 2026-10-25 03:00 → 02:00", () => {
  const Z = "Europe/Berlin";
  const at = (ms: number) => local(Z, ms);

  it("counts 23 and 25 hours on the change days, whether 24/7 or an all-day week", () => {
    const spring = [T("2026-03-29T00:00+01:00"), T("2026-03-30T00:00+02:00")] as const;
    const autumn = [T("2026-10-25T00:00+02:00"), T("2026-10-26T00:00+01:00")] as const;
    for (const cal of ["24/7" as const, allDay(Z)]) {
      expect(businessTimeBetween(cal, ...spring)).toBe(23 * HOUR);
      expect(businessTimeBetween(cal, ...autumn)).toBe(25 * HOUR);
      expect(at(addBusinessTime(cal, spring[0], 24 * HOUR))).toBe("2026-03-30T01:00+02:00");
      expect(at(addBusinessTime(cal, autumn[0], 24 * HOUR))).toBe("2026-10-25T23:00+01:00");
      expect(at(subtractBusinessTime(cal, spring[1], 24 * HOUR))).toBe("2026-03-28T23:00+01:00");
    }
  });

  it("measures wall-clock hours that span the change in real time", () => {
    const night = on(Z, "sun", [["01:00", "04:00"]]);
    expect(businessTimeBetween(night, T("2026-03-28T00:00+01:00"), T("2026-03-30T00:00+02:00"))).toBe(2 * HOUR);
    expect(businessTimeBetween(night, T("2026-10-24T00:00+02:00"), T("2026-10-26T00:00+01:00"))).toBe(4 * HOUR);
    expect(businessTimeBetween(night, T("2026-04-04T00:00+02:00"), T("2026-04-06T00:00+02:00"))).toBe(3 * HOUR);
    expect(at(addBusinessTime(night, T("2026-03-28T12:00+01:00"), 90 * MINUTE))).toBe("2026-03-29T03:30+02:00");
  });

  it("moves a skipped opening forward by the gap: 02:30 opens at 03:30", () => {
    const cal = on(Z, "sun", [["02:30", "05:00"]]);
    expect(at(nextOpening(cal, T("2026-03-28T12:00+01:00")))).toBe("2026-03-29T03:30+02:00");
    expect(isOpen(cal, T("2026-03-29T03:29+02:00"))).toBe(false);
    expect(businessTimeBetween(cal, T("2026-03-29T00:00+01:00"), T("2026-03-30T00:00+02:00"))).toBe(90 * MINUTE);
    // 02:00–03:00 does not exist that night at all, so the period is empty and the next one is a week later.
    expect(at(nextOpening(on(Z, "sun", [["02:00", "03:00"]]), T("2026-03-28T12:00+01:00")))).toBe("2026-04-05T02:00+02:00");
  });

  it("takes the first occurrence of a repeated time, for openings and closings", () => {
    const opens = on(Z, "sun", [["02:30", "05:00"]]);
    expect(at(nextOpening(opens, T("2026-10-24T12:00+02:00")))).toBe("2026-10-25T02:30+02:00");
    expect(isOpen(opens, T("2026-10-25T02:15+02:00"))).toBe(false);
    expect(isOpen(opens, T("2026-10-25T02:15+01:00"))).toBe(true);
    expect(businessTimeBetween(opens, T("2026-10-25T00:00+02:00"), T("2026-10-26T00:00+01:00"))).toBe(3.5 * HOUR);

    const closes = on(Z, "sun", [["00:00", "02:30"]]);
    expect(at(nextClosing(closes, T("2026-10-24T12:00+02:00")))).toBe("2026-10-25T02:30+02:00");
    expect(isOpen(closes, T("2026-10-25T02:15+01:00"))).toBe(false);
    expect(businessTimeBetween(closes, T("2026-10-25T00:00+02:00"), T("2026-10-26T00:00+01:00"))).toBe(2.5 * HOUR);
  });

  it("keeps office hours exact across the change weekend", () => {
    const office: BusinessCalendar = { timeZone: Z, week: days([["09:00", "17:00"]], ...WEEKDAYS) };
    expect(at(addBusinessTime(office, T("2026-03-27T16:00+01:00"), 2 * HOUR))).toBe("2026-03-30T10:00+02:00");
    expect(at(subtractBusinessTime(office, T("2026-03-30T10:00+02:00"), 2 * HOUR))).toBe("2026-03-27T16:00+01:00");
    expect(businessTimeBetween(office, T("2026-03-27T09:00+01:00"), T("2026-03-30T17:00+02:00"))).toBe(16 * HOUR);
    expect(at(addBusinessTime(office, T("2026-10-23T16:00+02:00"), 2 * HOUR))).toBe("2026-10-26T10:00+01:00");
  });
});

describe("America/Sao_Paulo in 2018, when Brazil still had DST (changes at midnight)", () => {
  const Z = "America/Sao_Paulo";
  const at = (ms: number) => local(Z, ms);

  it("starts 2018-11-04 at 01:00, because its midnight did not exist", () => {
    const sunday = on(Z, "sun", [["00:00", "24:00"]]);
    expect(at(nextOpening(sunday, T("2018-11-03T12:00-03:00")))).toBe("2018-11-04T01:00-02:00");
    expect(businessTimeBetween(sunday, T("2018-11-03T00:00-03:00"), T("2018-11-06T00:00-02:00"))).toBe(23 * HOUR);
    expect(businessTimeBetween(allDay(Z), T("2018-11-04T01:00-02:00"), T("2018-11-05T00:00-02:00"))).toBe(23 * HOUR);
    const early = on(Z, "sun", [["00:30", "02:00"]]);
    expect(at(nextOpening(early, T("2018-11-03T12:00-03:00")))).toBe("2018-11-04T01:30-02:00");
    expect(businessTimeBetween(early, T("2018-11-03T00:00-03:00"), T("2018-11-05T00:00-02:00"))).toBe(30 * MINUTE);
  });

  it("gives Saturday 2018-02-17 25 hours, its 23:00 hour twice, the first one counting", () => {
    expect(businessTimeBetween(on(Z, "sat", [["00:00", "24:00"]]), T("2018-02-17T00:00-02:00"), T("2018-02-18T00:00-03:00"))).toBe(25 * HOUR);
    const late = on(Z, "sat", [["23:00", "24:00"]]);
    expect(at(nextOpening(late, T("2018-02-17T12:00-02:00")))).toBe("2018-02-17T23:00-02:00");
    expect(isOpen(late, T("2018-02-17T23:30-03:00"))).toBe(true);
    expect(businessTimeBetween(late, T("2018-02-17T00:00-02:00"), T("2018-02-19T00:00-03:00"))).toBe(2 * HOUR);
  });

  it("keeps office hours exact across the change", () => {
    const office: BusinessCalendar = { timeZone: Z, week: days([["09:00", "18:00"]], ...WEEKDAYS) };
    expect(at(addBusinessTime(office, T("2018-11-02T17:00-03:00"), 2 * HOUR))).toBe("2018-11-05T10:00-02:00");
    expect(at(addBusinessTime(office, T("2018-02-16T17:00-02:00"), 2 * HOUR))).toBe("2018-02-19T10:00-03:00");
  });

  it("has ordinary 24-hour days after DST was abolished in 2019", () => {
    expect(businessTimeBetween(allDay(Z), T("2019-11-03T00:00-03:00"), T("2019-11-04T00:00-03:00"))).toBe(24 * HOUR);
    expect(at(nextOpening(on(Z, "sun", [["00:00", "24:00"]]), T("2019-11-02T12:00-03:00")))).toBe("2019-11-03T00:00-03:00");
    expect(at(nextOpening(on(Z, "sun", [["00:00", "24:00"]]), T("2026-11-07T12:00-03:00")))).toBe("2026-11-08T00:00-03:00");
  });
});

describe("Asia/Tehran before Iran abolished DST in 2022 (+03:30 / +04:30, changes at midnight)", () => {
  const Z = "Asia/Tehran";
  const at = (ms: number) => local(Z, ms);
  const office: BusinessCalendar = { timeZone: Z, week: days([["08:00", "16:00"]], "sat", "sun", "mon", "tue", "wed") };

  it("skips the first hour of 2021-03-22", () => {
    expect(businessTimeBetween(allDay(Z), T("2021-03-22T01:00+04:30"), T("2021-03-23T00:00+04:30"))).toBe(23 * HOUR);
    const early = on(Z, "mon", [["00:00", "02:00"]]);
    expect(at(nextOpening(early, T("2021-03-21T12:00+03:30")))).toBe("2021-03-22T01:00+04:30");
    expect(businessTimeBetween(early, T("2021-03-21T00:00+03:30"), T("2021-03-23T00:00+04:30"))).toBe(HOUR);
    expect(at(addBusinessTime(office, T("2021-03-21T15:00+03:30"), 2 * HOUR))).toBe("2021-03-22T09:00+04:30");
  });

  it("gives 2022-09-21 25 hours", () => {
    const late = on(Z, "wed", [["22:00", "24:00"]]);
    expect(businessTimeBetween(late, T("2022-09-21T00:00+04:30"), T("2022-09-23T00:00+03:30"))).toBe(3 * HOUR);
    expect(at(nextClosing(late, T("2022-09-21T12:00+04:30")))).toBe("2022-09-22T00:00+03:30");
    expect(at(addBusinessTime(office, T("2022-09-21T15:00+04:30"), 2 * HOUR))).toBe("2022-09-24T09:00+03:30");
  });

  it("stays on +03:30 all year from 2023", () => {
    expect(businessTimeBetween(allDay(Z), T("2023-03-22T00:00+03:30"), T("2023-03-23T00:00+03:30"))).toBe(24 * HOUR);
    expect(businessTimeBetween(on(Z, "wed", [["00:00", "02:00"]]), T("2023-03-22T00:00+03:30"), T("2023-03-23T00:00+03:30"))).toBe(2 * HOUR);
    expect(at(addBusinessTime(office, T("2023-09-20T15:00+03:30"), 2 * HOUR))).toBe("2023-09-23T09:00+03:30");
  });
});

describe("Australia/Sydney, southern hemisphere: 2026-04-05 03:00 → 02:00, 2026-10-04 02:00 → 03:00", () => {
  const Z = "Australia/Sydney";
  const at = (ms: number) => local(Z, ms);

  it("counts 25 hours in April and 23 in October", () => {
    expect(businessTimeBetween(allDay(Z), T("2026-04-05T00:00+11:00"), T("2026-04-06T00:00+10:00"))).toBe(25 * HOUR);
    expect(businessTimeBetween(allDay(Z), T("2026-10-04T00:00+10:00"), T("2026-10-05T00:00+11:00"))).toBe(23 * HOUR);
  });

  it("takes the first 02:30 in April and moves 02:30 to 03:30 in October", () => {
    const cal = on(Z, "sun", [["02:30", "04:00"]]);
    expect(at(nextOpening(cal, T("2026-04-04T12:00+11:00")))).toBe("2026-04-05T02:30+11:00");
    expect(businessTimeBetween(cal, T("2026-04-05T00:00+11:00"), T("2026-04-06T00:00+10:00"))).toBe(2.5 * HOUR);
    expect(at(nextOpening(cal, T("2026-10-03T12:00+10:00")))).toBe("2026-10-04T03:30+11:00");
    expect(businessTimeBetween(cal, T("2026-10-04T00:00+10:00"), T("2026-10-05T00:00+11:00"))).toBe(30 * MINUTE);
  });

  it("keeps office hours exact across the change weekend", () => {
    const office: BusinessCalendar = { timeZone: Z, week: days([["09:00", "17:00"]], ...WEEKDAYS) };
    expect(at(addBusinessTime(office, T("2026-04-03T16:00+11:00"), 2 * HOUR))).toBe("2026-04-06T10:00+10:00");
    expect(businessTimeBetween(office, T("2026-04-03T09:00+11:00"), T("2026-04-06T17:00+10:00"))).toBe(16 * HOUR);
    expect(at(subtractBusinessTime(office, T("2026-10-05T10:00+11:00"), 2 * HOUR))).toBe("2026-10-02T16:00+10:00");
  });
});

describe("half-hour and whole-day offset changes", () => {
  it("counts 24.5 hours when Lord Howe Island goes back 30 minutes (2026-04-05)", () => {
    expect(businessTimeBetween(allDay("Australia/Lord_Howe"), T("2026-04-05T00:00+11:00"), T("2026-04-06T00:00+10:30"))).toBe(24.5 * HOUR);
  });

  it("skips 2011-12-30 in Samoa, which never happened there", () => {
    const Z = "Pacific/Apia";
    const cal: BusinessCalendar = { timeZone: Z, week: days([["09:00", "17:00"]], ...ALL_DAYS) };
    expect(local(Z, addBusinessTime(cal, T("2011-12-29T16:00-10:00"), 2 * HOUR))).toBe("2011-12-31T10:00+14:00");
    expect(businessTimeBetween(allDay(Z), T("2011-12-29T00:00-10:00"), T("2012-01-01T00:00+14:00"))).toBe(48 * HOUR);
    expect(local(Z, nextClosing(allDay(Z), T("2011-12-29T12:00-10:00")))).toBe("Infinity");
  });
});
