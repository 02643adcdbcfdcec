/**
 * The case's side of requester lookups: which requester the case's events name now, whether
 * that person still needs looking up, and the event that records what the helpdesk said.
 *
 * Kept in the case object's `case_meta` (one object per case, so no other writer):
 * - `requester`: the newest requester the events name (`{ id, at }`, `at` = that event's time;
 *   an older event naming someone else never replaces a newer one);
 * - `contactFor`: the requester whose lookup is settled (found, or given up on);
 * - `contactRetry`: when to ask again after a failure, and how many tries so far.
 *
 * The lookup never runs on the webhook's path: the case starts it after storing the events
 * (waitUntil) and, if it has not settled, once more just before a reminder fires. What the
 * helpdesk said becomes a `case.contact_updated` event dated just after the event that named the
 * requester, so the contact takes its place in the case's history like any other fact.
 */
import { getMeta, setMeta } from "../cases/case-sql";
import type { CaseKey, NormalizedEvent } from "../events/model";
import type { RulesDocument } from "../rules/schema";
import { credentialsFor, lookUpRequester, type Fetcher } from "./lookup";

/** After this many failed tries (about an hour of backoff) the case stops asking for this requester. */
export const MAX_LOOKUP_TRIES = 6;
const BASE_BACKOFF_MS = 30_000;
const MAX_BACKOFF_MS = 30 * 60_000;

interface Wanted {
  id: string;
  at: number;
}

function readJson<T>(sql: SqlStorage, key: string): T | null {
  const raw = getMeta(sql, key);
  if (raw === null) return null;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}

/** Records the newest requester these (newly stored) events name; false when none names one (nothing read). */
export function noteRequester(sql: SqlStorage, events: readonly NormalizedEvent[]): boolean {
  if (!events.some((e) => e.requesterId !== undefined)) return false;
  let newest: Wanted | null = readJson<Wanted>(sql, "requester");
  let changed = false;
  for (const e of events) {
    if (e.requesterId === undefined) continue;
    const at = Date.parse(e.occurredAt);
    if (newest !== null && (at < newest.at || newest.id === e.requesterId)) continue;
    newest = { id: e.requesterId, at };
    changed = true;
  }
  if (changed && newest !== null) setMeta(sql, "requester", JSON.stringify(newest));
  return true;
}

/** The requester still to look up at `now`, or null (none named, settled, or backing off). */
export function requesterToLookUp(sql: SqlStorage, now: number): Wanted | null {
  const wanted = readJson<Wanted>(sql, "requester");
  if (wanted === null || getMeta(sql, "contactFor") === wanted.id) return null;
  const retry = readJson<{ id: string; at: number; tries: number }>(sql, "contactRetry");
  if (retry !== null && retry.id === wanted.id && retry.at > now) return null;
  return wanted;
}

export interface LookupContext {
  sql: SqlStorage;
  storeId: string;
  caseKey: CaseKey;
  /** The store's current rules: where its note channels (and so the credentials) are. */
  rules: () => Promise<Pick<RulesDocument, "channels">>;
  now: number;
  fetcher?: Fetcher;
}

/**
 * Asks the helpdesk about the requester the case wants, if the store gave credentials. Returns
 * the `case.contact_updated` event to store, or null (nothing to do, not found yet, or failed:
 * the failure is logged and the next try scheduled).
 */
export async function lookUpCaseRequester(ctx: LookupContext): Promise<NormalizedEvent | null> {
  const { sql, caseKey, now } = ctx;
  if (caseKey.type !== "ticket") return null;
  const wanted = requesterToLookUp(sql, now);
  if (wanted === null) return null;
  const creds = credentialsFor(await ctx.rules(), caseKey.provider);
  if (creds === null) return null;
  const result = await lookUpRequester(ctx.storeId, creds, wanted.id, now, ctx.fetcher);
  // The requester may have changed while the helpdesk answered: this answer is still about `wanted`.
  if (result.outcome === "found") {
    setMeta(sql, "contactFor", wanted.id);
    return {
      storeId: ctx.storeId,
      provider: caseKey.provider,
      providerEventId: `contact-lookup:${wanted.id}:${wanted.at}`,
      occurredAt: new Date(wanted.at + 1).toISOString(),
      caseKey,
      kind: "case.contact_updated",
      requesterId: wanted.id,
      customer: result.contact,
      body: `${creds.source.provider} requester ${wanted.id}, looked up in its API`,
    };
  }
  const prior = readJson<{ id: string; tries: number }>(sql, "contactRetry");
  const tries = (prior?.id === wanted.id ? prior.tries : 0) + (result.outcome === "blocked" ? 0 : 1);
  const error = result.outcome === "blocked" ? `the helpdesk asked to wait until ${new Date(result.until).toISOString()}` : result.error;
  if (result.outcome === "permanent" || tries >= MAX_LOOKUP_TRIES) {
    setMeta(sql, "contactFor", wanted.id);
  } else {
    const backoff = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, tries - 1));
    // The helpdesk's own Retry-After says when it will answer again; otherwise back off exponentially.
    const waitUntil = result.outcome === "blocked" ? result.until : result.outcome === "retry" && result.retryAfterSeconds !== undefined ? now + result.retryAfterSeconds * 1000 : now + backoff;
    setMeta(sql, "contactRetry", JSON.stringify({ id: wanted.id, at: waitUntil, tries }));
  }
  console.log(JSON.stringify({ msg: "case.contact_lookup_failed", store: ctx.storeId, requester: wanted.id, outcome: result.outcome, tries, error }));
  return null;
}
