/**
 * Outcome records and report answers. The schemas are the one source of truth: the case object's
 * push, the registry's tables, the API's validation and its OpenAPI document. The console imports
 * the answer types from here.
 */
import { z } from "zod";
import { CycleOutcome, SlaMetric } from "../sla/model";

/** At most this long a range: a year and a month, so "last year" always fits. */
export const MAX_RANGE_DAYS = 400;
const DAY_MS = 86_400_000;

// ── What a case pushes ───────────────────────────────────────────────────────────────────────

/**
 * One SLA clock cycle of one case, with the case's facts: what every figure of the SLA report is
 * counted from. Finished cycles (`met`, `missed`) fall in a range by `endedAt`; open ones
 * (`open_missed`, `in_progress`) are counted as of now from their due instant.
 */
export const CycleRecord = z.object({
  caseId: z.string(),
  metric: SlaMetric,
  startedAt: z.number().int(),
  policy: z.string().describe("The SLA policy's name in the rules version the cycle ended (or runs) under."),
  rulesVersion: z.number().int(),
  priority: z.string(),
  channel: z.string().nullable(),
  provider: z.string(),
  assignee: z.string().nullable(),
  group: z.string().nullable(),
  endedAt: z.number().int().nullable(),
  dueAt: z.number().nullable(),
  targetMs: z.number().int(),
  usedMs: z.number(),
  pausedMs: z.number(),
  outcome: CycleOutcome,
});
export type CycleRecord = z.infer<typeof CycleRecord>;

/** The key of a cycle: a case has at most one cycle of a metric starting at one instant. */
export const cycleKey = (r: Pick<CycleRecord, "metric" | "startedAt">): string => `${r.metric}@${r.startedAt}`;

// ── Playbook outcomes and shipment delay episodes ────────────────────────────────────────────

export const PlaybookRule = z.enum(["callback", "bad_rating", "going_in_circles", "dispute_risk"]);
export type PlaybookRule = z.infer<typeof PlaybookRule>;

/**
 * One time a playbook rule asked something of the store, and what the store did. Falls in a range
 * by `triggeredAt`. Whether it was acted on in time is read as of the report: `actedAt` by `dueAt`
 * is in time, later (or not yet, past `dueAt`) is missed, else it is still open.
 */
export const PlaybookRecord = z.object({
  caseId: z.string(),
  rule: PlaybookRule,
  /** Unique within the case and rule: the callback's id, or the rating's instant. */
  ref: z.string(),
  triggeredAt: z.number().int(),
  dueAt: z.number().int().nullable(),
  actedAt: z.number().int().nullable(),
  /** Dispute risk: how the case ended (`solved`, `closed`), null while it is open. */
  caseEnded: z.string().nullable().optional(),
});
export type PlaybookRecord = z.infer<typeof PlaybookRecord>;
export const playbookKey = (r: Pick<PlaybookRecord, "rule" | "ref">): string => `${r.rule}:${r.ref}`;

export const DelayOutcome = z.enum(["contactedFirst", "customerFirst", "notContacted"]);
export type DelayOutcome = z.infer<typeof DelayOutcome>;

/** One shipment delay episode of a parcel: from the first delay signal to delivery. Falls in a range by `detectedAt`. */
export const ShipmentEpisode = z.object({
  caseId: z.string(),
  detectedAt: z.number().int(),
  signal: z.string(),
  reason: z.string().nullable(),
  /** The store's first contact after detection: an agent's public reply (POST …/contacted records one) or a callback done. */
  contactedAt: z.number().int().nullable(),
  /** The customer's first message about it after detection. */
  customerMessageAt: z.number().int().nullable(),
  outcome: DelayOutcome,
  /** Detection plus the proactive-contact target on the rule's calendar. */
  contactBy: z.number().int(),
  updatesOwed: z.number().int(),
  updatesSent: z.number().int(),
  deliveredAt: z.number().int().nullable(),
});
export type ShipmentEpisode = z.infer<typeof ShipmentEpisode>;

