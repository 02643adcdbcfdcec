/**
 * Which language each channel reads: its own `language`, else the store's. Pure.
 */
import type { Language } from "../i18n";
import type { RulesDocument } from "./schema";

export function channelLanguage(doc: Pick<RulesDocument, "language" | "channels">, channel: string): Language {
  return doc.channels[channel]?.language ?? doc.language ?? "en";
}

/**
 * The languages a reminder for these channels is written in: the store's first (the words the
 * reminder itself carries, and what a channel added later falls back to), then each other
 * language one of the channels reads.
 */
export function reminderLanguages(doc: Pick<RulesDocument, "language" | "channels">, channels: readonly string[]): Language[] {
  const out: Language[] = [doc.language ?? "en"];
  for (const name of channels) {
    const lang = channelLanguage(doc, name);
    if (!out.includes(lang)) out.push(lang);
  }
  return out;
}
