/**
 * Folds a case's clock events into SLA clock state. Pure: the same events, resolver and `now`
 * always give the same state, whatever order the events are passed in (same-instant events are
 * ordered by their own `sequence`/`order`, which the case object stamps from the provider and its
 * log, never by their position in the list).
 */
import { addBusinessTime, businessTimeBetween, subtractBusinessTime } from "../calendar/index";
import type { CaseStatus, NormalizedEvent, Priority } from "../events/model";
import {
  type ClockCycle,
  type ClockEvent,
  type IdleMetric,
  type ClockState,
  type MetricClock,
  type MetricEvent,
  type PolicyResolver,
  SlaMetric,
  type SlaPolicy,
  type SlaTarget,
  type Wakeup,
} from "./model";

const RESOLVED: readonly CaseStatus[] = ["solved", "closed"];
const isResolved = (s: CaseStatus | null): boolean => s !== null && RESOLVED.includes(s);

/**
 * Order of events that share an instant when neither the provider nor arrival says: the case exists before anything happens to it, the
 * policy and priority apply before clocks start, a customer message precedes the reply to it,
 * and a status change made together with a reply ("reply and set pending/solved") applies
 * after the reply has counted.
 */
const RANK: Record<ClockEvent["type"], number> = {
  "case.opened": 0,
  policy_changed: 1,
  "case.priority_changed": 2,
  "case.customer_message": 3,
  "case.agent_reply": 4,
  "case.agent_note": 5,
  "case.status_changed": 6,
};

/**
 * Orders two clock events by instant, then by how they happened (provider sequence or arrival,
 * where known), then by kind rank, then by `id`, then by content, so that
 * the order never depends on arrival: two events that still compare equal are identical.
 */
export function compareClockEvents(a: ClockEvent, b: ClockEvent): number {
  if (a.at !== b.at) return a.at - b.at;
  const happened = sameInstantOrder(a, b);
  if (happened !== 0) return happened;
  const r = RANK[a.type] - RANK[b.type];
  if (r !== 0) return r;
  const ia = a.id ?? "";
  const ib = b.id ?? "";
  if (ia !== ib) return ia < ib ? -1 : 1;
  const ka = canonical(a);
  const kb = canonical(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Kinds ranked up to here set the scene (case, policy, priority) and keep their place first. */
const SCENE_RANK = RANK["case.priority_changed"];

/**
 * The order in which two same-instant events happened, where it is known: the provider's own
 * sequence (same source), else arrival order; 0 when unknown, then the kind order above decides.
 * Helpdesk timestamps are often whole seconds: a reply that came before a customer message in
 * the same second did not answer it.
 */
function sameInstantOrder(a: ClockEvent, b: ClockEvent): number {
  if (RANK[a.type] <= SCENE_RANK || RANK[b.type] <= SCENE_RANK) return 0;
  if (a.sequence !== undefined && b.sequence !== undefined && a.source === b.source && a.sequence !== b.sequence) return a.sequence - b.sequence;
  if (a.order !== undefined && b.order !== undefined) return a.order - b.order;
  return 0;
}

/** Sorts by `compareClockEvents`. */
export function sortClockEvents(events: readonly ClockEvent[]): ClockEvent[] {
  return [...events].sort(compareClockEvents);
}

/** The event's fields in a fixed order (JSON.stringify follows insertion order). */
function canonical(e: ClockEvent): string {
  const o = e as Record<string, unknown>;
  return JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));
}

interface AppliedTarget {
  policyId: string;
  target: SlaTarget;
}

interface Cycle {
  metric: SlaMetric;
  startedAt: number;
  applied: AppliedTarget | null;
  /** Whether this cycle ever had a target (so its used time is already being tracked). */
  tracked: boolean;
  /** Business time used up to `since` (when running) or up to the last stop. */
  committedMs: number;
  since: number;
  running: boolean;
  stopped: boolean;
  fulfilledAt: number | null;
  breachedAt: number | null;
  /** Paused business time up to the last resume (or stop); `pausedSince` holds the pause under way. */
  pausedMs: number;
  pausedSince: number | null;
  /** The deadline in force when the cycle stopped (null when it stopped while paused). */
  endDueAt: number | null;
  /** Where this cycle's metric events start in the timeline (to take back a phantom cycle's). */
  timelineFrom: number;
}

