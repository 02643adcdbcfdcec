/**
 * Requester lookups: what a helpdesk's API says about the person behind a ticket, for helpdesks
 * whose webhooks name the requester but not how to reach them (Zendesk sends only
 * `requester_id`; Gorgias' template has no phone). Each helpdesk file here is pure: it builds the
 * one GET request from the credentials the store already gave its note channel, and maps the
 * answer to a contact. The fetch, the cache and the rate-limit backoff are in ./lookup.ts.
 */
import type { ProviderId } from "../events/model";
import { parseRetryAfter, describeAnswer, type ChannelContext, type HttpAnswer } from "../notify/channels/channel";
import type { ChannelType, NotificationChannel } from "../rules/schema";

export interface Contact {
  name?: string;
  email?: string;
  phone?: string;
}

export interface ContactRequest {
  url: string;
  headers: Record<string, string>;
}

export type LookupAnswer =
  | { outcome: "found"; contact: Contact }
  /** Worth asking again later: 429, 5xx, a timeout; `retryAfterSeconds` from the helpdesk when it said. */
  | { outcome: "retry"; error: string; retryAfterSeconds?: number }
  /** Asking again cannot help: the person is gone, the credentials are wrong. */
  | { outcome: "permanent"; error: string };

export interface ContactSource<C extends NotificationChannel = NotificationChannel> {
  provider: ProviderId;
  /** The note channel whose credentials (base URL included) the lookup borrows. */
  channelType: C["type"] & ChannelType;
  request(config: C, requesterId: string): ContactRequest;
  /** Headers that need a request of their own first (Help Scout's OAuth token); may throw ChannelFailure. */
  authorize?(config: C, ctx: ChannelContext): Promise<Record<string, string>>;
  /** Called when the helpdesk refused the credentials (401), so a cached token is not reused. */
  rejected?(config: C): void;
  /** Maps a 2xx body; null when it names nobody. */
  contactOf(body: unknown): Contact | null;
}

/** The shared reading of an answer: 2xx parsed, 429/408/5xx retried (Retry-After), any other status permanent. */
export function readAnswer(source: Pick<ContactSource, "contactOf">, answer: HttpAnswer, now: number): LookupAnswer {
  const { status } = answer;
  if (status >= 200 && status < 300) {
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      return { outcome: "retry", error: `HTTP ${status}: the answer is not JSON` };
    }
    const contact = source.contactOf(body);
    return contact === null ? { outcome: "permanent", error: `HTTP ${status}: the answer names no person` } : { outcome: "found", contact };
  }
  if (status === 429 || status === 408 || status >= 500) {
    const retryAfterSeconds = parseRetryAfter(answer.headers.get("retry-after"), now);
    return { outcome: "retry", error: describeAnswer(answer), ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };
  }
  return { outcome: "permanent", error: describeAnswer(answer) };
}

/** What a contact part may take in a reminder; a longer value from an API is cut, not refused. */
const MAX_LENGTH = { name: 200, email: 320, phone: 64 } as const;

/** Only the parts that are non-empty text; null when none is. */
export function contactFrom(parts: { name?: unknown; email?: unknown; phone?: unknown }): Contact | null {
  const out: Contact = {};
  for (const key of ["name", "email", "phone"] as const) {
    const v = parts[key];
    if (typeof v === "string" && v.trim() !== "") out[key] = v.trim().slice(0, MAX_LENGTH[key]);
  }
  return Object.keys(out).length > 0 ? out : null;
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
