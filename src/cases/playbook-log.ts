/**
 * What the playbook rules read from a case's history beyond its state: when the customer's
 * messages piled up, when the case was reopened, when the carrier scanned, and the first sign of
 * a dispute. Kept up to date one event at a time by the case engine, so a re-plan reads these
 * instead of scanning the whole log again (which made every webhook of a long case slower).
 *
 * Pure. Events must be applied in the order they happened; the engine starts a new log whenever
 * an event lands before one already applied.
 */
import { firstWordIn, foldText, foldWord, type FoldedWord } from "../i18n";
import { disputeWordsOf } from "../rules/dispute-words";
import type { RulesDocument } from "../rules/schema";
import { isCarrierScan, isResolvedStatus, type CaseEvent } from "./state";

type DisputeRiskRule = RulesDocument["playbook"]["disputeRisk"];

export interface DisputeSignal {
  at: number;
  /** What a lead reads: `the customer wrote "chargeback"` or `tagged "dispute"`. */
  signal: string;
  by: "words" | "tags";
}

/** Folded once per word list (rules documents are immutable), never per event. */
const foldedLists = new WeakMap<readonly string[], readonly FoldedWord[]>();

function foldedWords(words: readonly string[]): readonly FoldedWord[] {
  let folded = foldedLists.get(words);
  if (!folded) {
    folded = words.map(foldWord);
    foldedLists.set(words, folded);
  }
  return folded;
}

/**
 * The first dispute word in a customer message or a dispute tag. The message is folded once
 * (case under Turkish rules, diacritics off), then each folded word is one regex test: "ŞİKAYETVAR'A
 * YAZACAĞIM" and "sikayetvar" both match `şikayetvar`.
 */
function disputeSignalOf(e: CaseEvent, search: DisputeSearch): DisputeSignal | null {
  const event = e.event;
  if (event.kind === "case.customer_message" || event.kind === "case.opened") {
    const word = firstWordIn(foldText(`${event.subject ?? ""}\n${event.body ?? ""}`), search.words);
    if (word) return { at: e.occurredAt, signal: `the customer wrote "${word}"`, by: "words" };
  }
  const tag = event.tags?.find((t) => search.tags.has(foldText(t)));
  return tag ? { at: e.occurredAt, signal: `tagged "${tag}"`, by: "tags" } : null;
}

/** The search for one dispute rule (rules documents are immutable objects). */
interface DisputeSearch {
  words: readonly FoldedWord[];
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
   * @param pinned the rules versions pinned to the case (or bare dispute rules, matched with
   *   their own words): each event is searched for their dispute rules as it comes, so the log
   *   keeps no events. A document's language picks its default words.
   */
  constructor(pinned: Iterable<DisputeRiskRule | Pick<RulesDocument, "language" | "playbook">>) {
    for (const p of pinned) {
      const rule = "playbook" in p ? p.playbook.disputeRisk : p;
      if (this.disputes.has(rule)) continue;
      const words = "playbook" in p ? disputeWordsOf(p) : rule.words;
      this.disputes.set(rule, { words: foldedWords(words), tags: new Set(rule.tags.map(foldText)), found: null });
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
      if (search.found === null && rule.enabled) search.found = disputeSignalOf(e, search);
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