/** What a case's push adds for the playbook and shipments reports, like `OutcomePush` (keys: `playbookKey`, the episode's detection instant). */
export const PlaybookPush = z.object({
  upsert: z.array(PlaybookRecord),
  remove: z.array(z.string()),
});
export type PlaybookPush = z.infer<typeof PlaybookPush>;
export const ShipmentPush = z.object({
  upsert: z.array(ShipmentEpisode),
  remove: z.array(z.string()),
});
export type ShipmentPush = z.infer<typeof ShipmentPush>;

/**
 * What a case's push adds for reports: the cycles that changed since the last push the registry
 * took, and the keys of cycles that no longer exist (a late event folded history differently).
 */
export const OutcomePush = z.object({
  upsert: z.array(CycleRecord),
  remove: z.array(z.string()),
  /** Playbook outcome records and shipment delay episodes that changed, the same way (absent: none did). */
  playbook: PlaybookPush.optional(),
  shipments: ShipmentPush.optional(),
});
export type OutcomePush = z.infer<typeof OutcomePush>;

// ── Queries ──────────────────────────────────────────────────────────────────────────────────

export const GroupField = z.enum(["metric", "policy", "priority", "channel", "assignee", "group"]);
export type GroupField = z.infer<typeof GroupField>;

const instant = z.iso.datetime({ offset: true, error: "must be an ISO 8601 instant, e.g. 2026-11-01T00:00:00Z" });

/**
 * A range of ended-at instants, `[from, to)`. Both default: `to` to now, `from` to 30 days
 * before `to`.
 */
const RangeFields = {
  from: instant.optional(),
  to: instant.optional(),
};

function checkRange(q: { from?: string | undefined; to?: string | undefined }, ctx: z.RefinementCtx): void {
  if (q.from === undefined || q.to === undefined) return;
  const from = Date.parse(q.from);
  const to = Date.parse(q.to);
  if (from > to) ctx.addIssue({ code: "custom", path: ["from"], message: "from is after to" });
  else if (to - from > MAX_RANGE_DAYS * DAY_MS) ctx.addIssue({ code: "custom", path: ["to"], message: `the range is over ${MAX_RANGE_DAYS} days` });
}

/**
 * The fields each rollup side keeps. A grouping within one side reads rollups; one that mixes the
 * two sides (policy with assignee, say) reads every cycle of the range, which costs the store's
 * registry about 1.7 s for a month of a 2-million-cycle year (bench/RESULTS.md) and blocks its
 * other callers meanwhile: so such a grouping is limited to MIXED_GROUPING_MAX_DAYS.
 */
export const POLICY_SIDE: readonly GroupField[] = ["metric", "policy", "priority", "channel"];
export const TEAM_SIDE: readonly GroupField[] = ["metric", "assignee", "group"];
export const MIXED_GROUPING_MAX_DAYS = 31;
const DEFAULT_RANGE_DAYS = 30;

export const SlaReportQuery = z
  .strictObject({
    ...RangeFields,
    groupBy: z
      .string()
      .optional()
      .transform((s, ctx) => {
        const fields = (s ?? "metric").split(",").map((f) => f.trim()).filter((f) => f !== "");
        const out: GroupField[] = [];
        for (const f of fields) {
          const parsed = GroupField.safeParse(f);
          if (!parsed.success) {
            ctx.addIssue({ code: "custom", message: `unknown field "${f}": one of ${GroupField.options.join(", ")}` });
            return z.NEVER;
          }
          if (!out.includes(parsed.data)) out.push(parsed.data);
        }
        // Every row is about one metric: a target's result means nothing across metrics.
        if (!out.includes("metric")) out.unshift("metric");
        return out;
      })
      .describe("Comma-separated: metric, policy, priority, channel, assignee, group. Rows are always per metric."),
    format: z.enum(["json", "csv"]).optional().describe("`csv` answers text/csv, like `Accept: text/csv`."),
  })
  .superRefine(checkRange)
  .superRefine((q, ctx) => {
    if (q.groupBy.every((f) => POLICY_SIDE.includes(f)) || q.groupBy.every((f) => TEAM_SIDE.includes(f))) return;
    const to = q.to !== undefined ? Date.parse(q.to) : Date.now();
    const from = q.from !== undefined ? Date.parse(q.from) : to - DEFAULT_RANGE_DAYS * DAY_MS;
    if (to - from > MIXED_GROUPING_MAX_DAYS * DAY_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["groupBy"],
        message: `grouping policy, priority or channel together with assignee or group reads every cycle: at most ${MIXED_GROUPING_MAX_DAYS} days (group by one side, or shorten the range)`,
      });
    }
  });
