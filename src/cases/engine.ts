/**
 * The case engine: events + rules + now → state, SLA clocks and the timers the case needs.
 * Pure; the SupportCase Durable Object and the rules dry-run both run exactly this code, so a
 * dry-run shows what a real case would do.
 *
 * A case object keeps one `CaseEngine` and adds each event as it arrives. Each event is folded
 * once (case state, policy in force, SLA clocks), so a webhook costs the same on the tenth event
 * of a case as on the three-hundredth. An event that lands before one already folded (a provider
 * retry of an old delivery, two events of one instant arriving out of their order) makes the
 * engine fold the whole log again, which is what `evaluateCase` always does: the result is the
 * same either way, and the tests hold the two to that.
 *
 * The engine keeps what it folded, not the events: the log stays in the case's storage and is
 * read only to fold from scratch. Holding every event of every awake case made the heap, and the
 * garbage collector's pauses, grow with case length (about 60 MB for 200 cases of ~800 events).
 */
import { ClockFold, clockEventOf, type ClockEvent, type ClockState, type SlaPolicy } from "../sla/index";
import type { RulesDocument } from "../rules/schema";
import { parsePolicyId, pinPoints, policyEventOf, policyTimeline, replayPolicyAt, slaPolicyOf, type PolicyReplay, type PolicySpan, type RulesPin } from "./policy";
import { planTimers, type PlannedTimer } from "./plan";
import { PlaybookLog } from "./playbook-log";
import { applyCaseEvent, compareCaseEvents, type CaseEvent, type CaseState, foldCaseState, sortCaseEvents } from "./state";

export interface Evaluation {
  state: CaseState;
  clocks: ClockState;
  spans: PolicySpan[];
  timers: PlannedTimer[];
}

export interface EvaluateInput {
  events: readonly CaseEvent[];
  pins: readonly RulesPin[];
  now: number;
  fired?: ReadonlySet<string>;
  known?: ReadonlySet<string>;
}

export type EvaluateAt = Omit<EvaluateInput, "events">;

/** Builds a resolver that turns `v<version>:<index>` policy ids back into SLA targets. */
function resolverFor(pins: readonly RulesPin[]): (id: string) => SlaPolicy | undefined {
  const cache = new Map<string, SlaPolicy>();
  return (id) => {
    const hit = cache.get(id);
    if (hit) return hit;
    const parsed = parsePolicyId(id);
    const pin = parsed && pins.find((p) => p.version === parsed.version);
    if (!parsed || !pin || !pin.document.policies[parsed.index]) return undefined;
    const policy = slaPolicyOf(pin.document, parsed.version, parsed.index);
    cache.set(id, policy);
    return policy;
  };
}

/** The clock events one case event contributes. */
function clockEventsOf(e: CaseEvent): ClockEvent[] {
  const out: ClockEvent[] = [];
  const ce = clockEventOf(e.event);
  if (ce) out.push(ce);
  // Snapshot events carry the status and priority alongside their own kind.
  if (e.event.kind !== "case.status_changed" && e.event.kind !== "case.opened" && e.event.status) {
    out.push({ type: "case.status_changed", at: e.occurredAt, id: `${e.eventId}#status`, status: e.event.status });
  }
  if (e.event.kind !== "case.priority_changed" && e.event.kind !== "case.opened" && e.event.priority) {
    out.push({ type: "case.priority_changed", at: e.occurredAt, id: `${e.eventId}#priority`, priority: e.event.priority });
  }
  // Same-instant events keep the order they happened in (provider sequence, else arrival).
  for (const c of out) {
    c.source = e.event.provider;
    if (e.event.sequence !== undefined) c.sequence = e.event.sequence;
    if (e.order !== undefined) c.order = e.order;
  }
  return out;
}

/** Evaluates a case from its whole log at once: the reference a `CaseEngine` is held to. */
export function evaluateCase(input: EvaluateInput): Evaluation | null {
  return new CaseEngine(() => input.events).evaluate(input);
}

/** Everything folded from the log up to `last`, under one set of rules pins. */
interface Folded {
  pins: readonly RulesPin[];
  /** The latest event folded (in time order): a new event before it means folding everything again. */
  last: CaseEvent;
  state: CaseState;
  replay: PolicyReplay;
  /** The latest instant a rules pin starts at after the first event; a new event must come after it. */
  lastPinPoint: number;
  /** Whether the clocks were started by the first event seen, for want of an explicit opening. */
  firstSeen: boolean;
  clocks: ClockFold;
  log: PlaybookLog;
  /** Whether `state` and `replay.spans` are part of an evaluation already handed out. */
  handedOut: boolean;
}

const samePins = (a: readonly RulesPin[], b: readonly RulesPin[]): boolean =>
  a.length === b.length && a.every((p, i) => p.version === b[i]!.version && p.from === b[i]!.from && p.document === b[i]!.document);

/** What is folded from one case's events so far. Not shared between cases. */
export class CaseEngine {
  private folded: Folded | null = null;
  /** Events added since the last evaluation, in time order, to be folded onto `folded`. */
  private pending: CaseEvent[] = [];
  /** How evaluations found their fold: built from the whole log, or new events folded onto the last. */
  readonly folds = { fromScratch: 0, onto: 0 };

  /**
   * @param load the case's whole log as stored, in any order (already deduplicated). Read to fold
   *   from scratch: at the first evaluation, after an event landed among those already folded,
   *   and when the rules pins change.
   */
  constructor(private readonly load: () => readonly CaseEvent[]) {}

