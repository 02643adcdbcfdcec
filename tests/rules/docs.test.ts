/** docs/rules.md walks through a complete document: it must stay valid and complete as the schema changes. */
import { describe, expect, it } from "vitest";
import rulesDoc from "../../docs/rules.md?raw";
import { matchPolicy, type CaseFacts } from "../../src/rules/schema";
import { checkRules } from "../../src/rules/validate";

function completeDocument(): unknown {
  const section = rulesDoc.split("## A complete document")[1];
  const block = section?.match(/```json\n([\s\S]*?)\n```/)?.[1];
  if (!block) throw new Error("docs/rules.md has no JSON block under 'A complete document'");
  return JSON.parse(block);
}

/** The JSON block that follows `marker` in docs/rules.md. */
function exampleAfter(marker: string): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const block = rulesDoc.split(marker)[1]?.match(/```json\n([\s\S]*?)\n```/)?.[1];
  if (!block) throw new Error(`docs/rules.md has no JSON block after "${marker}"`);
  return JSON.parse(block);
}

describe("docs/rules.md", () => {
  it("the customer segment and order value example is valid and chooses the policies the text says", () => {
    const complete = completeDocument() as Record<string, unknown>;
    const example = exampleAfter("**Customer segment and order value.**");
    const result = checkRules({ calendars: complete.calendars, channels: complete.channels, policies: example.policies });
    expect(result.ok ? [] : result.issues).toEqual([]);
    if (!result.ok) return;
    const chosen = (facts: Partial<CaseFacts>) => matchPolicy(result.document, { type: "ticket", tags: [], ...facts })?.policy.name;
    expect(chosen({ customerTags: ["VIP"], orderValue: { amount: 812, currency: "EUR" } })).toBe("VIP orders over 500 EUR");
    expect(chosen({ customerTags: ["VIP"], orderValue: { amount: 120, currency: "EUR" } })).toBe("VIP");
    expect(chosen({ customerTags: ["VIP"], orderValue: { amount: 900, currency: "USD" } })).toBe("VIP");
    expect(chosen({ customerTags: ["VIP"] })).toBe("VIP");
    expect(chosen({ orderValue: { amount: 5000, currency: "EUR" } })).toBe("Everyone");
  });

  it("the complete document passes every check and uses every section and every playbook rule", () => {
    const doc = completeDocument() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const result = checkRules(doc);
    expect(result.ok ? [] : result.issues).toEqual([]);
    expect(Object.keys(doc).sort()).toEqual(["calendars", "channels", "description", "playbook", "policies", "quietHours"]);
    expect(Object.keys(doc.playbook).sort()).toEqual(["badRating", "callback", "disputeRisk", "goingInCircles", "shipmentDelay"]);
    const metrics = new Set(doc.policies.flatMap((p: { targets: object }) => Object.keys(p.targets)));
    expect([...metrics].sort()).toEqual(["firstReply", "nextReply", "periodicUpdate", "resolution"]);
  });

  it("every error code the rules routes answer with is in its error table", () => {
    for (const code of ["invalid_rules", "validation_failed", "bad_if_match", "bad_path", "invalid_json", "unauthorized", "not_found", "precondition_failed", "unsupported_media_type", "precondition_required"]) {
      expect(rulesDoc).toContain(`| \`${code}\` |`);
    }
  });
});
