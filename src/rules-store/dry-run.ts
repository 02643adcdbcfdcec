/**
 * `POST /rules/dry-run`: a draft (or the current) rules document plus a sequence of events →
 * what the case engine would do, in virtual time, without touching any state.
 *
 * Events are normalized events, or raw provider payloads normalized by that provider's adapter
 * exactly as intake does (schema, then normalize, with the store's provider options), but
 * WITHOUT a signature check: nothing here is stored or acted on, and an admin pastes payloads
 * from the helpdesk's logs, which carry no signature. The only reads are the current rules and
 * the store's provider options; nothing is written anywhere.
 */
import { z } from "zod";
import { LANGUAGES } from "../i18n";
import { simulateCases, type SimulationResult } from "../cases/simulate";
import { NormalizedEvent, ProviderId } from "../events/model";
import { ApiError, formatPath, issuesFromZod, type ErrorIssue } from "../http/errors";
import type { RulesDocument } from "../rules/schema";
import { checkRules } from "../rules/validate";
import type { DestinationPolicy } from "../notify/destinations";
import { adapterFor } from "../webhooks/registry";
import type { ProviderConfig } from "../webhooks/adapter";
import type { StoredRules } from "./versions";

export const MAX_DRY_RUN_EVENTS = 200;
/** A real case's own history (`caseId`): its whole log, up to this many events. */
export const MAX_CASE_DRY_RUN_EVENTS = 5_000;
/** How far past the first event a dry-run may look: enough for any real target, bounded CPU. */
export const MAX_HORIZON_MS = 90 * 86_400_000;

const isoInstant = z.iso.datetime({ offset: true });

export const RawProviderEvent = z.strictObject({
  provider: ProviderId,
  /** The webhook body as the provider sends it. */
  payload: z.unknown(),
  /** Request headers some adapters read (event type headers, for example). */
  headers: z.record(z.string(), z.string()).optional(),
  /** When it happened: replaces the payload's own timestamps, so a real payload can be placed anywhere on the timeline. */
  at: isoInstant.optional(),
});

