/**
 * Folds a case's clock events into SLA clock state. Pure: the same events, resolver and `now`
 * always give the same state, whatever order the events arrived in.
 */
import { addBusinessTime, businessTimeBetween, subtractBusinessTime } from "../calendar/index";
import type { CaseStatus, NormalizedEvent, Priority } from "../events/model";
import {
  type ClockEvent,
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
 * Order of events that share an instant: the case exists before anything happens to it, the
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
 * Orders two clock events by instant, then by kind rank, then by `id`, then by content, so that
 * the order never depends on arrival: two events that still compare equal are identical.
 */
export function compareClockEvents(a: ClockEvent, b: ClockEvent): number {
  if (a.at !== b.at) return a.at - b.at;
  const r = RANK[a.type] - RANK[b.type];
  if (r !== 0) return r;
  const ia = a.id ?? "";
  const ib = b.id ?? "";
  if (ia !== ib) return ia < ib ? -1 : 1;
  const ka = canonical(a);
  const kb = canonical(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
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
      c.running = true;
      c.since = at;
      this.emit(c.metric, "resume", at);
    } else {
      this.commit(c, at);
      c.running = false;
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

  private startCycle(metric: SlaMetric, at: number): void {
    const applied = this.targetFor(metric);
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
    };
    this.cycles.set(metric, c);
    if (applied === null) return;
    this.emit(metric, "activate", at);
    c.running = this.shouldRun(c);
    if (!c.running) this.emit(metric, "pause", at);
  }

  private fulfil(metric: SlaMetric, at: number): void {
    const c = this.cycles.get(metric);
    if (!c || c.stopped) return;
    this.commit(c, at);
    c.running = false;
    c.stopped = true;
    c.fulfilledAt = at;
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
      c.running = this.shouldRun(c);
      c.since = at;
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

  private reopen(at: number): void {
    const resolution = this.cycles.get("resolution");
    if (resolution && resolution.stopped) {
      // Reopening resumes resolution time where it stopped, not from zero.
      resolution.stopped = false;
      resolution.fulfilledAt = null;
      resolution.since = at;
      resolution.running = this.shouldRun(resolution);
      if (resolution.applied !== null) this.emit("resolution", resolution.running ? "resume" : "pause", at);
    } else if (!resolution) {
      this.startCycle("resolution", at);
    }
    if (this.firstReplyDone) {
      this.startCycle("periodic_update", at);
      if (this.awaitingSince !== null) this.startCycle("next_reply", at);
    } else if (!this.cycles.has("first_reply")) {
      // Opened solved and never answered: the first reply is owed from the reopening.
      this.startCycle("first_reply", at);
    }
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
 * - Events are sorted by instant (ties: see `sortClockEvents`), so arrival order never matters.
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
      for (const metric of SlaMetric.options) {
        const c = fold.cycles.get(metric);
        const clock = c ? fold.clock(c, now) : null;
        if (clock) clocks.push(clock);
      }
      let nextWakeupAt: number | null = null;
      for (const c of clocks) {
        for (const w of c.wakeups) if (w.at > now && (nextWakeupAt === null || w.at < nextWakeupAt)) nextWakeupAt = w.at;
      }
      return { now, status: fold.status, priority: fold.priority, policyId: fold.policyId, clocks, timeline: inTimeOrder(fold.timeline), nextWakeupAt };
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
  switch (event.kind) {
    case "case.opened":
      return { type: "case.opened", at, id, ...(event.status && { status: event.status }), ...(event.priority && { priority: event.priority }) };
    case "case.customer_message":
    case "case.agent_reply":
    case "case.agent_note":
      return { type: event.kind, at, id };
    case "case.status_changed":
      return event.status ? { type: "case.status_changed", at, id, status: event.status } : null;
    case "case.priority_changed":
      return event.priority ? { type: "case.priority_changed", at, id, priority: event.priority } : null;
    default:
      return null;
  }
}