class Fold {
  status: CaseStatus | null = null;
  priority: Priority = "normal";
  policyId: string | null = null;
  policy: SlaPolicy | null = null;
  opened = false;
  firstReplyDone = false;
  /** The oldest customer message not yet answered by a public agent reply. */
  awaitingSince: number | null = null;
  readonly statusHistory: { at: number; status: CaseStatus }[] = [];
  readonly cycles = new Map<SlaMetric, Cycle>();
  /** Cycles a newer cycle of the same metric replaced (finished for good), in the order replaced. */
  readonly replaced: Cycle[] = [];
  readonly timeline: MetricEvent[] = [];

  constructor(private readonly resolve: PolicyResolver) {}

  private targetFor(metric: SlaMetric): AppliedTarget | null {
    if (this.policy === null || this.policyId === null) return null;
    const target = this.policy.targets.find((t) => t.metric === metric && t.priority === this.priority);
    return target ? { policyId: this.policyId, target } : null;
  }

  private emit(metric: SlaMetric, type: MetricEvent["type"], at: number, applied?: AppliedTarget | null): void {
    const ev: MetricEvent = { metric, type, at };
    if (applied !== undefined) {
      ev.target = applied && { policyId: applied.policyId, priority: applied.target.priority, durationMs: applied.target.durationMs };
    }
    this.timeline.push(ev);
  }

  private shouldRun(c: Cycle): boolean {
    return !c.stopped && c.applied !== null && !(this.status !== null && c.applied.target.pauseOn.includes(this.status));
  }

  dueAt(c: Cycle): number | null {
    if (!c.running || c.applied === null) return null;
    const { durationMs, calendar } = c.applied.target;
    const remaining = durationMs - c.committedMs;
    if (remaining > 0) return addBusinessTime(calendar, c.since, remaining);
    return c.breachedAt ?? c.since;
  }

  /** Records a breach for every running clock whose deadline passed before `at` (or at it). */
  breachUpTo(at: number, inclusive: boolean): void {
    for (const c of this.cycles.values()) {
      if (c.breachedAt !== null || !c.running) continue;
      const due = this.dueAt(c);
      if (due !== null && (inclusive ? due <= at : due < at)) {
        c.breachedAt = due;
        this.emit(c.metric, "breach", due);
      }
    }
  }

  /** Moves used time forward to `at` for a running clock. */
  private commit(c: Cycle, at: number): void {
    if (c.running && c.applied !== null && at > c.since) {
      c.committedMs += businessTimeBetween(c.applied.target.calendar, c.since, at);
    }
    c.since = Math.max(c.since, at);
  }

  /** Starts or stops the clock to match the current status and target. */
  private syncRunning(c: Cycle, at: number): void {
    const run = this.shouldRun(c);
    if (run === c.running) return;
    if (run) {
      this.endPause(c, at);
      c.running = true;
      c.since = at;
      this.emit(c.metric, "resume", at);
    } else {
      this.commit(c, at);
      c.running = false;
      if (!c.stopped) c.pausedSince = at;
      if (!c.stopped && c.applied !== null) this.emit(c.metric, "pause", at);
    }
  }

  /** Business time a cycle would have used from its start until `at` under `target`. */
  private retroactiveUse(c: Cycle, target: SlaTarget, at: number): number {
    let used = 0;
    this.statusHistory.forEach((h, i) => {
      const next = this.statusHistory[i + 1];
      const from = Math.max(h.at, c.startedAt);
      const to = Math.min(next ? next.at : at, at);
      if (to > from && !target.pauseOn.includes(h.status) && !RESOLVED.includes(h.status)) {
        used += businessTimeBetween(target.calendar, from, to);
      }
    });
    return used;
  }

  /** Adds the pause under way (if any) up to `at` to the cycle's paused business time. */
  private endPause(c: Cycle, at: number): void {
    if (c.pausedSince !== null && c.applied !== null && at > c.pausedSince) c.pausedMs += businessTimeBetween(c.applied.target.calendar, c.pausedSince, at);
    c.pausedSince = null;
  }

