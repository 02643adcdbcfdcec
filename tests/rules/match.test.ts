/**
 * Policy matching, condition by condition, as an admin reads the `when` table in docs/rules.md:
 * each condition matches the cases it names and no others, unknown facts never match a
 * condition that needs them, and the first matching policy wins.
 */
import { describe, expect, it } from "vitest";
import { conditionsHold, matchPolicy, RulesDocument, type CaseFacts, type PolicyConditions } from "../../src/rules/schema";

const ticket = (facts: Partial<CaseFacts> = {}): CaseFacts => ({ type: "ticket", tags: [], ...facts });
/** Parsed like a saved document, so the conditions are exactly what the schema lets through. */
const when = (conditions: PolicyConditions): PolicyConditions => RulesDocument.parse({ policies: [{ name: "P", when: conditions }] }).policies[0]!.when;
const holds = (conditions: PolicyConditions, facts: CaseFacts) => conditionsHold(when(conditions), facts);

describe("each condition", () => {
  it("an empty `when` matches every case, tickets and shipments alike", () => {
    expect(holds({}, ticket())).toBe(true);
    expect(holds({}, { type: "shipment", tags: [] })).toBe(true);
  });

  it("caseTypes", () => {
    expect(holds({ caseTypes: ["shipment"] }, { type: "shipment", tags: [] })).toBe(true);
    expect(holds({ caseTypes: ["shipment"] }, ticket())).toBe(false);
  });

  it("channels: a case whose channel is unknown does not match", () => {
    expect(holds({ channels: ["chat", "phone"] }, ticket({ channel: "phone" }))).toBe(true);
    expect(holds({ channels: ["chat", "phone"] }, ticket({ channel: "email" }))).toBe(false);
    expect(holds({ channels: ["chat"] }, ticket())).toBe(false);
  });

  it("priorities: a case with no priority counts as normal", () => {
    expect(holds({ priorities: ["urgent", "high"] }, ticket({ priority: "high" }))).toBe(true);
    expect(holds({ priorities: ["urgent", "high"] }, ticket({ priority: "low" }))).toBe(false);
    expect(holds({ priorities: ["normal"] }, ticket())).toBe(true);
    expect(holds({ priorities: ["urgent"] }, ticket())).toBe(false);
  });

  it("providers: a case from another source, or from the case API alone, does not match", () => {
    expect(holds({ providers: ["zendesk", "gorgias"] }, ticket({ provider: "gorgias" }))).toBe(true);
    expect(holds({ providers: ["zendesk"] }, ticket({ provider: "freshdesk" }))).toBe(false);
    expect(holds({ providers: ["zendesk"] }, ticket())).toBe(false);
  });

  it("tags.any: at least one, compared without regard to case", () => {
    expect(holds({ tags: { any: ["refund", "return"] } }, ticket({ tags: ["Return", "eu"] }))).toBe(true);
    expect(holds({ tags: { any: ["refund", "return"] } }, ticket({ tags: ["eu"] }))).toBe(false);
    expect(holds({ tags: { any: ["refund"] } }, ticket())).toBe(false);
  });

  it("tags.all: every one of them", () => {
    expect(holds({ tags: { all: ["b2b", "eu"] } }, ticket({ tags: ["EU", "b2b", "rush"] }))).toBe(true);
    expect(holds({ tags: { all: ["b2b", "eu"] } }, ticket({ tags: ["b2b"] }))).toBe(false);
  });

  it("tags.none: none of them (a case without tags has none)", () => {
    expect(holds({ tags: { none: ["spam", "test"] } }, ticket({ tags: ["refund"] }))).toBe(true);
    expect(holds({ tags: { none: ["spam", "test"] } }, ticket())).toBe(true);
    expect(holds({ tags: { none: ["spam", "test"] } }, ticket({ tags: ["refund", "TEST"] }))).toBe(false);
  });

  it("tags any, all and none together must all hold", () => {
    const tags = { any: ["refund", "return"], all: ["eu"], none: ["spam"] };
    expect(holds({ tags }, ticket({ tags: ["eu", "refund"] }))).toBe(true);
    expect(holds({ tags }, ticket({ tags: ["eu"] }))).toBe(false);
    expect(holds({ tags }, ticket({ tags: ["refund"] }))).toBe(false);
    expect(holds({ tags }, ticket({ tags: ["eu", "refund", "spam"] }))).toBe(false);
  });

  it("groups: the assigned group, without regard to case; an unassigned case does not match", () => {
    expect(holds({ groups: ["Billing", "Returns"] }, ticket({ group: "billing" }))).toBe(true);
    expect(holds({ groups: ["Billing"] }, ticket({ group: "Shipping" }))).toBe(false);
    expect(holds({ groups: ["Billing"] }, ticket())).toBe(false);
  });

  it("segmentTags: a tag of the customer, or of the case itself", () => {
    expect(holds({ segmentTags: ["vip"] }, ticket({ customerTags: ["wholesale", "VIP"] }))).toBe(true);
    expect(holds({ segmentTags: ["vip"] }, ticket({ tags: ["vip"] }))).toBe(true);
    expect(holds({ segmentTags: ["vip"] }, ticket({ customerTags: ["wholesale"], tags: ["refund"] }))).toBe(false);
    expect(holds({ segmentTags: ["vip"] }, ticket())).toBe(false);
  });

  it("minOrderValue as a bare amount: known and at least that much, in whatever currency the order is", () => {
    expect(holds({ minOrderValue: 500 }, ticket({ orderValue: { amount: 500, currency: "EUR" } }))).toBe(true);
    expect(holds({ minOrderValue: 500 }, ticket({ orderValue: { amount: 812.4 } }))).toBe(true);
    expect(holds({ minOrderValue: 500 }, ticket({ orderValue: { amount: 499.99, currency: "EUR" } }))).toBe(false);
    // Unknown is not zero and not "enough": the condition cannot be checked, so it does not match.
    expect(holds({ minOrderValue: 500 }, ticket())).toBe(false);
    expect(holds({ minOrderValue: 0 }, ticket())).toBe(false);
    expect(holds({ minOrderValue: 0 }, ticket({ orderValue: { amount: 0 } }))).toBe(true);
  });

  it("minOrderValue with a currency: only an order stated in that currency is compared, never converted", () => {
    const min = { amount: 500, currency: "EUR" };
    expect(holds({ minOrderValue: min }, ticket({ orderValue: { amount: 650, currency: "EUR" } }))).toBe(true);
    expect(holds({ minOrderValue: min }, ticket({ orderValue: { amount: 499, currency: "EUR" } }))).toBe(false);
    // 90,000 JPY is far more than 500 in number and about 550 EUR in money: still not compared.
    expect(holds({ minOrderValue: min }, ticket({ orderValue: { amount: 90_000, currency: "JPY" } }))).toBe(false);
    // An order whose source gave no currency cannot be known to be in euros.
    expect(holds({ minOrderValue: min }, ticket({ orderValue: { amount: 900 } }))).toBe(false);
    expect(holds({ minOrderValue: min }, ticket())).toBe(false);
  });

  it("every condition given must hold", () => {
    const conditions: PolicyConditions = { channels: ["email"], segmentTags: ["vip"], minOrderValue: { amount: 500, currency: "EUR" } };
    const vip = ticket({ channel: "email", customerTags: ["vip"], orderValue: { amount: 900, currency: "EUR" } });
    expect(holds(conditions, vip)).toBe(true);
    expect(holds(conditions, { ...vip, channel: "chat" })).toBe(false);
    expect(holds(conditions, { ...vip, customerTags: [] })).toBe(false);
    expect(holds(conditions, { ...vip, orderValue: { amount: 120, currency: "EUR" } })).toBe(false);
  });
});

