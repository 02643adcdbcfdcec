/**
 * What the playbook rules read from a case's history beyond its state: when the customer's
 * messages piled up, when the case was reopened, when the carrier scanned, and the first sign of
 * a dispute. Kept up to date one event at a time by the case engine, so a re-plan reads these
 * instead of scanning the whole log again (which made every webhook of a long case slower).
 *
 * Pure. Events must be applied in the order they happened; the engine starts a new log whenever
 * an event lands before one already applied.
 */
import type { NormalizedEvent } from "../events/model";
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
export function disputeWordIn(text: string, words: readonly string[]): string | null {
  for (const w of words) {
    if (wordPattern(w).test(text)) return w;
  }
  return null;
}

/**
 * The dispute word of each message already searched, per word list: a case object keeps its events
 * as the same objects, so a log folded again (after a late event) does not search them again.
 */
const searchedMessages = new WeakMap<NormalizedEvent, { words: readonly string[]; word: string | null }>();

function disputeWordOfMessage(event: NormalizedEvent, words: readonly string[]): string | null {
  const hit = searchedMessages.get(event);
  if (hit && hit.words === words) return hit.word;
  const word = disputeWordIn(`${event.subject ?? ""}\n${event.body ?? ""}`, words);
  searchedMessages.set(event, { words, word });
  return word;
}

function disputeSignalOf(e: CaseEvent, rule: DisputeRiskRule, tags: ReadonlySet<string>): DisputeSignal | null {
  const event = e.event;
  if (event.kind === "case.customer_message" || event.kind === "case.opened") {
    const word = disputeWordOfMessage(event, rule.words);
    if (word) return { at: e.occurredAt, signal: `the customer wrote "${word}"`, by: "words" };
  }
  const tag = event.tags?.find((t) => tags.has(t.toLowerCase()));
  return tag ? { at: e.occurredAt, signal: `tagged "${tag}"`, by: "tags" } : null;
}

/** How far the log has been searched for one dispute rule (rules documents are immutable objects). */
interface DisputeSearch {
  tags: ReadonlySet<string>;
  searched: number;
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
  private readonly events: CaseEvent[] = [];
  private readonly disputeSearches = new WeakMap<DisputeRiskRule, DisputeSearch>();

  constructor(events: readonly CaseEvent[] = []) {
    for (const e of events) this.apply(e);
  }

  /** Takes in the next event in time order. */
  apply(e: CaseEvent): void {
    this.events.push(e);
    const status = e.event.status;
    if (status) {
      const nowResolved = isResolvedStatus(status);
      if (nowResolved && !this.resolved) this.customerMessagesSinceResolved.length = 0;
      if (!nowResolved && this.resolved) this.reopenedAt.push(e.occurredAt);
      this.resolved = nowResolved;
    }
    if (e.event.kind === "case.customer_message") this.customerMessagesSinceResolved.push(e.occurredAt);
    if (isCarrierScan(e.event.kind)) this.carrierScans.push(e.occurredAt);
  }

  /**
   * The first sign of a dispute under `rule`, in time order: a dispute word in a customer message
   * or a dispute tag. Only events not searched before for this rule are searched.
   */
  firstDisputeSignal(rule: DisputeRiskRule): DisputeSignal | null {
    let search = this.disputeSearches.get(rule);
    if (!search) {
      search = { tags: new Set(rule.tags.map((t) => t.toLowerCase())), searched: 0, found: null };
      this.disputeSearches.set(rule, search);
    }
    while (search.found === null && search.searched < this.events.length) {
      search.found = disputeSignalOf(this.events[search.searched]!, rule, search.tags);
      search.searched += 1;
    }
    return search.found;
  }
}