  private startCycle(metric: SlaMetric, at: number): void {
    const applied = this.targetFor(metric);
    const previous = this.cycles.get(metric);
    // The cycle being replaced is over: its result no longer changes.
    if (previous !== undefined && previous.stopped && previous.applied !== null) this.replaced.push(previous);
    const c: Cycle = {
      metric,
      startedAt: at,
      applied,
      tracked: applied !== null,
      committedMs: 0,
      since: at,
      running: false,
      stopped: false,
      fulfilledAt: null,
      breachedAt: null,
      pausedMs: 0,
      pausedSince: null,
      endDueAt: null,
      timelineFrom: this.timeline.length,
    };
    this.cycles.set(metric, c);
    if (applied === null) return;
    this.emit(metric, "activate", at);
    c.running = this.shouldRun(c);
    if (!c.running) {
      c.pausedSince = at;
      this.emit(metric, "pause", at);
    }
  }

  /**
   * Takes back a next-reply or periodic-update cycle that started at `at` when the case is
   * solved at that same instant: a reply that also solves the case (one action, one instant)
   * owes no update and no next reply, and a zero-minute cycle would count as met though it never
   * existed. The cycle before it, if any, is the metric's latest again.
   */
  private dropPhantom(metric: SlaMetric, at: number): void {
    const c = this.cycles.get(metric);
    if (c === undefined || c.stopped || c.startedAt !== at) return;
    for (let i = this.timeline.length - 1; i >= c.timelineFrom; i--) if (this.timeline[i]!.metric === metric) this.timeline.splice(i, 1);
    this.cycles.delete(metric);
    const last = this.replaced.findLastIndex((r) => r.metric === metric);
    if (last >= 0) this.cycles.set(metric, this.replaced.splice(last, 1)[0]!);
  }

  private fulfil(metric: SlaMetric, at: number): void {
    const c = this.cycles.get(metric);
    if (!c || c.stopped) return;
    c.endDueAt = c.breachedAt ?? this.dueAt(c);
    this.commit(c, at);
    this.endPause(c, at);
    c.running = false;
    c.stopped = true;
    c.fulfilledAt = at;
    // A reopening may resume the cycle: the time in between is then paused time.
    c.pausedSince = at;
    if (c.applied !== null) this.emit(metric, "fulfill", at);
  }

  private isLive(metric: SlaMetric): boolean {
    const c = this.cycles.get(metric);
    return c !== undefined && !c.stopped;
  }

  /** Applies the current policy and priority to every live clock, keeping used business time. */
  private retarget(at: number): void {
    for (const c of this.cycles.values()) {
      if (c.stopped) continue;
      const next = this.targetFor(c.metric);
      const prev = c.applied;
      if (prev?.target === next?.target && prev?.policyId === next?.policyId) continue;
      this.commit(c, at);
      const activating = next !== null && !c.tracked;
      if (activating) {
        c.committedMs = this.retroactiveUse(c, next.target, at);
        c.tracked = true;
        c.applied = next;
        this.emit(c.metric, "apply_target", at, next);
        this.emit(c.metric, "activate", at);
      } else {
        c.applied = next;
        this.emit(c.metric, "apply_target", at, next);
      }
      if (next !== null && next.target.durationMs > c.committedMs) c.breachedAt = null;
      const wasRunning = c.running;
      if (!wasRunning) this.endPause(c, at);
      c.running = this.shouldRun(c);
      c.since = at;
      if (!c.running) c.pausedSince = at;
      // A clock that first gets its target in a pausing status starts paused, as in startCycle.
      if ((wasRunning || activating) && !c.running && next !== null) this.emit(c.metric, "pause", at);
      if (!wasRunning && c.running && prev !== null) this.emit(c.metric, "resume", at);
    }
  }

