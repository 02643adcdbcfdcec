/**
 * Counts and durations in words, with each language's plural forms. `Intl.PluralRules` knows
 * the forms (Croatian has three: 1 sat, 2 sata, 5 sati; Turkish keeps the noun singular after a
 * number); the catalogue supplies the words. Pure.
 */

/** One word per plural category the language uses; `other` is the fallback every language has. */
export type Forms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

const rules = new Map<string, Intl.PluralRules>();

export function plural(locale: string, n: number, forms: Forms): string {
  let r = rules.get(locale);
  if (!r) {
    r = new Intl.PluralRules(locale);
    rules.set(locale, r);
  }
  return forms[r.select(n)] ?? forms.other;
}

export interface SpanUnits {
  minute: Forms;
  hour: Forms;
  day: Forms;
}

/**
 * A duration as a person says it, never rounded up: 59 s is "under a minute", 119 s is
 * "1 minute" (a warning that says "due in 2 minutes" when 80 s are left would be a lie, and so
 * would "overdue by 1 minute" 30 s after a breach). At most two units: nobody acts on seconds
 * past a minute or on minutes past a day.
 */
export function spanWords(ms: number, locale: string, units: SpanUnits, underAMinute: string): string {
  const totalMin = Math.floor(Math.abs(ms) / 60_000);
  if (totalMin < 1) return underAMinute;
  const part = (n: number, f: Forms) => `${n} ${plural(locale, n, f)}`;
  if (totalMin < 60) return part(totalMin, units.minute);
  const h = Math.floor(totalMin / 60);
  if (h < 24) return totalMin % 60 === 0 ? part(h, units.hour) : `${part(h, units.hour)} ${part(totalMin % 60, units.minute)}`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? part(d, units.day) : `${part(d, units.day)} ${part(h % 24, units.hour)}`;
}
