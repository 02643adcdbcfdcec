/**
 * The default dispute-risk words of each language: what an upset customer writes just before a
 * chargeback or a public complaint. Where each one comes from is in docs/language.md. Matching
 * folds case and diacritics (src/i18n/fold.ts), so each word is listed once, as it is spelled;
 * Turkish and Croatian inflect, so the forms customers actually write ("savcılığa",
 * "odvjetnika", "tužbu") are listed beside the dictionary form.
 *
 * Pure.
 */
import type { Language } from "../i18n";
import { DEFAULT_DISPUTE_WORDS, type RulesDocument } from "./schema";

export const DISPUTE_WORDS: { readonly [L in Language]: readonly string[] } = {
  en: DEFAULT_DISPUTE_WORDS,
  tr: [
    "şikayetvar",
    "avukat",
    "avukatım",
    "avukatıma",
    "dava",
    "dava açacağım",
    "tüketici hakem heyeti",
    "hakem heyeti",
    "hakem heyetine",
    "tüketici mahkemesi",
    "savcılık",
    "savcılığa",
    "suç duyurusu",
    "dolandırıcı",
    "dolandırıcılar",
    "dolandırıcılık",
    "dolandırıldım",
    "chargeback",
    "ters ibraz",
    "bankama itiraz",
    "cimer",
    "ticaret bakanlığı",
  ],
  hr: [
    "odvjetnik",
    "odvjetnika",
    "odvjetniku",
    "tužba",
    "tužbu",
    "tužiti",
    "tužit ću",
    "prijava",
    "prijavu",
    "prijaviti",
    "inspekcija",
    "inspekciji",
    "inspekciju",
    "prevara",
    "prijevara",
    "prevarant",
    "prevaranti",
    "reklamacija",
    "reklamaciju",
    "zaštita potrošača",
    "zaštitu potrošača",
    "chargeback",
    "osporiti plaćanje",
  ],
};

/**
 * The words a store's dispute rule matches. The schema fills in the English list when the store
 * wrote none; in a Turkish or Croatian store that default means "the defaults", so that
 * language's list is used. A list the store wrote itself is used as written.
 */
export function disputeWordsOf(doc: Pick<RulesDocument, "language" | "playbook">): readonly string[] {
  const words = doc.playbook.disputeRisk.words;
  const isDefault = words === DEFAULT_DISPUTE_WORDS || (words.length === DEFAULT_DISPUTE_WORDS.length && words.every((w, i) => w === DEFAULT_DISPUTE_WORDS[i]));
  return isDefault ? DISPUTE_WORDS[doc.language ?? "en"] : words;
}