export type SlaReportQuery = z.infer<typeof SlaReportQuery>;

/** A drill-down cursor: the last row's position, `[end or due instant, case id, metric, start]`. */
export function decodeCyclesCursor(cursor: string): [number, string, string, number] | null {
  try {
    const v = JSON.parse(atob(cursor)) as unknown;
    return Array.isArray(v) && v.length === 4 && typeof v[0] === "number" && typeof v[1] === "string" && typeof v[2] === "string" && typeof v[3] === "number" ? [v[0], v[1], v[2], v[3]] : null;
  } catch {
    return null;
  }
}

export const CyclesQuery = z
  .strictObject({
    ...RangeFields,
    metric: SlaMetric.optional(),
    outcome: z.enum(["met", "missed", "open_missed", "in_progress"]).optional().describe("`met` and `missed` list finished cycles ended in the range; `open_missed` and `in_progress` list running cycles as of now."),
    policy: z.string().min(1).optional(),
    priority: z.string().min(1).optional(),
    channel: z.string().min(1).optional(),
    assignee: z.string().min(1).optional(),
    group: z.string().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z
      .string()
      .min(1)
      .refine((c) => decodeCyclesCursor(c) !== null, "not a cursor this API gave out (pass nextCursor back as it is)")
      .optional(),
  })
  .superRefine(checkRange);
export type CyclesQuery = z.infer<typeof CyclesQuery>;

export const RangeQuery = z.strictObject(RangeFields).superRefine(checkRange);
export type RangeQuery = z.infer<typeof RangeQuery>;

// ── Answers ──────────────────────────────────────────────────────────────────────────────────

export const SlaReportRow = z.object({
  metric: SlaMetric,
  policy: z.string().nullable().optional(),
  priority: z.string().nullable().optional(),
  channel: z.string().nullable().optional(),
  assignee: z.string().nullable().optional(),
  group: z.string().nullable().optional(),
  cycles: z.number().int().describe("Finished cycles that ended in the range: met + missed."),
  met: z.number().int(),
  missed: z.number().int(),
  attainment: z.number().nullable().describe("met ÷ (met + missed); null with no finished cycles."),
  medianUsedMs: z.number().nullable().describe("Median business time used by the finished cycles, to the minute (nearest rank)."),
  p90UsedMs: z.number().nullable().describe("90th percentile of business time used by the finished cycles, to the minute (nearest rank)."),
  openMissed: z.number().int().describe("Cycles running now past their due instant (whatever the range)."),
  inProgress: z.number().int().describe("Cycles running now, or paused, and not yet due (whatever the range)."),
});
export type SlaReportRow = z.infer<typeof SlaReportRow>;

export const SlaReport = z.object({
  from: z.string(),
  to: z.string(),
  groupBy: z.array(GroupField),
  rows: z.array(SlaReportRow),
});
export type SlaReport = z.infer<typeof SlaReport>;

export const CycleView = z.object({
  caseId: z.string(),
  metric: SlaMetric,
  policy: z.string(),
  rulesVersion: z.number().int(),
  priority: z.string(),
  channel: z.string().nullable(),
  provider: z.string(),
  assignee: z.string().nullable(),
  group: z.string().nullable(),
  startedAt: z.string(),
  dueAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  targetMs: z.number(),
  usedMs: z.number(),
  pausedMs: z.number(),
  outcome: CycleOutcome,
});
export type CycleView = z.infer<typeof CycleView>;

