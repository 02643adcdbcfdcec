/**
 * The catalogues: every key in every language (the type system already refuses a missing key;
 * this also catches a key left as an empty string or a builder that drops its argument), plural
 * forms from Intl.PluralRules, and durations that never round up.
 */
import { describe, expect, it } from "vitest";
import { catalogueFor, en, formatLocalTime, formatStamp, hr, LANGUAGES, pickLanguage, playbookText, tr, type Catalogue } from "../../src/i18n";

type Leaf = { path: string; value: unknown };

function leaves(obj: unknown, prefix = ""): Leaf[] {
  if (obj === null || typeof obj !== "object") return [{ path: prefix, value: obj }];
  return Object.entries(obj).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

/** The builders' number parameters (counts, durations in ms, versions); every other parameter is text. */
const NUMBERS: Record<string, number[]> = {
  ago: [0],
  target: [0],
  "render.span": [0],
  "render.escalationLevel": [0],
  "render.digestTitle": [0],
  "render.more": [0],
  "circles.messages": [0],
  "circles.reopenings": [0],
  "render.noticeTitle": [1],
  "render.rule": [1],
};

/** Arguments a message builder is called with: recognisable text, so the test can see each one used. */
function sampleArgs(path: string, fn: (...args: never[]) => unknown): unknown[] {
  return Array.from({ length: fn.length }, (_, i) => (NUMBERS[path]?.includes(i) ? 7 * 60_000 : `«arg${i}»`));
}

describe("catalogues", () => {
  const english = leaves(en).map((l) => l.path).sort();

  for (const lang of LANGUAGES) {
    it(`${lang}: has every key English has, and no other`, () => {
      expect(leaves(catalogueFor(lang)).map((l) => l.path).sort()).toEqual(english);
    });

    it(`${lang}: every message is a non-empty string or a builder of one`, () => {
      for (const { path, value } of leaves(catalogueFor(lang))) {
        if (typeof value === "boolean") continue;
        if (typeof value === "function") {
          const fn = value as (...args: unknown[]) => unknown;
          const out = fn(...sampleArgs(path, fn as never));
          expect(typeof out, path).toBe("string");
          expect((out as string).length, path).toBeGreaterThan(0);
          expect(out as string, path).not.toMatch(/undefined|\[object/);
          continue;
        }
        expect(typeof value, path).toBe("string");
        expect((value as string).trim().length, path).toBeGreaterThan(0);
      }
    });
  }

  it("a builder uses every text argument it is given (a dropped customer name or date would go unnoticed)", () => {
    for (const c of [en, tr, hr] as Catalogue[]) {
      for (const { path, value } of leaves(c)) {
        if (typeof value !== "function") continue;
        const fn = value as (...args: unknown[]) => string;
        const args = sampleArgs(path, fn as never);
        const out = fn(...args);
        for (const a of args) if (typeof a === "string") expect(out, `${c.locale} ${path}`).toContain(a);
      }
    }
  });

  it("Croatian counts take three forms, Turkish one, English two", () => {
    expect([1, 2, 5, 21, 22, 25].map((n) => hr.render.span(n * 60_000))).toEqual(["1 minuta", "2 minute", "5 minuta", "21 minuta", "22 minute", "25 minuta"]);
    expect([1, 3, 5].map((n) => hr.render.span(n * 3_600_000))).toEqual(["1 sat", "3 sata", "5 sati"]);
    expect(hr.render.digestTitle(1)).toBe("1 podsjetnik zadržan tijekom tihih sati");
    expect(hr.render.digestTitle(3)).toBe("3 podsjetnika zadržana tijekom tihih sati");
    expect(hr.render.digestTitle(5)).toBe("5 podsjetnika zadržano tijekom tihih sati");
    expect(hr.circles.reopenings(2)).toBe("ponovno otvoren 2 puta");
    expect(tr.render.span(2 * 3_600_000 + 5 * 60_000)).toBe("2 saat 5 dakika");
    expect(en.render.digestTitle(1)).toBe("1 reminder held during quiet hours");
    expect(en.render.digestTitle(2)).toBe("2 reminders held during quiet hours");
  });

  it("durations never round up (issue 25): 40 s is under a minute, 119 s is one minute", () => {
    expect(en.ago(40_000)).toBe("under a minute");
    expect(en.ago(30_000)).toBe("under a minute");
    expect(en.ago(119_000)).toBe("1m");
    expect(en.ago(4 * 60_000 + 59_000)).toBe("4m");
    expect(tr.ago(40_000)).toBe("bir dakikadan az");
    expect(hr.ago(40_000)).toBe("manje od minute");
  });

  it("times in the store's zone, in the reader's language", () => {
    const at = Date.parse("2026-03-02T14:00:00Z"); // a Monday; 17:00 in Istanbul
    expect(formatLocalTime(at, "Europe/Istanbul", "en")).toBe("Mon 2 Mar, 17:00");
    expect(formatLocalTime(at, "Europe/Istanbul", "tr")).toMatch(/^2 Mar Pzt 17:00$/);
    expect(formatLocalTime(at, "Europe/Zagreb", "hr")).toMatch(/pon.*2.*15:00/);
    expect(formatStamp("2026-03-02T14:00:00Z", "en", "Europe/Istanbul")).toBe("2026-03-02 14:00 UTC");
    expect(formatStamp("2026-03-02T14:00:00Z", "tr", "Europe/Istanbul")).toMatch(/2 Mart 2026 Pzt 17:00 GMT\+3/);
  });

  it("playbook defaults follow the language; a store's own text is used as written", () => {
    expect(playbookText(en.defaults.circles, "circles", "tr")).toBe(tr.defaults.circles);
    expect(playbookText(en.defaults.shipment, "shipment", "hr")).toBe(hr.defaults.shipment);
    expect(playbookText("Arayın, hemen.", "circles", "en")).toBe("Arayın, hemen.");
    expect(playbookText("Call them.", "dispute", "tr")).toBe("Call them.");
  });

  it("picks a language from a browser's Accept-Language for a console", () => {
    expect(pickLanguage("tr-TR,tr;q=0.9,en-US;q=0.8", LANGUAGES, "en")).toBe("tr");
    expect(pickLanguage("de-DE,hr;q=0.5", LANGUAGES, "en")).toBe("hr");
    expect(pickLanguage(["fr-FR"], ["en", "tr"], "en")).toBe("en");
  });
});
