/**
 * Helpers shared by provider adapters. Anything two adapters would otherwise each write lives here.
 */
import { anyConstantTimeEqual, hmacVerify, sha256Hex, utf8, type HmacHash } from "../lib/crypto";
import type { VerifyInput, VerifyResult } from "./adapter";
import { z } from "zod";
import { CaseStatus, CurrencyCode, EARLIEST_EVENT_MS, LATEST_EVENT_MS, type CaseKey, type NormalizedEvent, type OrderValue, type Priority, type ProviderId } from "../events/model";

export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * Replay window for schemes that sign a timestamp: a delivery signed more than `toleranceSeconds`
 * away from now (either direction: clocks drift) is rejected as stale even if the signature is right.
 */
export function checkReplayWindow(signedAtMs: number, now: number, toleranceSeconds: number): VerifyResult {
  if (!Number.isFinite(signedAtMs)) return { ok: false, code: "bad_signature", message: "signature timestamp is not a number" };
  if (Math.abs(now - signedAtMs) > toleranceSeconds * 1000) {
    return { ok: false, code: "stale", message: `signed timestamp is outside the ±${toleranceSeconds}s replay window` };
  }
  return { ok: true, signedAtMs };
}

/**
 * A stable event id for providers that send none: a hash of what identifies the change
 * (for example ticket id + updated_at + status), so a retry of the same change dedupes and a
 * new change does not.
 */
export async function derivedEventId(parts: (string | number | undefined | null)[]): Promise<string> {
  return `h:${(await sha256Hex(utf8(parts.map((p) => (p === undefined || p === null ? "" : String(p))).join("\u001f")))).slice(0, 32)}`;
}

/** Parses a provider timestamp (ISO string, epoch seconds or epoch ms) into ISO-8601 UTC, or null. */
export function toIsoInstant(value: string | number | undefined | null): string | null {
  if (value === undefined || value === null || value === "") return null;
  let ms: number;
  if (typeof value === "number") ms = value < 1e11 ? value * 1000 : value;
  else if (/^\d+(\.\d+)?$/.test(value)) {
    const n = Number(value);
    ms = n < 1e11 ? n * 1000 : n;
  } else ms = Date.parse(value);
  // Outside the instants a case can be about (a "0001-01-01" placeholder ETA, a garbage header) a
  // timestamp means nothing: absent, rather than a refused event or a Date that throws.
  return Number.isFinite(ms) && ms >= EARLIEST_EVENT_MS && ms < LATEST_EVENT_MS ? new Date(ms).toISOString() : null;
}

export function header(headers: Headers, name: string): string | null {
  const v = headers.get(name);
  return v === null || v.trim() === "" ? null : v.trim();
}

/**
 * True when `provided` (the decoded signature bytes) equals the HMAC of `data` under any of the
 * store's live secrets. Every secret is checked (constant-time verify, no early exit) so rotation
 * does not reveal which secret matched.
 */
export async function hmacMatchesAnySecret(
  hash: HmacHash,
  secrets: (string | Uint8Array)[],
  data: Uint8Array,
  provided: Uint8Array | null,
): Promise<boolean> {
  if (provided === null || provided.length === 0 || secrets.length === 0) return false;
  const matches = await Promise.all(secrets.map((secret) => hmacVerify(hash, secret, data, provided)));
  return matches.some(Boolean);
}

// ---------------------------------------------------------------------------------------------
// Helpdesk helpers: options every helpdesk accepts, and the vocabulary mapping they share.
// ---------------------------------------------------------------------------------------------

/**
 * Options every helpdesk adapter accepts. Helpdesks have no "callback promised" object, so the
 * store tells us which tag or custom field its agents use for one; custom statuses (Zendesk
 * custom statuses, Freshdesk "Waiting on …", Zammad states) are mapped with `statusMap`.
 */
