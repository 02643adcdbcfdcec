/**
 * Adds case replays up into a backtest's result (pure). The store-wide figures are sums; the list
 * of changed cases keeps the first MAX_CHANGED in the order the replay met them.
 */
import type { CaseReplay, SideCounts } from "./replay";
import { SlaMetric } from "../sla/model";

export const MAX_CHANGED = 200;

export interface SideTotals {
  byMetric: Record<string, { cycles: number; met: number; missed: number }>;
  reminders: { total: number; byKind: Record<string, number>; duringQuietHours: number; escalationsByLevel: Record<string, number> };
}

export interface BacktestTotals {
  casesReplayed: number;
  casesFailed: number;
  current: SideTotals;
  draft: SideTotals;
  changed: { caseId: string; firstDifference: string; at: string | null }[];
  changedCount: number;
}

const emptySide = (): SideTotals => ({ byMetric: {}, reminders: { total: 0, byKind: {}, duringQuietHours: 0, escalationsByLevel: {} } });

export function emptyTotals(): BacktestTotals {
  return { casesReplayed: 0, casesFailed: 0, current: emptySide(), draft: emptySide(), changed: [], changedCount: 0 };
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

function addSide(into: SideTotals, side: SideCounts): void {
  for (const [metric, m] of Object.entries(side.byMetric)) {
    const t = (into.byMetric[metric] ??= { cycles: 0, met: 0, missed: 0 });
    t.cycles += m.cycles;
    t.met += m.met;
    t.missed += m.missed;
  }
  into.reminders.total += side.reminders.total;
  into.reminders.duringQuietHours += side.reminders.duringQuietHours;
  addCounts(into.reminders.byKind, side.reminders.byKind);
  addCounts(into.reminders.escalationsByLevel, side.reminders.escalationsByLevel);
}

/** Adds one case's replay (mutates and returns `totals`). */
export function addReplay(totals: BacktestTotals, r: CaseReplay): BacktestTotals {
  totals.casesReplayed += 1;
  addSide(totals.current, r.current);
  addSide(totals.draft, r.draft);
  if (r.change !== null) {
    totals.changedCount += 1;
    if (totals.changed.length < MAX_CHANGED) totals.changed.push({ caseId: r.caseId, firstDifference: r.change, at: r.changeAt === null ? null : new Date(r.changeAt).toISOString() });
  }
  return totals;
}

/** The answer's `byMetric`: every metric either side measured, current beside draft. */
export function byMetric(t: BacktestTotals): { metric: string; current: { cycles: number; met: number; missed: number }; draft: { cycles: number; met: number; missed: number } }[] {
  const zero = { cycles: 0, met: 0, missed: 0 };
  return SlaMetric.options
    .filter((m) => t.current.byMetric[m] || t.draft.byMetric[m])
    .map((metric) => ({ metric, current: t.current.byMetric[metric] ?? zero, draft: t.draft.byMetric[metric] ?? zero }));
}
