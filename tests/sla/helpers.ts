/** Small builders for SLA fold tests: policies, events, and the clock of one metric. */
import type { BusinessCalendar } from "../../src/calendar/index";
import { type ClockEvent, type ClockState, foldClocks, type MetricClock, SlaMetric, SlaPolicy, type SlaTarget } from "../../src/sla/index";

export const MINUTE = 60_000;
export const HOUR = 3_600_000;

export const T = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad instant ${iso}`);
  return ms;
};

/** Mon–Fri 09:00–17:00 in Berlin; 2026-06-01 is a Monday, summer time (+02:00). */
export const OFFICE: BusinessCalendar = {
  timeZone: "Europe/Berlin",
  week: Object.fromEntries(["mon", "tue", "wed", "thu", "fri"].map((d) => [d, [["09:00", "17:00"]]])),
};

type TargetInput = Partial<Omit<SlaTarget, "metric" | "priority" | "durationMs">> & { durationMs: number };

/** A policy with the same kind of target for every priority unless `byPriority` says otherwise. */
export function policy(
  id: string,
  metrics: Partial<Record<SlaMetric, TargetInput & { byPriority?: Partial<Record<SlaTarget["priority"], number>> }>>,
): SlaPolicy {
  const targets: unknown[] = [];
  for (const metric of SlaMetric.options) {
    const spec = metrics[metric];
    if (!spec) continue;
    const { byPriority, ...rest } = spec;
    for (const priority of ["low", "normal", "high", "urgent"] as const) {
      targets.push({ calendar: "24/7", ...rest, metric, priority, durationMs: byPriority?.[priority] ?? rest.durationMs });
    }
  }
  return SlaPolicy.parse({ id, targets });
}

export function resolverOf(...policies: SlaPolicy[]) {
  return (id: string): SlaPolicy | undefined => policies.find((p) => p.id === id);
}

/** A case opened at `at` under policy `policyId`. */
export function opened(at: number, policyId = "p", extra: Partial<Extract<ClockEvent, { type: "case.opened" }>> = {}): ClockEvent[] {
  return [
    { type: "policy_changed", at, policyId },
    { type: "case.opened", at, ...extra },
  ];
}

export const customer = (at: number, id?: string): ClockEvent => ({ type: "case.customer_message", at, ...(id ? { id } : {}) });
export const reply = (at: number, id?: string): ClockEvent => ({ type: "case.agent_reply", at, ...(id ? { id } : {}) });
export const note = (at: number): ClockEvent => ({ type: "case.agent_note", at });
export const status = (at: number, s: Extract<ClockEvent, { type: "case.status_changed" }>["status"]): ClockEvent => ({ type: "case.status_changed", at, status: s });
export const priority = (at: number, p: Extract<ClockEvent, { type: "case.priority_changed" }>["priority"]): ClockEvent => ({ type: "case.priority_changed", at, priority: p });

export function clockOf(state: ClockState, metric: SlaMetric): MetricClock {
  const c = state.clocks.find((x) => x.metric === metric);
  if (!c) throw new Error(`no ${metric} clock; clocks: ${state.clocks.map((x) => x.metric).join(", ")}`);
  return c;
}

export function fold(events: ClockEvent[], now: number, ...policies: SlaPolicy[]): ClockState {
  return foldClocks(events, resolverOf(...policies), now);
}
