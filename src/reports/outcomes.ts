/**
 * Outcome records from a case's fold, and what a push must carry. Pure: no Cloudflare imports.
 *
 * Every cycle the SLA fold reports becomes one record with the case's facts. A case remembers a
 * short fingerprint per record it has pushed, so a push carries only what changed: a running
 * cycle's used time grows every second and is not part of its fingerprint (reports count running
 * cycles by their due instant, as of the moment they are read), so a case that only ages pushes
 * nothing.
 */
import type { CaseState } from "../cases/state";
import { parsePolicyId, type RulesPin } from "../cases/policy";
import type { ClockState } from "../sla/model";
import { cycleKey, type CycleRecord, type OutcomePush } from "./schema";

/** Every SLA cycle of the case, with its facts as the case stands now. */
export function cycleRecords(caseId: string, state: CaseState, clocks: ClockState, pins: readonly RulesPin[]): CycleRecord[] {
  const out: CycleRecord[] = [];
  for (const c of clocks.cycles) {
    const parsed = parsePolicyId(c.policyId);
    const pin = parsed ? pins.find((p) => p.version === parsed.version) : undefined;
    const policy = parsed && pin ? (pin.document.policies[parsed.index]?.name ?? c.policyId) : c.policyId;
    out.push({
      caseId,
      metric: c.metric,
      startedAt: c.startedAt,
      policy,
      rulesVersion: parsed?.version ?? 0,
      priority: c.priority,
      channel: state.channel ?? null,
      provider: state.provider,
      assignee: state.assignee ?? null,
      group: state.group ?? null,
      endedAt: c.endedAt,
      dueAt: c.dueAt !== null && Number.isFinite(c.dueAt) ? c.dueAt : null,
      targetMs: c.targetMs,
      usedMs: c.usedMs,
      pausedMs: c.pausedMs,
      outcome: c.outcome,
    });
  }
  return out;
}

/** 32-bit FNV-1a, hex: a fingerprint, not a security measure. */
export function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16);
}

/**
 * What identifies a record's reportable content. A running cycle's used and paused time are left
 * out (they grow every second); a finished cycle's channel, assignee and group are left out too, so
 * it keeps the facts it was first pushed with after it ended: a case reassigned later does not
 * move its earlier agent's results to the new one. (A late event that changes a finished cycle's
 * result pushes it again, with the facts of that moment.)
 */
export function fingerprint(r: CycleRecord): string {
  const open = r.endedAt === null;
  return fnv1a(
    JSON.stringify([
      r.policy,
      r.rulesVersion,
      r.priority,
      r.provider,
      open ? [r.channel, r.assignee, r.group] : null,
      r.endedAt,
      r.dueAt,
      r.targetMs,
      open ? null : r.usedMs,
      open ? null : r.pausedMs,
      open ? "open" : r.outcome,
    ]),
  );
}

/** Fingerprints by cycle key, as last taken by the registry. */
export type PushedOutcomes = Record<string, string>;

/**
 * What the next push must carry (null: nothing changed) and the fingerprints to remember once the
 * registry has taken it.
 */
export function outcomeDiff(pushed: PushedOutcomes, records: readonly CycleRecord[]): { push: OutcomePush | null; next: PushedOutcomes } {
  const next: PushedOutcomes = {};
  const upsert: CycleRecord[] = [];
  for (const r of records) {
    const key = cycleKey(r);
    const fp = fingerprint(r);
    next[key] = fp;
    if (pushed[key] !== fp) upsert.push(r);
  }
  const remove = Object.keys(pushed).filter((k) => !(k in next));
  return { push: upsert.length > 0 || remove.length > 0 ? { upsert, remove } : null, next };
}
