/**
 * Adding outcome records up into report rows, and the CSV form. Pure: the registry's SQL hands
 * these functions rows (raw cycles or daily rollups) and they compute the figures, so the same
 * code answers a test's three cycles and a year of two million.
 */
import type { SlaMetric } from "../sla/model";
import type { GroupField, SlaReportRow } from "./schema";

/** Used time is reported to the minute: rollups keep a histogram of whole minutes. */
export const MINUTE_MS = 60_000;
export const usedMinute = (usedMs: number): number => Math.floor(usedMs / MINUTE_MS);

/** Whole minutes of used time → how many finished cycles used that many. */
export type UsedHistogram = Map<number, number>;

/** One group's running totals while rows are added up. */
export interface GroupTotals {
  key: Record<GroupField, string | null>;
  met: number;
  missed: number;
  used: UsedHistogram;
  openMissed: number;
  inProgress: number;
}

/**
 * Nearest-rank percentile of a histogram (`p` in (0, 1]): the smallest value with at least
 * ⌈p·n⌉ values at or below it. So the median of 10, 20, 30, 40 minutes is 20 minutes.
 */
export function percentileMinutes(hist: UsedHistogram, p: number): number | null {
  let n = 0;
  for (const c of hist.values()) n += c;
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil(p * n));
  let seen = 0;
  for (const m of [...hist.keys()].sort((a, b) => a - b)) {
    seen += hist.get(m)!;
    if (seen >= rank) return m;
  }
  return null;
}

export class ReportTotals {
  private readonly groups = new Map<string, GroupTotals>();

  constructor(readonly groupBy: readonly GroupField[]) {}

  private group(fields: Record<GroupField, string | null>): GroupTotals {
    const key = JSON.stringify(this.groupBy.map((f) => fields[f]));
    let g = this.groups.get(key);
    if (!g) {
      const picked = {} as Record<GroupField, string | null>;
      for (const f of this.groupBy) picked[f] = fields[f];
      g = { key: picked, met: 0, missed: 0, used: new Map(), openMissed: 0, inProgress: 0 };
      this.groups.set(key, g);
    }
    return g;
  }

  /** Finished cycles: `used` is a histogram of whole minutes (one cycle or a rollup's). */
  addFinished(fields: Record<GroupField, string | null>, met: number, missed: number, used: Iterable<[number, number]>): void {
    const g = this.group(fields);
    g.met += met;
    g.missed += missed;
    for (const [m, c] of used) g.used.set(m, (g.used.get(m) ?? 0) + c);
  }

  addOpen(fields: Record<GroupField, string | null>, overdue: boolean): void {
    const g = this.group(fields);
    if (overdue) g.openMissed += 1;
    else g.inProgress += 1;
  }

  rows(): SlaReportRow[] {
    const rows = [...this.groups.values()].map((g): SlaReportRow => {
      const cycles = g.met + g.missed;
      const median = percentileMinutes(g.used, 0.5);
      const p90 = percentileMinutes(g.used, 0.9);
      return {
        ...(g.key as Record<GroupField, string | null> & { metric: SlaMetric }),
        cycles,
        met: g.met,
        missed: g.missed,
        attainment: cycles === 0 ? null : g.met / cycles,
        medianUsedMs: median === null ? null : median * MINUTE_MS,
        p90UsedMs: p90 === null ? null : p90 * MINUTE_MS,
        openMissed: g.openMissed,
        inProgress: g.inProgress,
      };
    });
    const order = ["first_reply", "next_reply", "periodic_update", "resolution"];
    return rows.sort((a, b) => {
      const m = order.indexOf(a.metric) - order.indexOf(b.metric);
      if (m !== 0) return m;
      for (const f of this.groupBy) {
        const x = (a as Record<string, unknown>)[f] ?? "";
        const y = (b as Record<string, unknown>)[f] ?? "";
        if (x !== y) return String(x) < String(y) ? -1 : 1;
      }
      return 0;
    });
  }
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
function csvField(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The report's rows as CSV with a header line (CRLF line ends, as RFC 4180 has them). */
export function slaReportCsv(groupBy: readonly GroupField[], rows: readonly SlaReportRow[]): string {
  const columns = [...groupBy, "cycles", "met", "missed", "attainment", "medianUsedMs", "p90UsedMs", "openMissed", "inProgress"] as const;
  const lines = [columns.join(",")];
  for (const r of rows) lines.push(columns.map((c) => csvField((r as Record<string, unknown>)[c])).join(","));
  return lines.join("\r\n") + "\r\n";
}