// Strict: a misspelt option ("callbacktag") is a 400 naming it, not a silently ignored setting.
export const HelpdeskOptions = z.strictObject({
  /** A tag/label agents add when they promise a callback. */
  callbackTag: z.string().trim().min(1).max(100).optional(),
  /** A custom field (name or id) holding the promised callback time (ISO 8601 or epoch). */
  callbackField: z.string().trim().min(1).max(200).optional(),
  /** When only the tag is present, the callback is due this many minutes after the tag was added. */
  callbackWithinMinutes: z.number().int().min(1).max(60 * 24 * 90).default(120),
  /** Raw status name (case-insensitive) → support status; takes precedence over the built-in map. */
  statusMap: z.record(z.string(), CaseStatus).optional(),
  /** The helpdesk's own base URL (e.g. https://acme.zammad.com), used to build case links. */
  baseUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
});
export type HelpdeskOptions = z.infer<typeof HelpdeskOptions>;

/** Options were validated when configured; an unreadable copy falls back to the defaults rather than losing the event. */
export function readOptions<T extends z.ZodType>(schema: T, raw: Record<string, unknown>): z.infer<T> {
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : schema.parse({});
}

export function ticketCaseKey(provider: ProviderId, ticketId: string | number): CaseKey {
  return { type: "ticket", provider, ticketId: String(ticketId) };
}

/** Maps a raw status through the store's map first, then the provider's built-in vocabulary. */
export function mapStatus(raw: string | number | null | undefined, builtIn: Record<string, CaseStatus>, storeMap?: Record<string, CaseStatus>): CaseStatus | null {
  if (raw === null || raw === undefined) return null;
  const key = String(raw).trim().toLowerCase();
  if (key === "") return null;
  for (const [k, v] of Object.entries(storeMap ?? {})) if (k.trim().toLowerCase() === key) return v;
  return builtIn[key] ?? null;
}

/** Priority words and numbers helpdesks use (Freshdesk 1–4, Zammad "2 normal", Gorgias "critical"). */
export function mapPriority(raw: string | number | null | undefined): Priority | null {
  if (raw === null || raw === undefined) return null;
  const s = String(raw).trim().toLowerCase();
  if (/\burgent\b|\bcritical\b|^4$/.test(s)) return "urgent";
  if (/\bhigh\b|^3$|^priority$/.test(s)) return "high";
  if (/\bnormal\b|\bmedium\b|^2$|^not_priority$/.test(s)) return "normal";
  if (/\blow\b|^1$/.test(s)) return "low";
  return null;
}

/** Message text as plain text, capped to what the model keeps (dispute words and reminder context only). */
export function plainText(value: string | null | undefined, max = 4000): string | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value
    .replace(/<(br|\/p|\/div|\/li)\s*\/?>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/[ \t]+/g, " ")
    .replace(/\n\s*\n+/g, "\n")
    .trim();
  return text === "" ? undefined : text.slice(0, max);
}

/** Template engines render booleans as "true"/"True"/"1"; anything else is false. */
export function truthy(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  return typeof value === "string" && /^(true|yes|1)$/i.test(value.trim());
}

const CALLBACK_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|^\d{9,13}$/;

/** A callback promise found in a delivery; `key` identifies it (see `callbackPromise`). */
export interface CallbackSignal {
  at: string;
  key: string;
  note: string;
  /** The callback tag as it appears on the case, when the case carries it. */
  tag?: string;
  /** The due time comes from the tag alone (no callback time field). */
  fromTag?: boolean;
  /** The store's `callbackField` when the time came from that field. */
  field?: string;
}

/**
 * A promised callback found in the signals the store configured: the custom field's time when
 * present (an explicit promise), otherwise the tag with the default delay. `key` identifies the
 * promise so a snapshot that repeats it dedupes instead of pushing the due time later. Whenever
 * the callback tag is on the case the promise names it, so the case engine can treat removing the
 * tag as "the call was made".
 */