export const CyclePage = z.object({
  cycles: z.array(CycleView),
  nextCursor: z.string().nullable(),
});
export type CyclePage = z.infer<typeof CyclePage>;

export const PlaybookReportRow = z.object({
  rule: PlaybookRule,
  triggered: z.number().int().describe("Times the rule asked something of the store, triggered in the range."),
  actedInTime: z.number().int().describe("Of those, acted on by their due instant."),
  missed: z.number().int().describe("Of those, acted on late, or not yet and past due (as of now)."),
});
export type PlaybookReportRow = z.infer<typeof PlaybookReportRow>;

export const PlaybookReport = z.object({ from: z.string(), to: z.string(), rows: z.array(PlaybookReportRow) });
export type PlaybookReport = z.infer<typeof PlaybookReport>;

export const ShipmentsReport = z.object({
  from: z.string(),
  to: z.string(),
  delays: z.number().int().describe("Delay episodes detected in the range."),
  contactedFirst: z.number().int().describe("The store contacted the customer before any customer message."),
  customerFirst: z.number().int().describe("The customer wrote before (or without) any contact from the store."),
  notContacted: z.number().int().describe("Neither side has written (yet)."),
  reachedFirstRate: z.number().nullable().describe("contactedFirst ÷ delays; null with no delays."),
  proactiveTargetMet: z.number().int().describe("Episodes whose first contact came by the proactive-contact target."),
  updatesOwed: z.number().int(),
  updatesSent: z.number().int(),
  medianContactDelayMs: z.number().nullable().describe("Median wall-clock time from detection to the store's first contact (nearest rank), over contacted episodes."),
});
export type ShipmentsReport = z.infer<typeof ShipmentsReport>;

const pageFields = {
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().regex(/^\d+$/, "not a cursor this API gave out (pass nextCursor back as it is)").optional(),
};

export const PlaybookCasesQuery = z
  .strictObject({ ...RangeFields, rule: PlaybookRule.optional(), outcome: z.enum(["actedInTime", "missed", "open"]).optional(), ...pageFields })
  .superRefine(checkRange);
export type PlaybookCasesQuery = z.infer<typeof PlaybookCasesQuery>;

export const ShipmentCasesQuery = z
  .strictObject({ ...RangeFields, outcome: DelayOutcome.optional(), proactiveTargetMet: z.enum(["true", "false"]).optional(), ...pageFields })
  .superRefine(checkRange);
export type ShipmentCasesQuery = z.infer<typeof ShipmentCasesQuery>;

export const PlaybookItemView = z.object({
  caseId: z.string(),
  rule: PlaybookRule,
  ref: z.string(),
  triggeredAt: z.string(),
  dueAt: z.string().nullable(),
  actedAt: z.string().nullable(),
  caseEnded: z.string().nullable(),
  outcome: z.enum(["actedInTime", "missed", "open"]),
});
export const PlaybookCasePage = z.object({ items: z.array(PlaybookItemView), nextCursor: z.string().nullable() });
export type PlaybookCasePage = z.infer<typeof PlaybookCasePage>;

export const ShipmentEpisodeView = z.object({
  caseId: z.string(),
  detectedAt: z.string(),
  signal: z.string(),
  reason: z.string().nullable(),
  contactedAt: z.string().nullable(),
  customerMessageAt: z.string().nullable(),
  outcome: DelayOutcome,
  contactBy: z.string(),
  proactiveTargetMet: z.boolean(),
  updatesOwed: z.number().int(),
  updatesSent: z.number().int(),
  deliveredAt: z.string().nullable(),
});
export const ShipmentCasePage = z.object({ episodes: z.array(ShipmentEpisodeView), nextCursor: z.string().nullable() });
export type ShipmentCasePage = z.infer<typeof ShipmentCasePage>;
