/**
 * The Croatian and Turkish holiday templates against the official calendars for 2026–2027:
 * Croatia's Zakon o blagdanima (NN 110/19), with Easter computed here rather than copied; Turkey's
 * national days (Law 2429) and the Diyanet's religious days (docs/language.md cites both).
 */
import { describe, expect, it } from "vitest";
import { simulateCases } from "../../src/cases/simulate";
import { rulesTemplates } from "../../src/rules/templates";

/** Gregorian Easter Sunday (the anonymous Gregorian algorithm, Meeus/Jones/Butcher), as YYYY-MM-DD. */
function easter(year: number): Date {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return new Date(Date.UTC(year, month - 1, day));
}
const ymd = (d: Date) => d.toISOString().slice(0, 10);
const plusDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);

function template(id: string) {
  const t = rulesTemplates().find((x) => x.id === id);
  if (!t) throw new Error(`no template ${id}`);
  return t.rules;
}

describe("Croatian public holidays (Zakon o blagdanima, NN 110/19)", () => {
  it("are exactly the law's list for 2026 and 2027, with Easter, Easter Monday and Corpus Christi computed", () => {
    const expected: string[] = [];
    for (const year of [2026, 2027]) {
      const e = easter(year);
      const fixed = ["01-01", "01-06", "05-01", "05-30", "06-22", "08-05", "08-15", "11-01", "11-18", "12-25", "12-26"].map((md) => `${year}-${md}`);
      expected.push(...fixed, ymd(e), ymd(plusDays(e, 1)), ymd(plusDays(e, 60)));
    }
    expect(ymd(easter(2026))).toBe("2026-04-05");
    expect(ymd(easter(2027))).toBe("2027-03-28");
    const cal = template("croatia-holidays").calendars["Zagreb office"]!;
    expect(cal.timeZone).toBe("Europe/Zagreb");
    expect([...cal.holidays!].sort()).toEqual(expected.sort());
  });

  it("a first reply asked for the day before Corpus Christi is due the day after it", () => {
    const rules = template("croatia-holidays");
    // Wednesday 3 June 2026, 15:30 in Zagreb (13:30Z): a normal email, 4 business hours.
    // 30 minutes on Wednesday, Thursday 4 June closed (Tijelovo), 3 h 30 min on Friday from 08:00: 11:30 (09:30Z).
    const event = { storeId: "st_hr", provider: "custom" as const, providerEventId: "e1", occurredAt: "2026-06-03T13:30:00.000Z", caseKey: { type: "ticket" as const, provider: "custom" as const, ticketId: "1" }, kind: "case.opened" as const, channel: "email" as const, status: "open" as const };
    const out = simulateCases({ storeId: "st_hr", rules, rulesVersion: 1, events: [event], until: Date.parse("2026-06-06T00:00:00Z") });
    const breach = out.reminders.find((r) => r.kind === "first_reply.breach")!;
    expect(breach.dueAt).toBe("2026-06-05T09:30:00.000Z");
    expect(breach.language).toBe("hr");
    expect(breach.title).toBe("Prvi odgovor: rok je prošao — e-pošta, uobičajen prioritet");
  });
});

describe("Turkish public holidays", () => {
  const cal = () => template("turkey-holidays").calendars["Istanbul office"]!;

  it("include every national day of 2026 and 2027 (Law 2429)", () => {
    for (const year of [2026, 2027]) {
      for (const md of ["01-01", "04-23", "05-01", "05-19", "07-15", "08-30", "10-29"]) expect(cal().holidays, `${year}-${md}`).toContain(`${year}-${md}`);
    }
  });

  it("include Ramazan and Kurban Bayramı as the Diyanet's calendar dates them, with half-day eves", () => {
    // 2026: Ramazan 20–22 March (eve 19th), Kurban 27–30 May (eve 26th); 2027: Ramazan 9–11 March (eve 8th), Kurban 16–19 May (eve 15th).
    for (const d of ["2026-03-20", "2026-03-21", "2026-03-22", "2026-05-27", "2026-05-28", "2026-05-29", "2026-05-30", "2027-03-09", "2027-03-10", "2027-03-11", "2027-05-16", "2027-05-17", "2027-05-18", "2027-05-19"]) {
      expect(cal().holidays, d).toContain(d);
    }
    const eves = cal().closures!.map((c) => c.date);
    for (const d of ["2026-03-19", "2026-05-26", "2027-03-08", "2027-05-15", "2026-10-28", "2027-10-28"]) expect(eves, d).toContain(d);
    expect(template("turkey-holidays").language).toBe("tr");
  });
});