  apply(e: ClockEvent): void {
    this.breachUpTo(e.at, false);
    switch (e.type) {
      case "case.opened": {
        if (this.opened) return;
        this.opened = true;
        if (e.priority) this.priority = e.priority;
        this.setStatus(e.status ?? this.status ?? "open", e.at);
        // A case first seen already solved owes nothing until it is reopened.
        if (!isResolved(this.status)) {
          this.startCycle("first_reply", e.at);
          this.startCycle("resolution", e.at);
        }
        return;
      }
      case "policy_changed": {
        this.policyId = e.policyId;
        this.policy = e.policyId === null ? null : (this.resolve(e.policyId) ?? null);
        this.retarget(e.at);
        return;
      }
      case "case.priority_changed": {
        if (e.priority === this.priority) return;
        this.priority = e.priority;
        this.retarget(e.at);
        return;
      }
      case "case.customer_message": {
        if (!this.opened) return;
        this.awaitingSince ??= e.at;
        if (this.firstReplyDone && !isResolved(this.status) && !this.isLive("next_reply")) {
          this.startCycle("next_reply", e.at);
        }
        return;
      }
      case "case.agent_reply": {
        if (!this.opened) return;
        this.awaitingSince = null;
        this.firstReplyDone = true;
        this.fulfil("first_reply", e.at);
        this.fulfil("next_reply", e.at);
        this.fulfil("periodic_update", e.at);
        if (!isResolved(this.status)) this.startCycle("periodic_update", e.at);
        return;
      }
      case "case.agent_note":
        // A private note is not a reply: it fulfils nothing.
        return;
      case "case.status_changed": {
        const prev = this.status;
        if (e.status === prev) return;
        this.setStatus(e.status, e.at);
        if (!this.opened) return;
        if (isResolved(e.status) && !isResolved(prev)) {
          this.dropPhantom("next_reply", e.at);
          this.dropPhantom("periodic_update", e.at);
          for (const m of SlaMetric.options) this.fulfil(m, e.at);
          // Solving answers what was waiting: only a message after this starts next reply again.
          this.awaitingSince = null;
        } else if (!isResolved(e.status) && isResolved(prev)) {
          this.reopen(e.at);
        }
        for (const c of this.cycles.values()) this.syncRunning(c, e.at);
        return;
      }
    }
  }

  private setStatus(status: CaseStatus, at: number): void {
    this.status = status;
    this.statusHistory.push({ at, status });
  }

  /** Continues a stopped cycle where it stopped: the time it used is kept, the gap was paused. */
  private resume(c: Cycle, at: number): void {
    c.stopped = false;
    c.fulfilledAt = null;
    c.endDueAt = null;
    c.since = at;
    c.running = this.shouldRun(c);
    if (c.running) this.endPause(c, at);
    if (c.applied !== null) this.emit(c.metric, c.running ? "resume" : "pause", at);
  }

  private reopen(at: number): void {
    const resolution = this.cycles.get("resolution");
    if (resolution && resolution.stopped) {
      // Reopening resumes resolution time where it stopped, not from zero.
      this.resume(resolution, at);
    } else if (!resolution) {
      this.startCycle("resolution", at);
    }
    if (this.firstReplyDone) {
      this.startCycle("periodic_update", at);
      if (this.awaitingSince !== null) this.startCycle("next_reply", at);
    } else {
      // Never answered: the customer is still owed a first reply. Like resolution it resumes
      // with the business time it had used (solving without a reply did not answer anyone); a
      // case opened already solved has used none, so its first reply runs from the reopening.
      const first = this.cycles.get("first_reply");
      if (first === undefined) this.startCycle("first_reply", at);
      else if (first.stopped) this.resume(first, at);
    }
  }

  /** The cycle's result as of `now` (`clock` has already recorded breaches up to `now`). */
  record(c: Cycle, now: number, clock: MetricClock | null): ClockCycle | null {
    if (c.applied === null) return null;
    const { target, policyId } = c.applied;
    const used = clock?.usedMs ?? c.committedMs;
    let paused = c.pausedMs;
    if (!c.stopped && !c.running && c.pausedSince !== null && now > c.pausedSince) paused += businessTimeBetween(target.calendar, c.pausedSince, now);
    const outcome: ClockCycle["outcome"] = c.stopped ? (c.breachedAt !== null ? "missed" : "met") : c.breachedAt !== null ? "open_missed" : "in_progress";
    return {
      metric: c.metric,
      policyId,
      priority: target.priority,
      startedAt: c.startedAt,
      endedAt: c.stopped ? c.fulfilledAt : null,
      dueAt: c.stopped ? c.endDueAt : (clock?.dueAt ?? null),
      targetMs: target.durationMs,
      usedMs: used,
      pausedMs: paused,
      outcome,
    };
  }

