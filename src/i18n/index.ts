/**
 * The languages Promptly writes in, and the helpers every surface uses to speak them: reminders
 * (src/cases/reminder-text.ts), the frame channels put around them (src/notify/render.ts), and
 * the console, which can reuse `catalogueFor`/`pickLanguage` with a catalogue of its own.
 *
 * Pure: no Cloudflare imports. Dates and plurals come from `Intl`, which workerd ships with full
 * ICU data, so no library is needed.
 */
import { en, type Catalogue } from "./en";
import { hr } from "./hr";
import { tr } from "./tr";

export { en, hr, tr, type Catalogue };
export { foldText, foldWord, firstWordIn, type FoldedWord } from "./fold";
export { plural, spanWords, type Forms, type SpanUnits } from "./plural";

export const LANGUAGES = ["en", "tr", "hr"] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = "en";

const CATALOGUES: { readonly [L in Language]: Catalogue } = { en, tr, hr };

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

export function catalogueFor(lang: Language | undefined): Catalogue {
  return CATALOGUES[lang ?? DEFAULT_LANGUAGE];
}

/**
 * The best of `supported` for an `Accept-Language` header or `navigator.languages`: the first
 * listed language whose primary subtag is supported ("tr-TR" → "tr"), else the fallback.
 */
export function pickLanguage<L extends string>(wanted: string | readonly string[] | null | undefined, supported: readonly L[], fallback: L): L {
  const list = typeof wanted === "string" ? wanted.split(",").map((p) => ({ tag: p.split(";")[0]!.trim(), q: Number(/;\s*q=([\d.]+)/.exec(p)?.[1] ?? 1) })) : (wanted ?? []).map((tag) => ({ tag, q: 1 }));
  const ordered = [...list].filter((x) => x.q > 0).sort((a, b) => b.q - a.q);
  for (const { tag } of ordered) {
    const primary = tag.toLowerCase().split("-")[0];
    const hit = supported.find((s) => s.toLowerCase() === primary);
    if (hit) return hit;
  }
  return fallback;
}

type DefaultText = keyof Catalogue["defaults"];

/**
 * The playbook's guidance in `lang`: the rules schema fills in the English default, so a text
 * equal to it is the default and is said in the channel's language; any other text is the
 * store's own and is used as written.
 */
export function playbookText(text: string, which: DefaultText, lang: Language | undefined): string {
  return text === en.defaults[which] ? catalogueFor(lang).defaults[which] : text;
}

/** Building a formatter costs far more than using one; a store uses one or two zones. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let fmt = formatters.get(key);
  if (!fmt) {
    fmt = make();
    if (formatters.size < 128) formatters.set(key, fmt);
  }
  return fmt;
}

/**
 * A time as the agent reads it, in the store's zone and the reader's language: "Mon 2 Mar,
 * 14:00" / "2 Mar Pzt 14:00" / "pon, 2. ožu 14:00"; just the time when `withDate` is false.
 */
export function formatLocalTime(ms: number, timeZone: string, lang: Language | undefined, withDate = true): string {
  const locale = catalogueFor(lang).locale;
  try {
    const fmt = formatter(`${locale}|${timeZone}|${withDate}`, () =>
      new Intl.DateTimeFormat(locale, {
        timeZone,
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
        ...(withDate ? { weekday: "short", day: "numeric", month: "short" } : {}),
      }),
    );
    return fmt.format(new Date(ms));
  } catch {
    return new Date(ms).toISOString();
  }
}

/**
 * An instant stamped for a channel: English keeps `2026-03-02 14:00 UTC` (unambiguous in every
 * receiving system, and what existing integrations read); the other languages get the date in
 * their own words in the store's zone, with the zone's offset ("2 Mart 2026 Pzt 17:00 GMT+3").
 */
export function formatStamp(iso: string, lang: Language | undefined, timeZone: string | undefined): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const c = catalogueFor(lang);
  if (c.utcStamps) return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const zone = timeZone ?? "UTC";
  try {
    const fmt = formatter(`stamp|${c.locale}|${zone}`, () =>
      new Intl.DateTimeFormat(c.locale, { timeZone: zone, weekday: "short", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short" }),
    );
    return fmt.format(new Date(ms));
  } catch {
    return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
  }
}