  /** Takes in an event that `load` now returns too (already deduplicated). */
  add(e: CaseEvent): void {
    const f = this.folded;
    // Nothing folded yet: the next evaluation reads the whole log, this event included.
    if (f === null) return;
    // Landed among events already folded: history changed, so everything is folded again.
    if (compareCaseEvents(f.last, e) > 0) {
      this.folded = null;
      this.pending = [];
      return;
    }
    let at = this.pending.length;
    while (at > 0 && compareCaseEvents(this.pending[at - 1]!, e) > 0) at--;
    this.pending.splice(at, 0, e);
  }

  /** The playbook log of the latest evaluation (reports read its first dispute signal); null before one. */
  playbookLog(): PlaybookLog | null {
    return this.folded?.log ?? null;
  }

  evaluate(input: EvaluateAt): Evaluation | null {
    const { pins, now } = input;
    // Another rules version applied to the case re-matches its policy from that instant: start over.
    let f = this.folded !== null && samePins(this.folded.pins, pins) ? this.folded : null;
    if (f !== null && this.pending.length > 0) {
      if (this.foldNew(f, this.pending)) this.folds.onto += 1;
      else f = null;
    }
    this.pending = [];
    if (f === null) {
      this.folded = null;
      const events = sortCaseEvents(this.load());
      if (events.length === 0) return null;
      f = this.foldAll(events, pins);
      this.folds.fromScratch += 1;
    }
    this.folded = f;
    f.handedOut = true;
    const clocks = f.clocks.stateAt(now);
    const timers = planTimers({
      state: f.state,
      log: f.log,
      clocks,
      spans: f.replay.spans,
      pins,
      now,
      fired: input.fired ?? new Set(),
      known: input.known ?? new Set(),
    });
    return { state: f.state, clocks, spans: f.replay.spans, timers };
  }

  private foldAll(events: readonly CaseEvent[], pins: readonly RulesPin[]): Folded {
    const first = events[0]!;
    const state = foldCaseState(events)!;
    const { replay, policyEvents } = policyTimeline(events, pins);
    const clockEvents: ClockEvent[] = [...policyEvents];
    // A ticket we first hear about mid-life (no "opened" in the log) is watched from then on.
    const firstSeen = state.type === "ticket" && !state.openedExplicitly;
    if (firstSeen) {
      clockEvents.push({ type: "case.opened", at: first.occurredAt, id: "promptly:first-seen", ...(first.event.status ? { status: first.event.status } : {}), ...(first.event.priority ? { priority: first.event.priority } : {}) });
    }
    for (const e of events) clockEvents.push(...clockEventsOf(e));
    const clocks = new ClockFold(resolverFor(pins));
    clocks.append(clockEvents);
    const log = new PlaybookLog(pins.map((p) => p.document));
    for (const e of events) log.apply(e);
    return { pins, last: events[events.length - 1]!, state, replay, lastPinPoint: Math.max(-Infinity, ...pinPoints(pins, first.occurredAt)), firstSeen, clocks, log, handedOut: false };
  }

  /**
   * Folds `fresh` (in time order, all after `f.last`) onto `f`. False when they cannot simply
   * follow what is folded (then `f` is left half-done and must be thrown away: the caller folds
   * everything again).
   */
  private foldNew(f: Folded, fresh: readonly CaseEvent[]): boolean {
    for (const e of fresh) {
      // A pin change at or after the event is a point of the replay that should come after it.
      if (e.occurredAt <= f.lastPinPoint) return false;
      // An explicit opening replaces the stand-in opening the clocks were started with.
      if (f.firstSeen && e.event.kind === "case.opened") return false;
    }
    if (f.handedOut) {
      // An evaluation handed out must not change under its holder (a case object awaits I/O with one).
      f.state = structuredClone(f.state);
      f.replay = { spans: f.replay.spans.slice(), current: f.replay.current };
      f.handedOut = false;
    }
    const clockEvents: ClockEvent[] = [];
    for (const e of fresh) {
      applyCaseEvent(f.state, e);
      f.log.apply(e);
      const change = replayPolicyAt(f.replay, f.state, f.pins, e.occurredAt);
      // The policy of an instant already folded changed again: its clock event is folded already.
      if (change === "replaced") return false;
      if (change === "added") clockEvents.push(policyEventOf(f.replay.spans[f.replay.spans.length - 1]!));
      clockEvents.push(...clockEventsOf(e));
    }
    if (!f.clocks.append(clockEvents)) return false;
    f.last = fresh[fresh.length - 1]!;
    return true;
  }
}

/** The zone reminders of a case show times in: the rule's calendar, else quiet hours, else UTC. */
export function displayZone(doc: RulesDocument, timer?: PlannedTimer): string {
  const zoneOf = (name: string | undefined) => (name && name !== "24/7" ? doc.calendars[name]?.timeZone : undefined);
  const fromRule = (() => {
    if (!timer) return undefined;
    const path = timer.rule.path;
    const m = /^policies\[(\d+)\]\.targets\.(\w+)/.exec(path);
    if (m) {
      const spec = doc.policies[Number(m[1])]?.targets[m[2] as keyof RulesDocument["policies"][number]["targets"]];
      return zoneOf(spec?.calendar);
    }
    if (path.startsWith("playbook.badRating")) return zoneOf(doc.playbook.badRating.calendar);
    if (path.startsWith("playbook.shipmentDelay")) return zoneOf(doc.playbook.shipmentDelay.calendar);
    return undefined;
  })();
  const firstPolicyZone = doc.policies
    .flatMap((p) => Object.values(p.targets))
    .map((t) => zoneOf(t?.calendar))
    .find((z) => z !== undefined);
  return fromRule ?? zoneOf(doc.quietHours?.calendar) ?? firstPolicyZone ?? Object.values(doc.calendars)[0]?.timeZone ?? "UTC";
}
