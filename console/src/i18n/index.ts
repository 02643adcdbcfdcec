/**
 * The console's interface language (issue 27), mirroring src/i18n/: one catalogue per language in
 * this folder, typed by the English one, so a missing key is a type error.
 *
 * - `t(key, vars)`: the current language's text, `{name}` placeholders filled in.
 * - `language()` / `setLanguage(lang)`: the choice; the header's switch calls setLanguage, which
 *   remembers it in localStorage and re-renders the console (see `useLanguage`).
 * - `locale()`: the BCP 47 tag for Intl (dates, numbers) in that language.
 * First visit: the first of `navigator.languages` we have, else English.
 */
import { useEffect, useState } from "preact/hooks";
import { language, listeners, type ConsoleLanguage } from "./locale";

export type { MessageKey, Messages } from "./en";
export { CATALOGUES, CONSOLE_LANGUAGES, LANGUAGE_NAMES, detectLanguage, language, locale, setLanguage, t, translate, type ConsoleLanguage } from "./locale";

/** Re-renders the calling component (the console's root) when the language changes. */
export function useLanguage(): ConsoleLanguage {
  const [lang, setLang] = useState(language);
  useEffect(() => {
    listeners.add(setLang);
    return () => void listeners.delete(setLang);
  }, []);
  return lang;
}
