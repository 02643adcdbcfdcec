/**
 * Text folded for matching: lower case under the language's own rules, then without diacritics,
 * so a dispute word matches however the customer typed it. "ŞİKAYETVAR'A", "şikayetvar" and
 * "sikayetvar" fold alike, as do "TUŽBA", "tužba" and "tuzba".
 *
 * Why not a case-insensitive regex: Unicode simple case folding has no mapping between `İ` and
 * `i` or between `I` and `ı`, so `/şikayetvar/iu` misses "ŞİKAYETVAR" (the Turkish-I problem).
 * Folding every language's way at once is safe here: after diacritics are removed, Turkish `ı`
 * and `i` both become `i`, and `I` lowercases to `ı` (Turkish) or `i` (elsewhere), which is `i`
 * again; so the fold does not need to know the language, and a Turkish customer writing to a
 * store set to English still matches.
 *
 * Each fold keeps the string's length where the letters do (one letter in, one letter out),
 * except `ß`, ligatures and `đ` (→ "dj", the common way Croatian is typed without it), which is
 * why whole-word checks run on the folded text, never on offsets into the original.
 *
 * Pure and allocation-light: done once per event and once per word, never per comparison.
 */

/** Letters NFD does not decompose: they are letters of their own, not a base plus a mark. */
const SPECIAL: Record<string, string> = {
  ı: "i",
  đ: "dj",
  ł: "l",
  ø: "o",
  ß: "ss",
  æ: "ae",
  œ: "oe",
  ð: "d",
  þ: "th",
};
const SPECIAL_RE = /[ıđłøßæœðþ]/g;
const MARKS_RE = /\p{M}+/gu;
/** Most text is plain ASCII after lower-casing: nothing to strip, skip the normalization. */
const NON_ASCII = /[^\u0000-\u007f]/; // eslint-disable-line no-control-regex

export function foldText(text: string): string {
  // Turkish lower-casing maps İ→i and I→ı; the rest of the alphabet is lowercased as usual.
  // ı then folds to i below, so "I" ends as "i" whichever language wrote it.
  const lower = text.toLocaleLowerCase("tr");
  if (!NON_ASCII.test(lower)) return lower;
  return lower.normalize("NFD").replace(MARKS_RE, "").replace(SPECIAL_RE, (c) => SPECIAL[c] ?? c);
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * A folded word or phrase, ready to test against folded text. Whole words only: "dava" does not
 * match "davet". An apostrophe is not a letter, so Turkish suffixes written after one on a
 * proper name ("Şikayetvar'a", "Şikayetvar’dan") still leave the word whole.
 */
export interface FoldedWord {
  /** The word as the store wrote it, for the reminder ("the customer wrote …"). */
  word: string;
  pattern: RegExp;
}

export function foldWord(word: string): FoldedWord {
  const folded = foldText(word.trim()).replace(/\s+/g, " ");
  // A space in a phrase matches any run of whitespace; letters and digits on either side end the match.
  const body = folded.split(" ").map(escapeRe).join("\\s+");
  return { word, pattern: new RegExp(`(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])`, "u") };
}

/** The first of `words` (folded with foldWord) in `foldedText` (folded with foldText). */
export function firstWordIn(foldedText: string, words: readonly FoldedWord[]): string | null {
  for (const w of words) if (w.pattern.test(foldedText)) return w.word;
  return null;
}
