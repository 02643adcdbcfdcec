/**
 * Which business calendar a case is judged on, read from the store's current rules, and whether
 * an instant falls in its business hours: the callback picker uses its zone and warns when a
 * promised time is outside them. A simplified reading of src/calendar (week hours, holidays,
 * date openings and closures) that only decides a warning, never a deadline.
 */
import { wallParts } from "./time";
import type { RulesDocument } from "./types";

type Calendar = RulesDocument["calendars"][string];

export interface CaseCalendar {
  name: string;
  zone: string;
  calendar: Calendar | null;
}

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

/** The calendar of the case's policy's first target; else the quiet-hours or first calendar; else 24/7 UTC. */
export function caseCalendar(doc: RulesDocument | undefined, policyIndex: number | null): CaseCalendar {
  const calendars = doc?.calendars ?? {};
  const policy = policyIndex !== null ? doc?.policies[policyIndex] : undefined;
  const targets = policy ? Object.values(policy.targets).filter((t) => t !== undefined) : [];
  const names = [...targets.map((t) => t.calendar), doc?.quietHours?.calendar, ...Object.keys(calendars)];
  for (const name of names) {
    const cal = name !== undefined ? calendars[name] : undefined;
    if (name !== undefined && cal) return { name, zone: cal.timeZone, calendar: cal };
  }
  return { name: "24/7", zone: "UTC", calendar: null };
}

const minutes = (hhmm: string) => (hhmm === "24:00" ? 1440 : Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5)));

/** True when `at` is inside the calendar's business hours (always, for 24/7). */
export function isBusinessTime(cal: CaseCalendar, at: number): boolean {
  const c = cal.calendar;
  if (!c) return true;
  const p = wallParts(at, cal.zone);
  const date = `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
  const m = p.hour * 60 + p.minute;
  const openings = (c.openings ?? []).filter((o) => o.date === date);
  let open: boolean;
  if (openings.length > 0) open = openings.some((o) => minutes(o.start) <= m && m < minutes(o.end));
  else if ((c.holidays ?? []).includes(date)) open = false;
  else open = (c.week[DAYS[p.weekday] ?? "mon"] ?? []).some(([s, e]) => minutes(s) <= m && m < minutes(e));
  if (!open) return false;
  return !(c.closures ?? []).some((x) => x.date === date && minutes(x.start) <= m && m < minutes(x.end));
}
