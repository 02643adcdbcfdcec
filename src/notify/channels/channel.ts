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
  /** The first few KB of the answer: only a short error code from it is ever recorded (describeAnswer). */
  body: string;
}

export type Failure = { outcome: "retry"; error: string; retryAfterSeconds?: number } | { outcome: "permanent"; error: string };
/** `receipt`: what the channel's API said identifies the posted message (a Slack app's channel + ts), kept on the delivery. */
export type Classification = { outcome: "delivered"; receipt?: string | undefined } | Failure;

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

/** The helpdesk whose tickets a note channel posts on. */
export interface NoteTarget {
  /** The provider id a reminder's `ticket.provider` must have. */
  provider: string;
  /** How people call it: "Zendesk". */
  name: string;
}

export interface ChannelAdapter<C extends NotificationChannel = NotificationChannel> {
  type: C["type"];
  /**
   * Helpdesk note channels: the helpdesk whose tickets they post on. A note lands on a ticket, so
   * a reminder without one of that helpdesk does not apply to the channel, and notices (which
   * belong on no ticket) are not sent to it. Null for Slack and webhooks, which take anything.
   */
  notesOn: NoteTarget | null;
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

/**
 * A short error code from the answer, never the answer itself: what a receiver says is shown to
 * the store's admins (GET /deliveries), and a channel pointed at an internal service must not
 * turn that into a way to read it. Only a lower-case code (Slack's `channel_is_archived`, an
 * OAuth `invalid_client`), as the whole body or a JSON `error` / `code` field, is kept.
 */
function reasonCode(body: string): string | null {
  const code = (v: unknown) => (typeof v === "string" && /^[a-z][a-z0-9_]{1,39}$/.test(v.trim()) ? v.trim() : null);
  const whole = code(body);
  if (whole !== null) return whole;
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed === "object" && parsed !== null) {
      const o = parsed as Record<string, unknown>;
      return code(o.error) ?? code(o.code);
    }
  } catch {
    // not JSON: no code
  }
  return null;
}

export function describeAnswer(answer: HttpAnswer): string {
  const reason = reasonCode(answer.body);
  return reason ? `HTTP ${answer.status}: ${reason}` : `HTTP ${answer.status}`;
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

/**
 * Why a note channel cannot take this reminder, or null when it can. A note goes on a ticket of
 * the channel's own helpdesk: the case's ticket, or for a shipment the customer's open ticket the
 * case index found. A shipment with no such ticket, or a ticket of another helpdesk (or of the
 * `custom` provider), has nowhere to put the note: that is not the channel failing, it is the
 * reminder not applying to it. Decided once at dispatch (src/notify/plan.ts), and again when a
 * note is built, for the rare delivery whose channel changed type in between.
 */
export function noteMismatch(reminder: Pick<Reminder, "caseId" | "ticket" | "source">, target: NoteTarget): string | null {
  const ticket = reminder.ticket;
  const lead = `${target.name} note channel: this case is not a ${target.name} ticket`;
  if (!ticket) {
    return reminder.source?.trackingNumber !== undefined
      ? `${lead} (it is a shipment, and no open ticket of the same order or customer was found to note it on)`
      : `${lead} (the reminder names no helpdesk ticket)`;
  }
  if (ticket.provider === target.provider) return null;
  const whose = ticket.caseId === reminder.caseId ? "it is" : "its linked ticket is";
  return `${lead} (${whose} ${ticket.provider} ticket #${ticket.ticketId})`;
}

/** Thrown while building a note that does not apply to this reminder: recorded `skipped`, never a channel failure. */
export class NotApplicable extends Error {}

/** The helpdesk ticket a note goes on, checked against the channel's helpdesk. */
export function ticketFor(out: Outbound, target: NoteTarget): { ticketId: string; reminders: Reminder[] } {
  if (out.kind === "notice") throw new NotApplicable(`${target.name} note channel: a channel notice belongs on no ticket`);
  const reminders = out.kind === "reminder" ? [out.reminder] : out.reminders;
  // A digest for a note channel groups the reminders of one ticket, so the first speaks for all.
  const first = reminders[0];
  if (!first) throw new NotApplicable(`${target.name} note channel: this digest carries no reminder`);
  const mismatch = noteMismatch(first, target);
  if (mismatch !== null) throw new NotApplicable(mismatch);
  return { ticketId: first.ticket!.ticketId, reminders };
}