describe("first match wins", () => {
  const doc = RulesDocument.parse({
    policies: [
      { name: "VIP orders over 500", when: { segmentTags: ["vip"], minOrderValue: { amount: 500, currency: "EUR" } } },
      { name: "Big orders", when: { minOrderValue: 1000 } },
      { name: "VIP", when: { segmentTags: ["vip"] } },
      { name: "Everything else", when: {} },
    ],
  });
  const chosen = (facts: CaseFacts) => matchPolicy(doc, facts)?.policy.name;

  it("the narrowest policy listed first takes the case; the rest fall through in order", () => {
    expect(chosen(ticket({ customerTags: ["vip"], orderValue: { amount: 800, currency: "EUR" } }))).toBe("VIP orders over 500");
    expect(chosen(ticket({ customerTags: ["vip"], orderValue: { amount: 80, currency: "EUR" } }))).toBe("VIP");
    expect(chosen(ticket({ customerTags: ["vip"], orderValue: { amount: 1200, currency: "USD" } }))).toBe("Big orders");
    expect(chosen(ticket({ customerTags: ["vip"] }))).toBe("VIP");
    expect(chosen(ticket({ orderValue: { amount: 800, currency: "EUR" } }))).toBe("Everything else");
    expect(matchPolicy(doc, ticket())?.index).toBe(3);
  });

  it("no matching policy means no policy, not the last one", () => {
    expect(matchPolicy(RulesDocument.parse({ policies: [{ name: "Chat", when: { channels: ["chat"] } }] }), ticket({ channel: "email" }))).toBeNull();
  });
});
