/**
 * Text folded for matching: lower case under the language's own rules, then without diacritics,
 * so a dispute word matches however the customer typed it. "ŞİKAYETVAR'A", "şikayetvar" and
 * "sikayetvar" fold alike, as do "TUŽBA", "tužba" and "tuzba".
 *
 * Why not a case-insensitive regex: Unicode simple case folding has no mapping between `İ` and
 * `i` or between `I` and `ı`, so `/şikayetvar/iu` misses "ŞİKAYETVAR" (the Turkish-I problem).
 * The fold does not need to know the language: once case and diacritics are gone, `İ`, `I`, `ı`
 * and `i` are all `i`, so a Turkish customer writing to a store set to English still matches.
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

function foldSlow(s: string): string {
  return s.normalize("NFD").replace(MARKS_RE, "").replace(SPECIAL_RE, (c) => SPECIAL[c] ?? c);
}

/**
 * The fold of every character from U+0080 to U+036F (Latin-1, Latin Extended-A/B, IPA and the
 * combining marks), worked out once: Turkish and Croatian text then folds in one pass over the
 * string instead of NFD plus two regex passes (which cost ~30 µs on a 300-character message).
 * `undefined` where the character folds to itself.
 */
const TABLE_END = 0x370;
const TABLE: (string | undefined)[] = [];
for (let cp = 0x80; cp < TABLE_END; cp++) {
  const ch = String.fromCharCode(cp);
  const folded = foldSlow(ch);
  TABLE[cp] = folded === ch ? undefined : folded;
}

export function foldText(text: string): string {
  // Plain lower-casing is enough, and several times faster than `toLocaleLowerCase("tr")`: it
  // turns İ into "i" plus a combining dot (U+0307), which the table drops; I becomes "i"; and ı
  // maps to "i". Every spelling of the letter ends as "i".
  const lower = text.toLowerCase();
  let out = "";
  let from = 0;
  for (let i = 0; i < lower.length; i++) {
    const cp = lower.charCodeAt(i);
    if (cp < 0x80) continue;
    let mapped: string | undefined;
    if (cp < TABLE_END) mapped = TABLE[cp];
    else if (cp >= 0x1e00 && cp < 0x1f00) mapped = foldSlow(lower[i]!); // Latin Extended Additional (ẞ, ạ, …): rare
    else continue;
    if (mapped === undefined) continue;
    out += lower.slice(from, i) + mapped;
    from = i + 1;
  }
  return from === 0 ? lower : out + lower.slice(from);
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
