/**
 * The thin edge of requester lookups: finds the store's credentials for the helpdesk, asks its
 * API once, and remembers both the answer and the helpdesk's "slow down".
 *
 * - Cache: an answer is kept in the isolate for 15 minutes per store, helpdesk account and
 *   requester, so several cases of one customer (or one case's object waking again) cost one
 *   request.
 * - Rate limits: a 429 blocks every lookup on that helpdesk account in this isolate until its
 *   `Retry-After` has passed; the case then tries again later (see ./requester.ts), and its
 *   reminders go out with what is known meanwhile.
 */
import type { ProviderId } from "../events/model";
import { ChannelFailure, type HttpAnswer } from "../notify/channels/channel";
import type { NotificationChannel, RulesDocument } from "../rules/schema";
import { gorgiasContacts } from "./gorgias";
import { helpscoutContacts } from "./helpscout";
import { readAnswer, type Contact, type ContactSource, type LookupAnswer } from "./source";
import { zendeskContacts } from "./zendesk";

const SOURCES: ContactSource[] = [zendeskContacts, gorgiasContacts, helpscoutContacts].map((s) => s as unknown as ContactSource);

export const CONTACT_CACHE_MS = 15 * 60_000;
const CACHE_MAX = 1000;
/** The lookup is a nicety: a helpdesk that does not answer in this time is asked again later. */
export const LOOKUP_TIMEOUT_MS = 5000;
/** When a 429 names no Retry-After. */
const DEFAULT_BLOCK_SECONDS = 60;

const cache = new Map<string, { contact: Contact; at: number }>();
const blockedUntil = new Map<string, number>();

/** The helpdesks whose requesters can be looked up. */
export function lookupProviders(): ProviderId[] {
  return SOURCES.map((s) => s.provider);
}

/** The store's first note channel for this helpdesk: its credentials and base URL are the lookup's. */
export function credentialsFor(doc: Pick<RulesDocument, "channels">, provider: ProviderId): { source: ContactSource; config: NotificationChannel } | null {
  const source = SOURCES.find((s) => s.provider === provider);
  if (!source) return null;
  const config = Object.values(doc.channels).find((c) => c.type === source.channelType);
  return config ? { source, config } : null;
}

export type LookupResult = LookupAnswer | { outcome: "blocked"; until: number };

export type Fetcher = (url: string, init: RequestInit) => Promise<HttpAnswer>;

/** Global fetch with a timeout, read into the shape channels use. */
export const fetchAnswer: Fetcher = async (url, init) => {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS) });
  const body = (await res.text()).slice(0, 16_384);
  return { status: res.status, headers: res.headers, body };
};

/**
 * `storeId` scopes the cache: another store pointing a channel at the same helpdesk account (with
 * credentials that may not be allowed to read that person) must not be answered from this one's.
 */
export async function lookUpRequester(
  storeId: string,
  creds: { source: ContactSource; config: NotificationChannel },
  requesterId: string,
  now: number,
  fetcher: Fetcher = fetchAnswer,
): Promise<LookupResult> {
  const request = creds.source.request(creds.config, requesterId);
  // The helpdesk's rate limit is the account's, whoever asks: a 429 holds every store's lookups on it.
  const account = `${creds.source.provider}|${new URL(request.url).origin}|${"baseUrl" in creds.config ? creds.config.baseUrl : ""}`;
  const key = `${storeId}|${account}|${requesterId}`;
  const cached = cache.get(key);
  if (cached && now - cached.at < CONTACT_CACHE_MS) return { outcome: "found", contact: cached.contact };
  const until = blockedUntil.get(account);
  if (until !== undefined && until > now) return { outcome: "blocked", until };
  let answer: LookupAnswer;
  try {
    const auth = creds.source.authorize ? await creds.source.authorize(creds.config, { now, channel: "requester lookup", fetch: fetcher }) : {};
    answer = readAnswer(creds.source, await fetcher(request.url, { method: "GET", headers: { ...request.headers, ...auth } }), now);
    if (answer.outcome === "permanent" && answer.error.startsWith("HTTP 401") && creds.source.rejected) {
      // A revoked or expired token: forget it and ask again later with a fresh one.
      creds.source.rejected(creds.config);
      answer = { outcome: "retry", error: answer.error };
    }
  } catch (err) {
    answer = err instanceof ChannelFailure ? err.failure : { outcome: "retry", error: err instanceof Error ? err.message : String(err) };
  }
  if (answer.outcome === "found") {
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(key, { contact: answer.contact, at: now });
  } else if (answer.outcome === "retry" && (answer.retryAfterSeconds !== undefined || answer.error.startsWith("HTTP 429"))) {
    blockedUntil.set(account, now + (answer.retryAfterSeconds ?? DEFAULT_BLOCK_SECONDS) * 1000);
  }
  return answer;
}
