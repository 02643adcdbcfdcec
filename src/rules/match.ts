/**
 * Policy matching: the first policy (in document order) whose conditions all hold decides a
 * case's targets, as in Zendesk and Freshdesk. Ordered matching is predictable for admins: put
 * the narrow policies (VIP, urgent chat) above the catch-all.
 */
import type { OrderValue } from "../events/model";
import { foldText } from "../i18n";
import type { CaseFacts, MinOrderValue, Policy, PolicyConditions, RulesDocument } from "./schema";

export interface PolicyMatch {
  policy: Policy;
  /** Position in `policies`, for paths such as `policies[2]` in reminders and dry-run output. */
  index: number;
}

/**
 * Tags and groups are compared folded (src/i18n/fold.ts): helpdesks differ in how they case
 * them, and "İADE" must be the tag "iade" (a plain case-insensitive compare misses Turkish I).
 */
function tagSet(tags: readonly string[] | undefined): Set<string> {
  return new Set((tags ?? []).map(foldText));
}

/** A condition's words folded once per rules document (documents are immutable), not per case. */
const foldedLists = new WeakMap<readonly string[], readonly string[]>();
function folded(list: readonly string[]): readonly string[] {
  let f = foldedLists.get(list);
  if (!f) {
    f = list.map(foldText);
    foldedLists.set(list, f);
  }
  return f;
}

/** Whether every condition present in `when` holds for the case. */
export function conditionsHold(when: PolicyConditions, facts: CaseFacts): boolean {
  if (when.caseTypes && !when.caseTypes.includes(facts.type)) return false;
  if (when.channels && (facts.channel === undefined || !when.channels.includes(facts.channel))) return false;
  if (when.priorities && !when.priorities.includes(facts.priority ?? "normal")) return false;
  if (when.providers && (facts.provider === undefined || !when.providers.includes(facts.provider))) return false;
  if (when.groups && (facts.group === undefined || !folded(when.groups).includes(foldText(facts.group)))) return false;
  const tags = tagSet(facts.tags);
  if (when.tags) {
    const { any, all, none } = when.tags;
    if (any && !folded(any).some((t) => tags.has(t))) return false;
    if (all && !folded(all).every((t) => tags.has(t))) return false;
    if (none && folded(none).some((t) => tags.has(t))) return false;
  }
  if (when.segmentTags) {
    const customer = tagSet(facts.customerTags);
    if (!folded(when.segmentTags).some((t) => tags.has(t) || customer.has(t))) return false;
  }
  if (when.minOrderValue !== undefined && !orderValueReaches(when.minOrderValue, facts.orderValue)) return false;
  return true;
}

/**
 * Whether the case's order value is known and at least `min`. Amounts in different currencies
 * are never compared (no exchange rates): a minimum that names a currency needs an order stated
 * in it; a bare number is for a store that sells in one currency.
 */
function orderValueReaches(min: MinOrderValue, order: OrderValue | undefined): boolean {
  if (order === undefined) return false;
  if (typeof min === "number") return order.amount >= min;
  return order.currency === min.currency && order.amount >= min.amount;
}

/** The first matching policy, or null when none matches (then the case has no SLA targets). */
export function matchPolicy(doc: RulesDocument, facts: CaseFacts): PolicyMatch | null {
  for (const [index, policy] of doc.policies.entries()) {
    if (conditionsHold(policy.when, facts)) return { policy, index };
  }
  return null;
}
