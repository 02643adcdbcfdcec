/**
 * Dispute words and tags match however the customer types: Turkish I both ways, without
 * diacritics, Croatian letters, still whole words. Run through the case's own playbook log with
 * a parsed rules document, as the engine does.
 */
import { describe, expect, it } from "vitest";
import { PlaybookLog } from "../../src/cases/playbook-log";
import type { CaseEvent } from "../../src/cases/state";
import { foldText } from "../../src/i18n";
import { conditionsHold } from "../../src/rules/match";
import { RulesDocument, type RulesDocumentInput } from "../../src/rules/schema";

let seq = 0;
function message(body: string, extra: Record<string, unknown> = {}): CaseEvent {
  const at = Date.parse("2026-03-02T08:00:00Z") + seq * 1000;
  return {
    id: `custom:m${++seq}`,
    occurredAt: at,
    event: { provider: "custom", providerEventId: `m${seq}`, occurredAt: new Date(at).toISOString(), caseKey: { type: "ticket", provider: "custom", ticketId: "T1" }, kind: "case.customer_message", body, ...extra },
  } as unknown as CaseEvent;
}

function signal(input: RulesDocumentInput, ...bodies: string[]): string | null {
  const doc = RulesDocument.parse(input);
  const log = new PlaybookLog([doc]);
  for (const b of bodies) log.apply(message(b));
  return log.firstDisputeSignal(doc.playbook.disputeRisk)?.signal ?? null;
}

describe("dispute words, folded", () => {
  const turkishWords: RulesDocumentInput = { playbook: { disputeRisk: { words: ["şikayetvar", "iade"] } } };

  it("Turkish capital İ: 'ŞİKAYETVAR'A YAZACAĞIM' matches şikayetvar, and 'İADE İSTİYORUM' matches iade", () => {
    expect(signal(turkishWords, "ŞİKAYETVAR'A YAZACAĞIM")).toBe('the customer wrote "şikayetvar"');
    expect(signal({ playbook: { disputeRisk: { words: ["iade"] } } }, "İADE İSTİYORUM")).toBe('the customer wrote "iade"');
  });

  it("the other way: a word written with I and ı matches text written with İ and i", () => {
    expect(signal({ playbook: { disputeRisk: { words: ["DOLANDIRICI"] } } }, "siz dolandırıcısınız, dolandırıcı!")).toBe('the customer wrote "DOLANDIRICI"');
    expect(signal({ playbook: { disputeRisk: { words: ["savcılık"] } } }, "SAVCILIK")).toBe('the customer wrote "savcılık"');
  });

  it("without diacritics: 'sikayetvar' and 'SIKAYETVAR' match şikayetvar", () => {
    expect(signal(turkishWords, "sikayetvar'a yazacagim")).toBe('the customer wrote "şikayetvar"');
    expect(signal(turkishWords, "SIKAYETVAR")).toBe('the customer wrote "şikayetvar"');
  });

  it("Croatian letters with and without their marks, đ typed as dj", () => {
    const hr: RulesDocumentInput = { playbook: { disputeRisk: { words: ["tužba", "odvjetnik", "prijevara", "pređa"] } } };
    expect(signal(hr, "Ide TUŽBA!")).toBe('the customer wrote "tužba"');
    expect(signal(hr, "ide tuzba")).toBe('the customer wrote "tužba"');
    expect(signal(hr, "ovo je PRIJEVARA")).toBe('the customer wrote "prijevara"');
    expect(signal(hr, "predja")).toBe('the customer wrote "pređa"');
  });

  it("still whole words: a word inside a longer word does not match", () => {
    expect(signal({ playbook: { disputeRisk: { words: ["dava"] } } }, "davetiyenizi aldım")).toBeNull();
    expect(signal({ playbook: { disputeRisk: { words: ["scam"] } } }, "scampi was great")).toBeNull();
  });

  it("a phrase matches across any whitespace and case", () => {
    expect(signal({ playbook: { disputeRisk: { words: ["tüketici hakem heyeti"] } } }, "TÜKETİCİ  HAKEM\nHEYETİNE değil, TÜKETİCİ HAKEM HEYETİ'ne gideceğim")).toBe('the customer wrote "tüketici hakem heyeti"');
  });

  it("a Turkish store with no words of its own gets the Turkish defaults; an English one keeps today's list", () => {
    expect(signal({ language: "tr" }, "Şikayetvar'a yazacağım")).toBe('the customer wrote "şikayetvar"');
    expect(signal({ language: "tr" }, "bankama itiraz edeceğim")).toBe('the customer wrote "bankama itiraz"');
    expect(signal({ language: "hr" }, "Zovem odvjetnika.")).toBe('the customer wrote "odvjetnika"');
    expect(signal({}, "Şikayetvar'a yazacağım")).toBeNull();
    expect(signal({}, "I will call my lawyer")).toBe('the customer wrote "lawyer"');
    // A store's own list is used as written, whatever its language.
    expect(signal({ language: "tr", playbook: { disputeRisk: { words: ["iade"] } } }, "avukat")).toBeNull();
  });

  it("dispute tags and policy tags fold too", () => {
    const doc = RulesDocument.parse({ playbook: { disputeRisk: { tags: ["şikayet"] } } });
    const log = new PlaybookLog([doc]);
    log.apply(message("merhaba", { kind: "case.tags_changed", tags: ["ŞİKAYET"] }));
    expect(log.firstDisputeSignal(doc.playbook.disputeRisk)?.signal).toBe('tagged "ŞİKAYET"');
    expect(conditionsHold({ tags: { any: ["iade"] } }, { type: "ticket", tags: ["İADE"] })).toBe(true);
    expect(conditionsHold({ groups: ["Müşteri İlişkileri"] }, { type: "ticket", tags: [], group: "MUSTERI ILISKILERI" })).toBe(true);
    expect(conditionsHold({ tags: { any: ["iade"] } }, { type: "ticket", tags: ["iadeler"] })).toBe(false);
  });

  it("folds to plain letters", () => {
    expect(foldText("ŞİKAYETVAR'A YAZACAĞIM")).toBe("sikayetvar'a yazacagim");
    expect(foldText("Iğdır ÇÖÜ")).toBe("igdir cou");
    expect(foldText("ŽČĆŠĐ žčćšđ")).toBe("zccsdj zccsdj");
  });
});