  /** Metrics with a target now and no cycle counting toward it. */
  idle(): IdleMetric[] {
    const out: IdleMetric[] = [];
    if (isResolved(this.status) || !this.opened) return out;
    for (const metric of SlaMetric.options) {
      const c = this.cycles.get(metric);
      if (c !== undefined && !c.stopped) continue;
      const applied = this.targetFor(metric);
      if (applied) out.push({ metric, policyId: applied.policyId, priority: applied.target.priority, targetMs: applied.target.durationMs });
    }
    return out;
  }

  clock(c: Cycle, now: number): MetricClock | null {
    if (c.applied === null) return null;
    const { target } = c.applied;
    const used = c.committedMs + (c.running && now > c.since ? businessTimeBetween(target.calendar, c.since, now) : 0);
    const dueAt = c.stopped ? null : this.dueAt(c);
    const status: MetricClock["status"] = c.stopped
      ? "fulfilled"
      : c.breachedAt !== null
        ? "breached"
        : c.running
          ? "active"
          : "paused";
    const wakeups: Wakeup[] = [];
    // A deadline past the calendar's range (Infinity) has nothing to wake for.
    if (dueAt !== null && Number.isFinite(dueAt)) {
      const wake = (kind: Wakeup["kind"], level: number, at: number): void => {
        if (Number.isFinite(at)) wakeups.push({ metric: c.metric, kind, level, at, key: `${c.metric}:${c.startedAt}:${kind}:${level}:${at}` });
      };
      target.warningOffsetsMs.forEach((offset, i) => {
        wake("warning", i + 1, Math.max(c.startedAt, subtractBusinessTime(target.calendar, dueAt, offset)));
      });
      wake("due", 0, dueAt);
      target.escalationDelaysMs.forEach((delay, i) => {
        wake("escalation", i + 1, delay === 0 ? dueAt : addBusinessTime(target.calendar, dueAt, delay));
      });
      wakeups.sort((a, b) => a.at - b.at || a.level - b.level);
    }
    return {
      metric: c.metric,
      status,
      running: c.running,
      startedAt: c.startedAt,
      targetMs: target.durationMs,
      usedMs: used,
      remainingMs: target.durationMs - used,
      dueAt,
      breachedAt: c.breachedAt,
      fulfilledAt: c.fulfilledAt,
      wakeups,
    };
  }
}

/**
 * Folds a case's clock events into the state of its SLA clocks as of `now`.
 *
 * - Events are sorted by instant (ties: see `compareClockEvents`), never by their position in `events`.
 * - first_reply: case opened → first public agent reply. next_reply: oldest unanswered customer
 *   message after the first reply → next public agent reply. periodic_update: public agent
 *   reply → next one, while unresolved. resolution: opened → solved/closed; reopening resumes it.
 * - Solving fulfils every live clock; a private note fulfils nothing.
 * - A status in a target's `pauseOn` pauses that clock; leaving it resumes with used time kept.
 * - A priority or policy change keeps the business time already used and recomputes the
 *   deadline from the new target (a clock gaining its first target counts retroactively from
 *   its start under that target's calendar and pause statuses).
 * - A clock is breached once `now` reaches its due instant; a reply at exactly the due instant
 *   is on time.
 * - Events stamped after `now` are applied too (callers filter them when they want a past state,
 *   as the rules dry-run does); used time counts up to `now` only.
 *
 * @param events the case's clock events, in any order
 * @param policyResolver maps `policy_changed` ids to policy versions
 * @param now the instant to evaluate at (epoch ms)
 */
export function foldClocks(events: readonly ClockEvent[], policyResolver: PolicyResolver, now: number): ClockState {
  const fold = new ClockFold(policyResolver);
  fold.append(events);
  return fold.stateAt(now);
}

/**
 * The same fold, kept open for more events: a case object folds each new event onto what it has
 * folded already instead of folding its whole history again on every webhook, which made a
 * webhook's cost grow with the length of its case. Events that would not sort after everything
 * already applied are refused (the caller folds from scratch), so the result is always exactly
 * what `foldClocks` gives for all the events.
 */
