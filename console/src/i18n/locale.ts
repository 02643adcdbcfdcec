/**
 * The console's current language and its catalogues, without Preact: time.ts (which the Worker's
 * tests also type-check) needs `locale()` and must not pull the DOM-typed UI library in.
 * Components use ./index.ts, which adds `useLanguage`.
 */
import { en, type MessageKey, type Messages } from "./en";
import { hr } from "./hr";
import { tr } from "./tr";

export const CATALOGUES = { en, tr, hr } as const satisfies Record<string, Messages>;
export type ConsoleLanguage = keyof typeof CATALOGUES;
export const CONSOLE_LANGUAGES = Object.keys(CATALOGUES) as ConsoleLanguage[];
/** Each language named in itself, for the switch. */
export const LANGUAGE_NAMES: Record<ConsoleLanguage, string> = { en: "English", tr: "Türkçe", hr: "Hrvatski" };
const LOCALES: Record<ConsoleLanguage, string> = { en: "en-GB", tr: "tr-TR", hr: "hr-HR" };
const STORAGE_KEY = "promptly.language";

const isLanguage = (v: unknown): v is ConsoleLanguage => typeof v === "string" && Object.hasOwn(CATALOGUES, v);

/** The remembered choice, else the browser's languages in order (`tr-TR` → tr), else English. */
export function detectLanguage(stored: string | null, preferred: readonly string[]): ConsoleLanguage {
  if (isLanguage(stored)) return stored;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split("-")[0];
    if (isLanguage(base)) return base;
  }
  return "en";
}

/** The browser's pieces this needs, typed here so the file also type-checks outside the DOM lib. */
const page = globalThis as unknown as {
  localStorage?: { getItem(k: string): string | null; setItem(k: string, v: string): void };
  navigator?: { language?: string; languages?: readonly string[] };
  document?: { documentElement: { lang: string } };
};

function readStored(): string | null {
  try {
    return page.localStorage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null; // storage blocked: the browser's language still applies
  }
}

const nav = page.navigator;
let current: ConsoleLanguage = detectLanguage(readStored(), nav?.languages?.length ? nav.languages : nav?.language ? [nav.language] : []);
export const listeners = new Set<(lang: ConsoleLanguage) => void>();
if (page.document) page.document.documentElement.lang = current;

export const language = (): ConsoleLanguage => current;
export const locale = (): string => LOCALES[current];

export function setLanguage(lang: ConsoleLanguage): void {
  current = lang;
  try {
    page.localStorage?.setItem(STORAGE_KEY, lang);
  } catch {
    // not remembered, still switched for this visit
  }
  if (page.document) page.document.documentElement.lang = lang;
  for (const l of listeners) l(lang);
}

export function translate(lang: ConsoleLanguage, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return CATALOGUES[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(vars, name) ? String(vars[name]) : whole));
}

export const t = (key: MessageKey, vars?: Record<string, string | number>): string => translate(current, key, vars);