export function callbackPromise(
  options: Pick<HelpdeskOptions, "callbackTag" | "callbackField" | "callbackWithinMinutes">,
  signals: {
    tags?: string[];
    fields?: Record<string, unknown>;
    occurredAt: string;
    /**
     * False when the tag is only being reported, not added: providers that say when a tag was
     * added (Chatwoot's label diff) promise on that change alone, so a later snapshot still
     * carrying the tag cannot replace the promise with a later due time.
     */
    tagPromises?: boolean;
  },
): CallbackSignal | null {
  const wanted = options.callbackTag?.toLowerCase();
  const tag = wanted === undefined ? undefined : signals.tags?.find((t) => t.toLowerCase() === wanted);
  const withTag = tag === undefined ? {} : { tag };
  if (options.callbackField !== undefined && signals.fields !== undefined) {
    const field = options.callbackField.toLowerCase();
    const entry = Object.entries(signals.fields).find(([k]) => k.toLowerCase() === field);
    const raw = entry?.[1];
    if ((typeof raw === "string" || typeof raw === "number") && CALLBACK_TIME.test(String(raw).trim())) {
      const at = toIsoInstant(typeof raw === "string" ? raw.trim() : raw);
      if (at !== null) return { at, key: `field:${at}`, note: `callback time from field "${options.callbackField}"`, field: options.callbackField, ...withTag };
    }
  }
  if (tag !== undefined && wanted !== undefined && signals.tagPromises !== false) {
    // An occurredAt at the very end of the Date range plus the delay is no Date at all:
    // toISOString would throw (a 5xx), so such a delivery simply promises nothing.
    const due = Date.parse(signals.occurredAt) + options.callbackWithinMinutes * 60_000;
    if (!Number.isFinite(due) || Math.abs(due) > 8.64e15) return null;
    const at = new Date(due).toISOString();
    return { at, key: `tag:${wanted}`, note: `tag "${tag}" (due ${options.callbackWithinMinutes} min after tagging)`, tag, fromTag: true };
  }
  return null;
}

/**
 * The `case.callback_promised` event for a promise. Its id is derived from the case and the
 * promise key, so every snapshot that repeats the same promise dedupes to one event (the case
 * engine replaces an open helpdesk promise with a newer one, which would push the due time
 * later). `occurrence` is set only when the delivery itself says the tag was just added (a
 * Zendesk `tags_added`, an Intercom tag topic, a Front `tag` event, a Chatwoot label diff): a tag
 * removed and added again is then a new promise.
 *
 * A snapshot (Freshdesk, Gorgias, Help Scout, Zammad) only says the tag is there. Each snapshot's
 * tag promise is then its own event, marked `fromTag`, and the case engine, which sees the whole
 * history, tells a restated promise (an open one with that tag exists) from a new one (the tag
 * was removed and added again). Deriving one id per tag instead made a re-added tag a duplicate
 * of the first promise, which was already done: the second callback was never reminded.
 */
export async function callbackPromisedEvent(
  base: EventBase,
  caseRef: string,
  promise: CallbackSignal,
  extra: { phone?: string | null; occurrence?: string } = {},
): Promise<NormalizedEvent> {
  const snapshot = promise.fromTag === true && extra.occurrence === undefined;
  const id = await derivedEventId([base.provider, caseRef, "callback", promise.key, snapshot ? `snapshot@${base.occurredAt}` : extra.occurrence]);
  const callback: NonNullable<NormalizedEvent["callback"]> = { at: promise.at, note: promise.note };
  if (snapshot) callback.fromTag = true;
  const phone = nonEmpty(extra.phone);
  if (phone !== undefined) callback.phone = phone;
  if (promise.tag !== undefined) callback.tag = promise.tag;
  if (promise.field !== undefined) callback.field = promise.field;
  return makeEvent(base, "case.callback_promised", id, { callback });
}

/**
 * True when the delivery shows the store's callback field present and empty: the agent cleared
 * the promise in the helpdesk. A field the delivery does not carry (undefined) says nothing, and
 * neither does a template placeholder that was not rendered.
 */
export function callbackFieldCleared(options: Pick<HelpdeskOptions, "callbackField">, fields: Record<string, unknown> | undefined): boolean {
  if (options.callbackField === undefined || fields === undefined) return false;
  const wanted = options.callbackField.toLowerCase();
  const entry = Object.entries(fields).find(([k]) => k.toLowerCase() === wanted);
  if (entry === undefined) return false;
  const raw = entry[1];
  if (raw === null) return true;
  return typeof raw === "string" && raw.trim() === "";
}

/**
 * The `case.callback_done` for a cleared callback field: it closes the open promise that field
 * made (the case ignores it when there is none). `occurrence` identifies the change (a Zendesk
 * event id; for a snapshot the ticket's update time), so a repeated snapshot dedupes.
 */
