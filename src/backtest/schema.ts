/** Shapes of the backtest API: the request, and a run's state with its result. */
import { z } from "zod";

/** A backtest looks at most this far back: 90 days of a large store's history stays a bounded job. */
export const MAX_WINDOW_DAYS = 90;
/** How long a finished backtest's result is kept. */
export const KEEP_RESULTS_DAYS = 7;

const instant = z.iso.datetime({ offset: true, error: "must be an ISO 8601 instant with a zone, e.g. 2026-11-01T00:00:00Z" });

export const BacktestRequest = z
  .object({
    rules: z.unknown().meta({ description: "The draft rules document (secrets may stay \"********\": nothing is sent)." }),
    from: instant.meta({ description: "Start of the window: cases with events from here on are replayed." }),
    to: instant.meta({ description: "End of the window; virtual time runs to here, or to now if earlier." }),
  })
  .strict()
  .superRefine((b, ctx) => {
    const from = Date.parse(b.from);
    const to = Date.parse(b.to);
    if (from > to) ctx.addIssue({ code: "custom", path: ["from"], message: "from is after to" });
    else if (to - from > MAX_WINDOW_DAYS * 86_400_000) ctx.addIssue({ code: "custom", path: ["to"], message: `the window is over ${MAX_WINDOW_DAYS} days` });
  });

export const BacktestState = z.enum(["queued", "running", "done", "failed", "cancelled"]);
export type BacktestState = z.infer<typeof BacktestState>;

const Outcomes = z.object({ cycles: z.number().int(), met: z.number().int(), missed: z.number().int() });
const ReminderCounts = z.object({
  total: z.number().int(),
  byKind: z.record(z.string(), z.number().int()),
  duringQuietHours: z.number().int().meta({ description: "Normal-urgency reminders that fired while quiet hours were closed (held for the digest)." }),
  escalationsByLevel: z.record(z.string(), z.number().int()),
});

export const BacktestResult = z.object({
  casesReplayed: z.number().int(),
  casesFailed: z.number().int().meta({ description: "Cases whose replay failed (their object did not answer); not in the figures." }),
  byMetric: z.array(z.object({ metric: z.string(), current: Outcomes, draft: Outcomes })).meta({
    description: "SLA cycles decided in the window: met (fulfilled with no breach, counted when fulfilled) and missed (counted at the breach).",
  }),
  reminders: z.object({ current: ReminderCounts, draft: ReminderCounts }),
  changed: z
    .array(z.object({ caseId: z.string(), firstDifference: z.string(), at: z.string().nullable() }))
    .meta({ description: "The cases whose outcome changed (the first 200), each with the first difference in words." }),
  changedCount: z.number().int(),
});
export type BacktestResult = z.infer<typeof BacktestResult>;

export const BacktestView = z.object({
  backtestId: z.string(),
  state: BacktestState,
  from: z.string(),
  to: z.string(),
  until: z.string().meta({ description: "Where virtual time stopped: `to`, or the instant the backtest started if earlier." }),
  createdAt: z.string(),
  progress: z.object({ cases: z.number().int(), done: z.number().int() }),
  result: BacktestResult.nullable(),
  error: z.string().nullable(),
  expiresAt: z.string(),
});
export type BacktestView = z.infer<typeof BacktestView>;