export class ClockFold {
  private readonly fold: Fold;
  private last: ClockEvent | null = null;

  constructor(policyResolver: PolicyResolver) {
    this.fold = new Fold(policyResolver);
  }

  /**
   * Applies `events` (in any order among themselves) if every one sorts after every event already
   * applied; otherwise applies none of them and returns false.
   */
  append(events: readonly ClockEvent[]): boolean {
    if (events.length === 0) return true;
    const sorted = sortClockEvents(events);
    if (this.last !== null && compareClockEvents(this.last, sorted[0]!) > 0) return false;
    // Every event is applied, also one stamped after `now` (the case object relies on that for
    // events it knows are coming); used time is only counted up to `now`.
    for (const e of sorted) this.fold.apply(e);
    this.last = sorted[sorted.length - 1]!;
    return true;
  }

  /** The clocks as of `now`. Leaves the fold as it was, ready for more events. */
  stateAt(now: number): ClockState {
    const fold = this.fold;
    // Breaches up to `now` are recorded for this answer only: a later event stamped before `now`
    // (a reply that was already sent) may still prevent them.
    const folded = fold.timeline.length;
    const breachedAt = [...fold.cycles.values()].map((c) => [c, c.breachedAt] as const);
    try {
      fold.breachUpTo(now, true);
      const clocks: MetricClock[] = [];
      const cycles: ClockCycle[] = [];
      for (const c of fold.replaced) {
        const r = fold.record(c, now, null);
        if (r) cycles.push(r);
      }
      for (const metric of SlaMetric.options) {
        const c = fold.cycles.get(metric);
        const clock = c ? fold.clock(c, now) : null;
        if (clock) clocks.push(clock);
        const r = c ? fold.record(c, now, clock) : null;
        if (r) cycles.push(r);
      }
      cycles.sort((a, b) => a.startedAt - b.startedAt);
      let nextWakeupAt: number | null = null;
      for (const c of clocks) {
        for (const w of c.wakeups) if (w.at > now && (nextWakeupAt === null || w.at < nextWakeupAt)) nextWakeupAt = w.at;
      }
      return { now, status: fold.status, priority: fold.priority, policyId: fold.policyId, clocks, cycles, idle: fold.idle(), timeline: inTimeOrder(fold.timeline), nextWakeupAt };
    } finally {
      fold.timeline.length = folded;
      for (const [c, at] of breachedAt) c.breachedAt = at;
    }
  }
}

/** A copy of the timeline in time order (stable): it is emitted in time order already, almost always. */
function inTimeOrder(timeline: readonly MetricEvent[]): MetricEvent[] {
  for (let i = 1; i < timeline.length; i++) {
    if (timeline[i - 1]!.at > timeline[i]!.at) return timeline.map((e, j) => ({ e, j })).sort((a, b) => a.e.at - b.e.at || a.j - b.j).map((x) => x.e);
  }
  return timeline.slice();
}

/**
 * The clock event a normalized event contributes, or null for kinds that do not touch SLA
 * clocks (shipments, tags, ratings, …). Private notes are kept so the timeline can show they
 * did not count. `policy_changed` comes from the rules engine, not from here.
 */
export function clockEventOf(event: NormalizedEvent): ClockEvent | null {
  const at = Date.parse(event.occurredAt);
  const id = event.providerEventId;
  const tie = { id, source: event.provider, ...(event.sequence !== undefined && { sequence: event.sequence }) };
  switch (event.kind) {
    case "case.opened":
      return { type: "case.opened", at, ...tie, ...(event.status && { status: event.status }), ...(event.priority && { priority: event.priority }) };
    case "case.customer_message":
    case "case.agent_reply":
    case "case.agent_note":
      return { type: event.kind, at, ...tie };
    case "case.status_changed":
      return event.status ? { type: "case.status_changed", at, ...tie, status: event.status } : null;
    case "case.priority_changed":
      return event.priority ? { type: "case.priority_changed", at, ...tie, priority: event.priority } : null;
    default:
      return null;
  }
}