export async function callbackClearedEvent(base: EventBase, caseRef: string, field: string, occurrence: string): Promise<NormalizedEvent> {
  const id = await derivedEventId([base.provider, caseRef, "callback-cleared", field.toLowerCase(), occurrence]);
  return makeEvent(base, "case.callback_done", id, { callback: { field, note: `field "${field}" cleared in the helpdesk` } });
}

/** Fields every event from one delivery shares; `make` adds the kind-specific ones. */
export type EventBase = Omit<NormalizedEvent, "kind" | "providerEventId">;

export function makeEvent(base: EventBase, kind: NormalizedEvent["kind"], providerEventId: string, extra: Partial<NormalizedEvent> = {}): NormalizedEvent {
  const event: NormalizedEvent = { ...base, ...extra, kind, providerEventId };
  for (const k of Object.keys(event) as (keyof NormalizedEvent)[]) if (event[k] === undefined) delete event[k];
  return event;
}

/** Drops undefined and empty-string values so optional model fields stay absent rather than "". */
export function nonEmpty(value: string | number | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const s = String(value).trim();
  return s === "" ? undefined : s;
}

/** Customer contact with only the parts the source had; undefined when it had none. */
export function contact(email?: string | null, phone?: string | null, name?: string | null): NormalizedEvent["customer"] {
  const out: NonNullable<NormalizedEvent["customer"]> = {};
  const e = nonEmpty(email);
  const p = nonEmpty(phone);
  const n = nonEmpty(name);
  if (e) out.email = e;
  if (p) out.phone = p;
  if (n) out.name = n;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Providers that sign nothing (Freshdesk, Gorgias) send a shared token the store chose: in a
 * header (default `X-Promptly-Token`) or `?token=`. The configured secrets are the tokens, so
 * rotation works the same way as for signatures.
 */
export const SHARED_TOKEN_HEADER = "X-Promptly-Token";
export const TokenOptions = z.strictObject({
  tokenHeader: z.string().regex(/^[A-Za-z0-9-]{1,64}$/).default(SHARED_TOKEN_HEADER),
});

export async function verifySharedToken(input: Pick<VerifyInput, "headers" | "url" | "config">, tokenHeader: string): Promise<VerifyResult> {
  const provided = header(input.headers, tokenHeader) ?? nonEmpty(input.url.searchParams.get("token"));
  if (provided === undefined || provided === null) return { ok: false, code: "bad_signature", message: `missing ${tokenHeader} header or ?token= parameter` };
  if (!(await anyConstantTimeEqual(utf8(provided), input.config.secrets.map((s) => utf8(s))))) {
    return { ok: false, code: "bad_signature", message: "the shared token does not match any configured secret" };
  }
  return { ok: true };
}

/** A template pasted into a test tool arrives with its `{{placeholders}}` unrendered. */
export function hasUnrenderedPlaceholder(value: string | undefined | null): boolean {
  return typeof value === "string" && /\{\{.*\}\}/.test(value);
}

// ── Admin-templated providers (Freshdesk, Gorgias): fields rendered as text ─────────────────────

/**
 * A templated tag field (Freshdesk `ticket_tags`, Gorgias `tags`) as a list. A field the template has but rendered empty means the
 * ticket has no tags (`[]`), which is how the case engine learns that a callback tag was removed;
 * only a template without the field says nothing about tags (`undefined`).
 */
export function splitTags(raw: string | null | undefined): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  return raw
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
}

/**
 * An order value from template text: a plain amount ("199", "1299.50", as Shopify's `total_price`
 * and Freshdesk number fields render) and an optional ISO currency. Anything else (a formatted
 * "1.299,50 €", an unrendered placeholder) is an unknown value, not a refused delivery: the rest
 * of the ticket update still counts, and a policy on order value simply does not match.
 */
export function orderValueFromText(amount: string | null | undefined, currency: string | null | undefined): OrderValue | undefined {
  const text = nonEmpty(amount);
  const value = text !== undefined && /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value)) return undefined;
  const code = nonEmpty(currency)?.toUpperCase();
  return { amount: value, ...(CurrencyCode.safeParse(code).success ? { currency: code } : {}) };
}

/** A tag list from template text; a list still showing its placeholder says nothing. */
export function tagsFromText(raw: string | null | undefined): string[] | undefined {
  return hasUnrenderedPlaceholder(raw) ? undefined : splitTags(raw);
}
