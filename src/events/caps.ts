/**
 * Customer-controlled strings are capped when an event is taken in. A subject, a name or a tag
 * list comes from whoever writes to the store, and it is stored with the case, copied into the
 * store's case index and answered in every case list: 80 tickets with 300 KB subjects once made
 * one case-list page 24 MB. What is cut ends in "…" and is named in the event's `truncated`
 * list, so a view can say that the text is not whole (the helpdesk still has all of it).
 */
import type { NormalizedEvent } from "./model";

export const TEXT_CAPS = {
  subject: 500,
  customerName: 200,
  customerEmail: 320,
  customerPhone: 64,
  /** Assignee, group, raw status: labels from the helpdesk. */
  label: 200,
  url: 2000,
  /** Callback notes, rating comments, carrier reasons and locations. */
  note: 1000,
  /** Message text (dispute-word detection and reminder context only). */
  body: 4000,
  tag: 100,
  tags: 100,
} as const;

const ELLIPSIS = "…";

/** `s` cut to at most `max` UTF-16 units, ending in "…", without splitting a surrogate pair. */
export function cutText(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max - ELLIPSIS.length;
  const code = s.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return s.slice(0, end) + ELLIPSIS;
}

/**
 * The event with every customer-controlled string within its cap; `truncated` lists the fields
 * that were cut (dotted paths, e.g. "subject", "customer.name", "tags"). Values that are not
 * strings are left for validation to refuse.
 */
export function capEventText(e: NormalizedEvent): NormalizedEvent {
  const cut: string[] = [];
  const text = (v: unknown, max: number, field: string): unknown => {
    if (typeof v !== "string" || v.length <= max) return v;
    cut.push(field);
    return cutText(v, max);
  };
  const list = (v: unknown, field: string): unknown => {
    if (!Array.isArray(v)) return v;
    let changed = v.length > TEXT_CAPS.tags;
    const kept = v.slice(0, TEXT_CAPS.tags).map((t) => {
      if (typeof t !== "string" || t.length <= TEXT_CAPS.tag) return t;
      changed = true;
      return cutText(t, TEXT_CAPS.tag);
    });
    if (changed) cut.push(field);
    return kept;
  };
  const out: Record<string, unknown> = { ...e };
  const set = (key: string, value: unknown) => {
    if (value !== undefined) out[key] = value;
  };
  set("subject", text(e.subject, TEXT_CAPS.subject, "subject"));
  set("url", text(e.url, TEXT_CAPS.url, "url"));
  set("rawStatus", text(e.rawStatus, TEXT_CAPS.label, "rawStatus"));
  set("assignee", text(e.assignee, TEXT_CAPS.label, "assignee"));
  set("group", text(e.group, TEXT_CAPS.label, "group"));
  set("body", text(e.body, TEXT_CAPS.body, "body"));
  set("tags", list(e.tags, "tags"));
  set("customerTags", list(e.customerTags, "customerTags"));
  if (e.customer && typeof e.customer === "object") {
    out.customer = {
      ...e.customer,
      ...defined("email", text(e.customer.email, TEXT_CAPS.customerEmail, "customer.email")),
      ...defined("phone", text(e.customer.phone, TEXT_CAPS.customerPhone, "customer.phone")),
      ...defined("name", text(e.customer.name, TEXT_CAPS.customerName, "customer.name")),
    };
  }
  if (e.rating && typeof e.rating === "object") out.rating = { ...e.rating, ...defined("comment", text(e.rating.comment, TEXT_CAPS.note, "rating.comment")) };
  if (e.callback && typeof e.callback === "object") {
    out.callback = {
      ...e.callback,
      ...defined("note", text(e.callback.note, TEXT_CAPS.note, "callback.note")),
      ...defined("owner", text(e.callback.owner, TEXT_CAPS.label, "callback.owner")),
      ...defined("phone", text(e.callback.phone, TEXT_CAPS.customerPhone, "callback.phone")),
    };
  }
  if (e.shipment && typeof e.shipment === "object") {
    out.shipment = {
      ...e.shipment,
      ...defined("reason", text(e.shipment.reason, TEXT_CAPS.note, "shipment.reason")),
      ...defined("location", text(e.shipment.location, TEXT_CAPS.note, "shipment.location")),
      ...defined("rawStatus", text(e.shipment.rawStatus, TEXT_CAPS.label, "shipment.rawStatus")),
    };
  }
  if (cut.length === 0) return e;
  out.truncated = [...new Set([...(e.truncated ?? []), ...cut])];
  return out as NormalizedEvent;
}

function defined(key: string, value: unknown): Record<string, unknown> {
  return value === undefined ? {} : { [key]: value };
}
