/**
 * Reminders built the way a case object builds them: the engine evaluated at the firing instant,
 * the words written in the languages of the reminder's channels.
 */
import { displayZone, evaluateCase } from "../../src/cases/engine";
import { buildReminder } from "../../src/cases/reminder-text";
import type { CaseEvent } from "../../src/cases/state";
import { caseIdOf, type NormalizedEvent } from "../../src/events/model";
import type { Reminder } from "../../src/notify/reminder";
import { reminderLanguages } from "../../src/rules/language";
import { RulesDocument, type RulesDocumentInput } from "../../src/rules/schema";

export const AYSE = { name: "Ayşe Yılmaz", email: "ayse@example.com", phone: "+90 532 000 00 00" };
export const WEEKDAYS = Object.fromEntries(["mon", "tue", "wed", "thu", "fri"].map((d) => [d, [["09:00", "18:00"]]]));

export type EventInput = Omit<NormalizedEvent, "storeId" | "providerEventId">;

export function caseEvents(storeId: string, ...list: EventInput[]): CaseEvent[] {
  return list.map((e, i) => ({ eventId: `${e.provider}:ev-${i + 1}`, occurredAt: Date.parse(e.occurredAt), event: { storeId, providerEventId: `ev-${i + 1}`, ...e } }));
}

/**
 * Every reminder the case fires up to `until`, in virtual time as the case object would: events
 * at their instants, each timer `late` ms after its due instant (a busy object is late).
 */
export function fireAll(storeId: string, input: RulesDocumentInput, events: CaseEvent[], until: number, late = 0): Reminder[] {
  const doc = RulesDocument.parse(input);
  const pins = [{ version: 1, from: 0, document: doc }];
  const fired = new Set<string>();
  const known = new Set<string>();
  const out: Reminder[] = [];
  const caseId = caseIdOf(events[0]!.event.caseKey);
  let t = events[0]!.occurredAt;
  for (let guard = 0; guard < 500; guard++) {
    const ev = evaluateCase({ events: events.filter((e) => e.occurredAt <= t), pins, now: t, fired, known });
    if (!ev) break;
    for (const timer of ev.timers) known.add(timer.key);
    const due = ev.timers.filter((x) => !fired.has(x.key) && x.dueAt + late <= t);
    for (const timer of due) {
      fired.add(timer.key);
      out.push(buildReminder({ storeId, caseId, state: ev.state, timer, firedAt: t, timeZone: displayZone(doc, timer), languages: reminderLanguages(doc, timer.channels) }));
    }
    if (due.length > 0) continue;
    const nextEvent = events.find((e) => e.occurredAt > t)?.occurredAt ?? Infinity;
    const nextTimer = Math.min(...ev.timers.filter((x) => !fired.has(x.key)).map((x) => x.dueAt + late), Infinity);
    const next = Math.min(nextEvent, nextTimer);
    if (!Number.isFinite(next) || next > until) break;
    t = Math.max(next, t + 1);
  }
  return out;
}

export function fireOne(storeId: string, input: RulesDocumentInput, events: CaseEvent[], kind: string, late = 0): Reminder {
  const all = fireAll(storeId, input, events, events[events.length - 1]!.occurredAt + 30 * 86_400_000, late);
  const r = all.find((x) => x.kind === kind);
  if (!r) throw new Error(`no ${kind} reminder; fired: ${all.map((x) => x.kind).join(", ")}`);
  return r;
}
