/**
 * Each channel gets the reminder in its own language. The case object wrote the words in every
 * language the reminder's channels read (src/cases/reminder-text.ts); here, just before a channel
 * renders a delivery, the reminder's `title`, `nextAction` and `details` become that language's,
 * and the render frame (labels, dates, plurals) follows `language`. Machine fields (kinds, ids,
 * instants) are never touched.
 *
 * A channel whose language the reminder was not written in (its language changed after the
 * reminder fired) gets it whole in the store's language: words and frame agree, and no words
 * are made up.
 *
 * Pure.
 */
import type { Language } from "../i18n";
import type { Outbound } from "./messages";
import type { Reminder } from "./reminder";

export function reminderIn(r: Reminder, lang: Language): Reminder {
  const { texts, ...rest } = r;
  const words = (r.language ?? "en") === lang ? null : texts?.[lang];
  return words ? { ...rest, ...words, language: lang } : rest;
}

export function outboundIn(out: Outbound, lang: Language): Outbound {
  switch (out.kind) {
    case "reminder":
      return { ...out, reminder: reminderIn(out.reminder, lang) };
    case "digest":
      return { ...out, reminders: out.reminders.map((r) => reminderIn(r, lang)) };
    case "notice":
      return lang === "en" ? out : { ...out, language: lang };
  }
}
