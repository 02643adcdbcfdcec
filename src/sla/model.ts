/**
 * Inputs and outputs of the SLA clock fold. Schemas are the source of the types.
 */
import { z } from "zod";
import { CalendarSchema } from "../calendar/index";
import { CaseStatus, Priority } from "../events/model";

/** The four clocks every helpdesk converges on. */
export const SlaMetric = z.enum(["first_reply", "next_reply", "periodic_update", "resolution"]);
export type SlaMetric = z.infer<typeof SlaMetric>;

const nonNegativeMs = z.number().int().nonnegative();

/**
 * One cell of a policy's metric × priority matrix. `calendar` is a business calendar or
 * `"24/7"` (calendar hours); `pauseOn` names the statuses that stop this clock, since
 * established systems differ per metric. Warning offsets count business time before the due
 * instant and escalation delays business time after it, so they land in open hours.
 */
export const SlaTarget = z
  .object({
    metric: SlaMetric,
    priority: Priority,
    durationMs: z.number().int().positive(),
    calendar: CalendarSchema,
    pauseOn: z.array(CaseStatus).default([]),
    warningOffsetsMs: z.array(z.number().int().positive()).default([]),
    escalationDelaysMs: z.array(nonNegativeMs).default([]),
  })
  .strict();
export type SlaTarget = z.infer<typeof SlaTarget>;

/** A versioned set of targets; at most one target per (metric, priority). */
export const SlaPolicy = z
  .object({
    id: z.string().min(1),
    targets: z.array(SlaTarget),
  })
  .strict()
  .superRefine((policy, ctx) => {
    const seen = new Map<string, number>();
    policy.targets.forEach((t, i) => {
      const key = `${t.metric}/${t.priority}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        ctx.addIssue({ code: "custom", path: ["targets", i], message: `duplicates targets[${earlier}] (${key})` });
      } else seen.set(key, i);
    });
  });
export type SlaPolicy = z.infer<typeof SlaPolicy>;

/** Maps a policy id (from a `policy_changed` event) to the policy version to apply. */
export type PolicyResolver = (policyId: string) => SlaPolicy | undefined;

const at = z.number().finite();
/**
 * How events with the same instant happened (see `sameInstantOrder` in cases/state.ts): `sequence`
 * is the provider's own order among events of the same `source`, `order` the arrival order; `id`
 * (the provider event id) breaks what is left. All optional: events built in memory have none.
 */
const tie = {
  id: z.string().optional(),
  source: z.string().optional(),
  sequence: z.number().optional(),
  order: z.number().optional(),
};

/**
 * What the fold consumes: the SLA-relevant subset of NormalizedEvent kinds with epoch-ms
 * instants, plus `policy_changed` from the rules engine (`policyId: null` removes the policy).
 */
export const ClockEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("case.opened"), at, ...tie, status: CaseStatus.optional(), priority: Priority.optional() }),
  z.object({ type: z.literal("case.customer_message"), at, ...tie }),
  z.object({ type: z.literal("case.agent_reply"), at, ...tie }),
  z.object({ type: z.literal("case.agent_note"), at, ...tie }),
  z.object({ type: z.literal("case.status_changed"), at, ...tie, status: CaseStatus }),
  z.object({ type: z.literal("case.priority_changed"), at, ...tie, priority: Priority }),
  z.object({ type: z.literal("policy_changed"), at, ...tie, policyId: z.string().min(1).nullable() }),
]);
export type ClockEvent = z.infer<typeof ClockEvent>;

export const ClockStatus = z.enum(["active", "paused", "fulfilled", "breached"]);
export type ClockStatus = z.infer<typeof ClockStatus>;

/** An instant the case must be woken at; `key` is stable, for deduplicating fired alarms. */
export interface Wakeup {
  metric: SlaMetric;
  kind: "warning" | "due" | "escalation";
  /** 1-based warning or escalation level; 0 for the due instant. */
  level: number;
  at: number;
  key: string;
}

export type MetricEventType = "activate" | "pause" | "resume" | "fulfill" | "breach" | "apply_target";

/** One line of the audit timeline, like Zendesk's ticket metric events. */
export interface MetricEvent {
  metric: SlaMetric;
  type: MetricEventType;
  at: number;
  /** For apply_target: the target now in force (null when the metric lost its target). */
  target?: { policyId: string; priority: Priority; durationMs: number } | null;
}

/** The current cycle of one metric. */
export interface MetricClock {
  metric: SlaMetric;
  status: ClockStatus;
  /** Whether the clock is counting at `now` (false when paused or stopped). */
  running: boolean;
  startedAt: number;
  targetMs: number;
  /** Business time used, as of `now` (or as of fulfilment). */
  usedMs: number;
  /** targetMs − usedMs; negative once breached (business time overdue). */
  remainingMs: number;
  /** The deadline; null while paused (it is not known until the clock resumes). */
  dueAt: number | null;
  breachedAt: number | null;
  fulfilledAt: number | null;
  /** Warning, due and escalation instants of this cycle (past ones included), ascending. */
  wakeups: Wakeup[];
}

/**
 * How a cycle came out: `met` (fulfilled by its due instant), `missed` (fulfilled after it, or
 * breached and then stopped), `open_missed` (breached and still running), `in_progress` (still
 * running, or paused, and not yet due).
 */
export const CycleOutcome = z.enum(["met", "missed", "open_missed", "in_progress"]);
export type CycleOutcome = z.infer<typeof CycleOutcome>;

/** One clock cycle with its result: what a report counts. */
export interface ClockCycle {
  metric: SlaMetric;
  /** The policy and priority of the target in force at the end (or now). */
  policyId: string;
  priority: Priority;
  startedAt: number;
  /** When the cycle stopped (fulfilled or solved); null while it runs or is paused. */
  endedAt: number | null;
  /** The deadline: when it ended (null if it ended while paused), or now (null while paused). */
  dueAt: number | null;
  targetMs: number;
  /** Business time the clock counted, up to its end (or now). */
  usedMs: number;
  /** Business time it spent paused, a solved spell before a reopening included. */
  pausedMs: number;
  outcome: CycleOutcome;
}

/** A metric that has a target now but no cycle counting: nothing is owed on it at the moment. */
export interface IdleMetric {
  metric: SlaMetric;
  policyId: string;
  priority: Priority;
  targetMs: number;
}

export interface ClockState {
  now: number;
  status: CaseStatus | null;
  priority: Priority;
  policyId: string | null;
  /** One entry per metric that has a target and has started, in SlaMetric order. */
  clocks: MetricClock[];
  /** Every cycle that had a target, finished ones included, in the order they started. */
  cycles: ClockCycle[];
  /** Metrics with a target under the current policy and priority but no live cycle. */
  idle: IdleMetric[];
  /** Every metric event so far, in time order. */
  timeline: MetricEvent[];
  /** The earliest wakeup strictly after `now`, or null: what the case alarm should be set to. */
  nextWakeupAt: number | null;
}