export interface PreparedInput {
  index: number;
  /** How many normalized events this input became (a raw payload can carry several). */
  events: number;
  /** Why a raw payload produced nothing (a ping, an event type Promptly does not use). */
  ignored?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Turns the request's event list into normalized events, collecting every problem with its path
 * (`events[3].payload.ticket.id`) instead of stopping at the first.
 */
export async function prepareEvents(
  storeId: string,
  inputs: unknown[],
  optionsFor: (provider: ProviderId) => Promise<Record<string, unknown> | null>,
): Promise<{ events: NormalizedEvent[]; inputs: PreparedInput[]; issues: ErrorIssue[] }> {
  const events: NormalizedEvent[] = [];
  const prepared: PreparedInput[] = [];
  const issues: ErrorIssue[] = [];
  for (const [index, item] of inputs.entries()) {
    const path = ["events", index];
    if (isObj(item) && "payload" in item) {
      const raw = RawProviderEvent.safeParse(item);
      if (!raw.success) {
        issues.push(...issuesFromZod(raw.error, path));
        continue;
      }
      const adapter = adapterFor(raw.data.provider)!;
      const payload = adapter.schema.safeParse(raw.data.payload);
      if (!payload.success) {
        issues.push(...issuesFromZod(payload.error, [...path, "payload"]));
        continue;
      }
      const stored = await optionsFor(adapter.id);
      const options = stored ?? adapter.optionsSchema.safeParse({}).data ?? {};
      const config: ProviderConfig = { secrets: [], toleranceSeconds: 300, options };
      const at = raw.data.at === undefined ? undefined : Date.parse(raw.data.at);
      let result;
      try {
        result = await adapter.normalize({
          storeId,
          payload: payload.data,
          headers: new Headers(raw.data.headers ?? {}),
          rawBody: new TextEncoder().encode(JSON.stringify(raw.data.payload)),
          config,
          receivedAt: at ?? Date.now(),
        });
      } catch (err) {
        // Adapters validate header-dependent parts while normalizing: report those at their paths.
        if (err instanceof z.ZodError) issues.push(...issuesFromZod(err, [...path, "payload"]));
        else issues.push({ path: formatPath([...path, "payload"]), message: `${adapter.title} payload could not be normalized: ${err instanceof Error ? err.message : String(err)}` });
        continue;
      }
      if (result.type !== "events") {
        prepared.push({ index, events: 0, ignored: result.type === "ping" ? `${adapter.title} test ping` : result.reason });
        continue;
      }
      let count = 0;
      for (const [j, e] of result.events.entries()) {
        const checked = NormalizedEvent.safeParse({ ...e, storeId, provider: adapter.id, ...(raw.data.at ? { occurredAt: raw.data.at } : {}) });
        if (!checked.success) issues.push(...issuesFromZod(checked.error, [...path, "payload", `(normalized event ${j})`]));
        else {
          events.push(checked.data);
          count++;
        }
      }
      prepared.push({ index, events: count, ...(count === 0 ? { ignored: "no events" } : {}) });
    } else {
      // The path's store wins: a dry-run can never speak about another store's cases.
      const checked = NormalizedEvent.safeParse(isObj(item) ? { ...item, storeId } : item);
      if (!checked.success) {
        issues.push(...issuesFromZod(checked.error, path));
        continue;
      }
      events.push(checked.data);
      prepared.push({ index, events: 1 });
    }
  }
  return { events, inputs: prepared, issues };
}

export interface DryRunRequest {
  storeId: string;
  rules?: unknown;
  events: unknown[];
  /** Default MAX_DRY_RUN_EVENTS (events in the request); a case's own log may hold more. */
  maxEvents?: number;
  until?: string | undefined;
  current: StoredRules;
  optionsFor: (provider: ProviderId) => Promise<Record<string, unknown> | null>;
  /** The deployment's loopback allowance for channel destinations (see src/notify/destinations.ts). */
  destinations?: DestinationPolicy | undefined;
}

export interface DryRunAnswer extends SimulationResult {
  rules: { source: "draft" | "current"; version: number };
  inputs: PreparedInput[];
}

/** Validates everything (rules draft and every event), then simulates. Throws 400 listing every problem. */
export async function dryRun(req: DryRunRequest): Promise<DryRunAnswer> {
  const issues: ErrorIssue[] = [];
  let document: RulesDocument = req.current.document;
  if (req.rules !== undefined) {
    const checked = checkRules(req.rules, ["rules"], req.destinations);
    if (checked.ok) document = checked.document;
    else issues.push(...checked.issues);
  }
  const max = req.maxEvents ?? MAX_DRY_RUN_EVENTS;
  if (req.events.length > max) issues.push({ path: "events", message: `at most ${max} events per dry-run` });
  const prepared = await prepareEvents(req.storeId, req.events.slice(0, max), req.optionsFor);
  issues.push(...prepared.issues);
  if (issues.length === 0 && prepared.events.length === 0) issues.push({ path: "events", message: "none of the events is one Promptly acts on, so there is nothing to simulate" });

  let until: number | undefined;
  if (req.until !== undefined && prepared.events.length > 0) {
    until = Date.parse(req.until);
    const first = Math.min(...prepared.events.map((e) => Date.parse(e.occurredAt)));
    if (until < first) issues.push({ path: "until", message: "until is before the first event" });
    else if (until - first > MAX_HORIZON_MS) issues.push({ path: "until", message: "a dry-run looks at most 90 days past the first event" });
  }
  if (issues.length > 0) throw new ApiError(400, "validation_failed", `the dry-run request has ${issues.length} problem(s)`, issues);

  // A draft is shown as the version it would become if saved now.
  const version = req.rules === undefined ? req.current.version : req.current.version + 1;
  const result = simulateCases({ storeId: req.storeId, rules: document, rulesVersion: version, events: prepared.events, ...(until === undefined ? {} : { until }) });
  return { rules: { source: req.rules === undefined ? "current" : "draft", version }, inputs: prepared.inputs, ...result };
}

// ── The answer's schema, for OpenAPI. The compile-time check below keeps it in step with the
// case engine's SimulationResult: if the engine's output changes shape, typecheck fails here.

const Instant = z.string().meta({ description: "ISO 8601 instant (UTC)." });
const PolicyRef = z.object({ name: z.string(), index: z.number().int() }).nullable();

export const DryRunResult = z.object({
  rules: z.object({
    source: z.enum(["draft", "current"]),
    version: z.number().int().meta({ description: "The current version, or for a draft the version it would become if saved now." }),
  }),
  inputs: z.array(z.object({ index: z.number().int(), events: z.number().int(), ignored: z.string().optional() })).meta({
    description: "Per request event: how many normalized events it became, or why it was ignored.",
  }),
  until: Instant.meta({ description: "Where the simulation stopped (default 14 days after the last event)." }),
  cases: z.array(
    z.object({
      caseId: z.string(),
      policy: PolicyRef.meta({ description: "The policy in force at the end (first match wins); null when none matches." }),
      policyChanges: z.array(z.object({ at: Instant, policy: PolicyRef })),
      clocks: z.array(
        z.object({
          metric: z.string(),
          status: z.string(),
          startedAt: Instant,
          dueAt: Instant.nullable(),
          targetMs: z.number(),
          usedMs: z.number(),
          remainingMs: z.number(),
          breachedAt: Instant.nullable(),
          fulfilledAt: Instant.nullable(),
          wakeups: z.array(z.object({ kind: z.string(), level: z.number().int(), at: Instant })).meta({ description: "Warnings, the due instant and escalations of this clock." }),
        }),
      ),
      metricEvents: z.array(z.object({ metric: z.string(), type: z.string(), at: Instant })),
      pending: z.array(z.object({ key: z.string(), kind: z.string(), dueAt: Instant, why: z.string() })).meta({ description: "Timers still waiting when the simulation stopped." }),
    }),
  ),
  reminders: z
    .array(
      z.object({
        at: Instant,
        caseId: z.string(),
        kind: z.string(),
        urgency: z.enum(["urgent", "normal"]),
        title: z.string(),
        nextAction: z.string(),
        details: z.array(z.string()),
        dueAt: z.string(),
        channels: z.array(z.string()),
        rule: z.object({ name: z.string(), version: z.number().int(), path: z.string().optional() }).meta({ description: "The rule that caused it, with its path in the document." }),
        reminderId: z.string(),
        language: z.enum(LANGUAGES).meta({ description: "The language of `title`, `nextAction` and `details`: the store's." }),
        byChannel: z
          .array(z.object({ channel: z.string(), language: z.enum(LANGUAGES), title: z.string(), nextAction: z.string(), details: z.array(z.string()) }))
          .meta({ description: "What each of the reminder's channels would read, in that channel's language." }),
      }),
    )
    .meta({ description: "Every reminder that would fire, in time order." }),
  truncated: z.boolean().meta({ description: "True when the simulation stopped at 500 reminders." }),
});

type Assignable<T extends U, U> = T;
export type _DryRunMatchesEngine = Assignable<DryRunAnswer, z.infer<typeof DryRunResult>>;
