/**
 * What the playbook rules read from a case's history beyond its state: when the customer's
 * messages piled up, when the case was reopened, when the carrier scanned, and the first sign of
 * a dispute. Kept up to date one event at a time by the case engine, so a re-plan reads these
 * instead of scanning the whole log again (which made every webhook of a long case slower).
 *
 * Pure. Events must be applied in the order they happened; the engine starts a new log whenever
 * an event lands before one already applied.
 */
import type { RulesDocument } from "../rules/schema";
import { isCarrierScan, isResolvedStatus, type CaseEvent } from "./state";

type DisputeRiskRule = RulesDocument["playbook"]["disputeRisk"];

export interface DisputeSignal {
  at: number;
  /** What a lead reads: `the customer wrote "chargeback"` or `tagged "dispute"`. */
  signal: string;
  by: "words" | "tags";
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** One compiled pattern per word: compiling per call showed in profiles. */
const wordPatterns = new Map<string, RegExp>();

function wordPattern(word: string): RegExp {
  let re = wordPatterns.get(word);
  if (!re) {
    if (wordPatterns.size >= 1024) wordPatterns.clear();
    re = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRe(word)}(?![\\p{L}\\p{N}])`, "iu");
    wordPatterns.set(word, re);
  }
  return re;
}

/** The first dispute word in `text`, matched case-insensitively as a whole word or phrase. */
function disputeWordIn(text: string, words: readonly string[]): string | null {
  for (const w of words) {
    if (wordPattern(w).test(text)) return w;
  }
  return null;
}

function disputeSignalOf(e: CaseEvent, rule: DisputeRiskRule, tags: ReadonlySet<string>): DisputeSignal | null {
  const event = e.event;
  if (event.kind === "case.customer_message" || event.kind === "case.opened") {
    const word = disputeWordIn(`${event.subject ?? ""}\n${event.body ?? ""}`, rule.words);
    if (word) return { at: e.occurredAt, signal: `the customer wrote "${word}"`, by: "words" };
  }
  const tag = event.tags?.find((t) => tags.has(t.toLowerCase()));
  return tag ? { at: e.occurredAt, signal: `tagged "${tag}"`, by: "tags" } : null;
}

/** The search for one dispute rule (rules documents are immutable objects). */
interface DisputeSearch {
  tags: ReadonlySet<string>;
  found: DisputeSignal | null;
}

export class PlaybookLog {
  private resolved = false;
  /** Instants of the customer's messages since the case was last resolved (or opened). */
  readonly customerMessagesSinceResolved: number[] = [];
  /** Instants the case was reopened, all of them. */
  readonly reopenedAt: number[] = [];
  /** Instants of carrier scans (label creation excluded). */
  readonly carrierScans: number[] = [];
  private readonly disputes = new Map<DisputeRiskRule, DisputeSearch>();

  /**
   * @param disputeRules the dispute rules of every rules version pinned to the case: each event is
   *   searched for them as it comes, so the log keeps no events.
   */
  constructor(disputeRules: Iterable<DisputeRiskRule>) {
    for (const rule of disputeRules) {
      if (!this.disputes.has(rule)) this.disputes.set(rule, { tags: new Set(rule.tags.map((t) => t.toLowerCase())), found: null });
    }
  }

  /** Takes in the next event in time order. */
  apply(e: CaseEvent): void {
    const status = e.event.status;
    if (status) {
      const nowResolved = isResolvedStatus(status);
      if (nowResolved && !this.resolved) this.customerMessagesSinceResolved.length = 0;
      if (!nowResolved && this.resolved) this.reopenedAt.push(e.occurredAt);
      this.resolved = nowResolved;
    }
    if (e.event.kind === "case.customer_message") this.customerMessagesSinceResolved.push(e.occurredAt);
    if (isCarrierScan(e.event.kind)) this.carrierScans.push(e.occurredAt);
    for (const [rule, search] of this.disputes) {
      // A switched-off rule is never asked (the plan checks first), so it is not searched either.
      if (search.found === null && rule.enabled) search.found = disputeSignalOf(e, rule, search.tags);
    }
  }

  /**
   * The first sign of a dispute under `rule` (one the log was built with), in time order: a
   * dispute word in a customer message or a dispute tag.
   */
  firstDisputeSignal(rule: DisputeRiskRule): DisputeSignal | null {
    const search = this.disputes.get(rule);
    if (!search) throw new Error("PlaybookLog: a dispute rule it was not built with (build it from the case's rules pins)");
    return search.found;
  }
}
