/** Starter templates: each is a complete document that passes every check, and says what it promises. */
import { describe, expect, it } from "vitest";
import { SECRET_MASK } from "../../src/rules/schema";
import { rulesTemplates, templateInputs } from "../../src/rules/templates";
import { checkRules } from "../../src/rules/validate";

describe("rules templates", () => {
  it("there are the promised templates and each validates, as written and as served", () => {
    const templates = rulesTemplates();
    expect(templates.map((t) => t.id)).toEqual(["small-webshop", "marketplace-24-7", "turkey-holidays", "croatia-holidays"]);
    for (const t of templateInputs()) {
      const written = checkRules(t.input);
      expect(written.ok ? [] : written.issues, t.id).toEqual([]);
    }
    for (const t of templates) {
      const served = checkRules(t.rules);
      expect(served.ok ? [] : served.issues, t.id).toEqual([]);
    }
  });

  it("the small webshop is open 09:00–18:00 on weekdays only and first-replies an urgent chat in 5 business minutes", () => {
    const shop = rulesTemplates().find((t) => t.id === "small-webshop")!.rules;
    const cal = shop.calendars["Office hours"]!;
    for (const day of ["mon", "tue", "wed", "thu", "fri"] as const) expect(cal.week[day]).toEqual([["09:00", "18:00"]]);
    expect(cal.week.sat).toBeUndefined();
    expect(cal.week.sun).toBeUndefined();
    const urgent = shop.policies.find((p) => p.name === "Urgent chat")!;
    expect(urgent.targets.firstReply).toMatchObject({ calendar: "Office hours", byPriority: { urgent: "5m" }, warnings: ["2m"] });
    expect(urgent.escalations[0]).toMatchObject({ level: 1, after: "5m", channels: ["shift-lead"] });
  });

  it("the marketplace seller counts every hour (no business calendar anywhere)", () => {
    const seller = rulesTemplates().find((t) => t.id === "marketplace-24-7")!.rules;
    expect(seller.calendars).toEqual({});
    for (const p of seller.policies) for (const t of Object.values(p.targets)) expect(t?.calendar).toBe("24/7");
  });

  it("the Turkish store closes on the 2026–2027 public holidays and half days on the eves", () => {
    const tr = rulesTemplates().find((t) => t.id === "turkey-holidays")!.rules;
    const cal = tr.calendars["Istanbul office"]!;
    expect(cal.timeZone).toBe("Europe/Istanbul");
    // Republic Day, Ramazan and Kurban Bayramı 2026, 15 July, New Year 2027, Kurban Bayramı 2027 on 19 May.
    for (const d of ["2026-10-29", "2026-03-20", "2026-03-22", "2026-05-27", "2026-05-30", "2026-07-15", "2027-01-01", "2027-03-09", "2027-05-16", "2027-05-19"]) {
      expect(cal.holidays).toContain(d);
    }
    expect(new Set(cal.holidays).size).toBe(cal.holidays!.length);
    expect(cal.closures).toContainEqual({ date: "2026-10-28", start: "13:00", end: "18:00" });
    expect(cal.closures).toContainEqual({ date: "2026-03-19", start: "13:00", end: "18:00" });
  });

  it("templates carry no credentials: every secret is the mask, to be filled in", () => {
    for (const t of rulesTemplates()) {
      for (const channel of Object.values(t.rules.channels)) {
        const secrets = Object.entries(channel).filter(([k]) => ["webhookUrl", "secret", "apiToken", "apiKey", "appSecret"].includes(k));
        expect(secrets.length).toBeGreaterThan(0);
        for (const [, v] of secrets) expect(v).toBe(SECRET_MASK);
      }
    }
  });
});
