/**
 * The shape every channel has: build one HTTP request from a delivery and the channel's config,
 * then classify the answer. Channels are pure (no Workers APIs, no env): the consumer does the
 * fetch, the timeout and the bookkeeping, so each channel file is only about its API's facts.
 */
import type { NotificationChannel } from "../../rules/schema";
import type { Outbound } from "../messages";
import type { Reminder } from "../reminder";

export interface OutboundRequest {
  url: string;
  method: "POST" | "PUT";
  headers: Record<string, string>;
  body: string;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** The first few KB of the answer, for the error message. */
  body: string;
}

export type Failure = { outcome: "retry"; error: string; retryAfterSeconds?: number } | { outcome: "permanent"; error: string };
export type Classification = { outcome: "delivered" } | Failure;

/** Thrown while building a request (bad config, no ticket, a token request that failed). */
export class ChannelFailure extends Error {
  constructor(
    readonly failure: Failure,
    readonly status: number | null = null,
  ) {
    super(failure.error);
  }
}

export interface ChannelContext {
  now: number;
  /** The channel's name in the rules document. */
  channel: string;
  /** The consumer's fetch, with the same timeout, for channels that need a preliminary request. */
  fetch: (url: string, init: RequestInit) => Promise<HttpAnswer>;
}

export interface ChannelAdapter<C extends NotificationChannel = NotificationChannel> {
  type: C["type"];
  /** Helpdesk notes land on a ticket: notices (which have none) are not sent to them. */
  needsTicket: boolean;
  build(out: Outbound, config: C, ctx: ChannelContext): Promise<OutboundRequest>;
  classify(answer: HttpAnswer, config: C): Classification;
}

export const USER_AGENT = "Promptly-Reminders/1 (+https://github.com/promptly)";

/**
 * Headers on every request: the idempotency key (honoured as such by Zendesk's ticketing API and
 * by receivers that follow the common `Idempotency-Key` convention; for the others it is the
 * handle a receiver or a support engineer uses to spot a duplicate) and the per-channel
 * delivery id.
 */
export function commonHeaders(out: Outbound): Record<string, string> {
  return {
    "content-type": "application/json",
    "user-agent": USER_AGENT,
    "idempotency-key": out.key,
    "x-promptly-delivery-id": out.deliveryId,
  };
}

/** `base` may carry a path (a proxy, a test receiver): appended to, never replaced. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, "") + path;
}

export function basicAuth(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return `Basic ${btoa(bin)}`;
}

/** `Retry-After` as seconds from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  if (!Number.isFinite(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

function snippet(body: string): string {
  const s = body.replace(/\s+/g, " ").trim();
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

export function describeAnswer(answer: HttpAnswer): string {
  const body = snippet(answer.body);
  return body ? `HTTP ${answer.status}: ${body}` : `HTTP ${answer.status}`;
}

/**
 * The shared rule: 2xx delivered; 429, 408 and 5xx are worth retrying (honouring `Retry-After`);
 * a redirect or any other 4xx means the request itself is wrong (bad URL, credentials, ticket),
 * so retrying cannot help and the delivery is dead until someone fixes the channel and retries it.
 */
export function classifyHttp(answer: HttpAnswer, now = Date.now()): Classification {
  const { status } = answer;
  if (status >= 200 && status < 300) return { outcome: "delivered" };
  if (status === 429 || status === 408 || status >= 500) {
    const retryAfterSeconds = parseRetryAfter(answer.headers.get("retry-after"), now);
    return { outcome: "retry", error: describeAnswer(answer), ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };
  }
  if (status >= 300 && status < 400) {
    return { outcome: "permanent", error: `${describeAnswer(answer)} (redirected to ${answer.headers.get("location") ?? "?"}; Promptly does not follow redirects: put the final URL in the channel)` };
  }
  return { outcome: "permanent", error: describeAnswer(answer) };
}

/** The helpdesk ticket a note goes on, checked against the channel's helpdesk. */
export function ticketFor(out: Outbound, provider: string, channelLabel: string): { ticketId: string; reminders: Reminder[] } {
  const reminders = out.kind === "reminder" ? [out.reminder] : out.kind === "digest" ? out.reminders : [];
  const ticket = reminders[0]?.ticket;
  if (out.kind === "notice" || !ticket) {
    throw new ChannelFailure({ outcome: "permanent", error: `${channelLabel} posts internal notes on a ticket, and this ${out.kind} names no helpdesk ticket` });
  }
  if (ticket.provider !== provider) {
    throw new ChannelFailure({
      outcome: "permanent",
      error: `${channelLabel} posts to ${provider}, but the reminder's ticket ${ticket.ticketId} is a ${ticket.provider} ticket`,
    });
  }
  return { ticketId: ticket.ticketId, reminders };
}
