/**
 * The console's interface catalogues (console/src/i18n): every key in every language, the same
 * placeholders in each, and the language a first-time viewer gets from their browser.
 */
import { describe, expect, it } from "vitest";
import { en } from "../../console/src/i18n/en";
import { CATALOGUES, CONSOLE_LANGUAGES, detectLanguage, translate } from "../../console/src/i18n/locale";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("console catalogues", () => {
  it("offer English and Turkish at least", () => {
    expect(CONSOLE_LANGUAGES).toEqual(expect.arrayContaining(["en", "tr"]));
  });

  for (const lang of CONSOLE_LANGUAGES) {
    it(`${lang}: has every key, none empty, none left in English by accident, with the same placeholders`, () => {
      const catalogue = CATALOGUES[lang] as Record<string, string>;
      expect(Object.keys(catalogue).sort()).toEqual(Object.keys(en).sort());
      for (const [key, english] of Object.entries(en)) {
        expect(catalogue[key]?.trim(), `${lang} ${key}`).toBeTruthy();
        expect(placeholders(catalogue[key]!), `${lang} ${key}`).toEqual(placeholders(english));
      }
      if (lang !== "en") {
        const same = Object.entries(en).filter(([key, english]) => catalogue[key] === english && english.length > 8);
        expect(same, `${lang}: copied from English`).toEqual([]);
      }
    });
  }

  it("greets a viewer in their browser's language, and a remembered choice wins", () => {
    expect(detectLanguage(null, ["tr-TR", "en-US"])).toBe("tr");
    expect(detectLanguage(null, ["de-DE", "hr"])).toBe("hr");
    expect(detectLanguage(null, ["de-DE"])).toBe("en");
    expect(detectLanguage("en", ["tr-TR"])).toBe("en");
    expect(detectLanguage("xx", ["tr-TR"])).toBe("tr");
  });

  it("fills placeholders", () => {
    expect(translate("tr", "board.ownedBy", { name: "Ayşe" })).toBe("sahibi: Ayşe");
    expect(translate("en", "case.taken", { count: 2 })).toBe("You own this case now: 2 escalation(s) stopped.");
  });
});
