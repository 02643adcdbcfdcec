/**
 * Micro-benchmark: the dispute-word search on one customer message, as the webhook path runs it
 * (once per message per pinned rules version). "before" is the search as it was (one
 * case-insensitive Unicode regex per word on the raw text, which misses Turkish İ/I); "after" folds
 * the text once and runs one regex per folded word (src/cases/playbook-log.ts).
 *
 * Run alone: node bench/dispute-words.mjs (not part of `npm run bench`).
 */
import { PlaybookLog } from "../src/cases/playbook-log";
import { firstWordIn, foldText, foldWord } from "../src/i18n";
import type { CaseEvent } from "../src/cases/state";
import { DISPUTE_WORDS } from "../src/rules/dispute-words";
import { RulesDocument } from "../src/rules/schema";

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const before = new Map<string, RegExp>();
function beforeSearch(text: string, words: readonly string[]): string | null {
  for (const w of words) {
    let re = before.get(w);
    if (!re) before.set(w, (re = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRe(w)}(?![\\p{L}\\p{N}])`, "iu")));
    if (re.test(text)) return w;
  }
  return null;
}

const MESSAGES: Record<string, string> = {
  "English, 300 chars, no word": "Hi, I ordered a blue jacket two weeks ago and the tracking page still says the label was created. Could you please check with the carrier what is going on? I need it before the weekend because we are travelling on Saturday. Thanks a lot for your help, and sorry for writing again about this order.",
  "Turkish, 300 chars, no word": "Merhaba, iki hafta önce mavi bir ceket sipariş ettim ve kargo takip sayfası hâlâ etiketin oluşturulduğunu söylüyor. Kargo firmasıyla neler olduğunu kontrol edebilir misiniz? Cumartesi yola çıkacağımız için hafta sonundan önce ihtiyacım var. Yardımınız için çok teşekkürler, tekrar yazdığım için kusura bakmayın.",
  "Turkish, shouting, word at the end": "SİPARİŞİM HÂLÂ GELMEDİ, İKİ HAFTADIR BEKLİYORUM VE KİMSE CEVAP VERMİYOR. BU KABUL EDİLEMEZ. PARAMI İADE ETMEZSENİZ ŞİKAYETVAR'A YAZACAĞIM",
};

function event(body: string, i: number): CaseEvent {
  return { eventId: `custom:b${i}`, occurredAt: i, event: { storeId: "st", provider: "custom", providerEventId: `b${i}`, occurredAt: new Date(i).toISOString(), caseKey: { type: "ticket", provider: "custom", ticketId: "1" }, kind: "case.customer_message", body } } as CaseEvent;
}

function time(fn: (i: number) => void, n: number): number {
  for (let i = 0; i < 2000; i++) fn(i);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return ((performance.now() - t0) / n) * 1000; // µs per call
}

const N = 50_000;
console.log("dispute-word search per customer message (µs, Node, lower is better)");
console.log("| message | words | before: regex /iu per word | after: fold + folded regex per word (of which fold) | after, through a new case's PlaybookLog | after finds |");
console.log("|---|---|---|---|---|---|");
for (const [lang, words] of [["en", DISPUTE_WORDS.en], ["tr", DISPUTE_WORDS.tr]] as const) {
  const doc = RulesDocument.parse({ language: lang });
  for (const [name, text] of Object.entries(MESSAGES)) {
    const b = time(() => beforeSearch(text, words), N);
    let found: string | null = null;
    const a = time((i) => {
      // A fresh log per message: the search a new event costs (the word list is folded once, on first use).
      const log = new PlaybookLog([doc]);
      log.apply(event(text, i));
      found = log.firstDisputeSignal(doc.playbook.disputeRisk)?.signal ?? null;
    }, N);
        const folded = words.map(foldWord);
    const f = time(() => foldText(text), N);
    const s = time(() => firstWordIn(foldText(text), folded), N);
    console.log(`| ${name} | ${lang} (${words.length}) | ${b.toFixed(2)} | ${s.toFixed(2)} (fold ${f.toFixed(2)}) | ${a.toFixed(2)} | ${found ?? "—"} |`);
  }
}
