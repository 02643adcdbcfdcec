/**
 * Signed deliveries as each provider sends them (their own headers and signature schemes), for
 * the end-to-end stories. Signing follows ../shared/reference/provider-webhooks.md.
 */
import { createHmac } from "node:crypto";
import { request } from "./http";
import type { E2EStore } from "./store";

export const SECRETS = {
  zendesk: "e2e-zendesk-signing-secret",
  helpscout: "e2e-helpscout-secret",
  shopify: "e2e-shopify-secret",
  aftership: "e2e-aftership-secret",
  freshdesk: "e2e-freshdesk-shared-token",
};

const b64hmac = (alg: "sha1" | "sha256", key: string, data: string) => createHmac(alg, key).update(data).digest("base64");

function post(s: E2EStore, provider: string, body: unknown, headers: Record<string, string>) {
  const raw = JSON.stringify(body);
  return { raw, send: (extra: Record<string, string> = {}) => request(s.url, "POST", `/hooks/${s.storeId}/${provider}`, { rawBody: raw, headers: { "content-type": "application/json", ...headers, ...extra } }) };
}

let seq = 0;
const uid = (p: string) => `${p}-${Date.now()}-${++seq}`;

// ── Zendesk event webhooks ──────────────────────────────────────────────────────────────────

export interface ZendeskTicket {
  id: string;
  subject?: string;
  priority?: string;
  status?: string;
  channel?: string;
  requesterId?: string;
  tags?: string[];
}

export async function zendesk(s: E2EStore, type: string, t: ZendeskTicket, event: Record<string, unknown> = {}, at = new Date()) {
  const body = {
    account_id: 1,
    id: uid("zd"),
    time: at.toISOString(),
    type: `zen:event-type:ticket.${type}`,
    subject: `zen:ticket:${t.id}`,
    zendesk_event_version: "2022-11-06",
    detail: {
      id: t.id,
      subject: t.subject ?? "Where is my order?",
      priority: (t.priority ?? "normal").toUpperCase(),
      status: (t.status ?? "open").toUpperCase(),
      requester_id: t.requesterId ?? "9001",
      submitter_id: t.requesterId ?? "9001",
      description: "Hello, I need help with my order.",
      tags: t.tags ?? [],
      via: { channel: t.channel ?? "email" },
      created_at: at.toISOString(),
      updated_at: at.toISOString(),
    },
    event,
  };
  const raw = JSON.stringify(body);
  const ts = new Date().toISOString();
  return post(s, "zendesk", body, { "x-zendesk-webhook-signature": b64hmac("sha256", SECRETS.zendesk, ts + raw), "x-zendesk-webhook-signature-timestamp": ts }).send();
}

export function zendeskComment(s: E2EStore, t: ZendeskTicket, comment: { body: string; public?: boolean; staff: boolean }, at = new Date()) {
  return zendesk(s, "comment_added", t, { comment: { id: uid("c"), body: comment.body, is_public: comment.public ?? true, author: { id: comment.staff ? "42" : (t.requesterId ?? "9001"), is_staff: comment.staff } } }, at);
}

// ── Help Scout ─────────────────────────────────────────────────────────────────────────────

export interface HelpScoutConversation {
  id: number;
  status?: string;
  customerEmail?: string;
  customFields?: { name: string; value: string }[];
  threadBody?: string;
}

export function helpscout(s: E2EStore, event: string, c: HelpScoutConversation, at = new Date()) {
  const body = {
    id: c.id,
    number: c.id,
    type: "email",
    status: c.status ?? "active",
    subject: "Damaged parcel",
    createdAt: at.toISOString(),
    userUpdatedAt: at.toISOString(),
    createdBy: { id: 7, type: "customer", email: c.customerEmail ?? "mia@example.com" },
    primaryCustomer: { id: 7, type: "customer", email: c.customerEmail ?? "mia@example.com" },
    customFields: c.customFields ?? [],
    _embedded: { threads: [{ id: ++seq, type: event.includes("agent") ? "reply" : "customer", body: c.threadBody ?? "Any news?", createdAt: at.toISOString() }] },
  };
  const raw = JSON.stringify(body);
  return post(s, "helpscout", body, { "x-helpscout-event": event, "x-helpscout-signature": b64hmac("sha1", SECRETS.helpscout, raw) }).send();
}

export function helpscoutRating(s: E2EStore, conversationId: number, rating: "great" | "not good", comments: string, at = new Date()) {
  const body = { id: ++seq, conversationId, threadId: ++seq, rating, comments, createdAt: at.toISOString(), modifiedAt: at.toISOString() };
  const raw = JSON.stringify(body);
  return post(s, "helpscout", body, { "x-helpscout-event": "satisfaction.ratings", "x-helpscout-signature": b64hmac("sha1", SECRETS.helpscout, raw) }).send();
}

// ── Freshdesk (the admin's template; shared token) ─────────────────────────────────────────

export function freshdesk(s: E2EStore, event: string, ticket: { id: string; email: string; status?: string; subject?: string }, at = new Date()) {
  const body = {
    freshdesk_webhook: {
      event,
      ticket_id: ticket.id,
      ticket_subject: ticket.subject ?? "Where is my parcel?",
      ticket_status: ticket.status ?? "Open",
      ticket_priority: "Medium",
      ticket_source: "Email",
      ticket_contact_email: ticket.email,
      ticket_url: `https://shop.freshdesk.com/helpdesk/tickets/${ticket.id}`,
      triggered_at: at.toISOString(),
    },
  };
  return post(s, "freshdesk", body, { "x-promptly-token": SECRETS.freshdesk }).send();
}

// ── Shopify and AfterShip ──────────────────────────────────────────────────────────────────

export function shopifyFulfillment(s: E2EStore, f: { id: number; orderId: number; trackingNumber: string; email: string; phone: string; shipmentStatus?: string }, at = new Date()) {
  const body = {
    id: f.id,
    order_id: f.orderId,
    status: "success",
    shipment_status: f.shipmentStatus ?? null,
    tracking_company: "UPS",
    tracking_number: f.trackingNumber,
    email: f.email,
    destination: { phone: f.phone, name: "Ayşe Yılmaz" },
    created_at: at.toISOString(),
    updated_at: at.toISOString(),
  };
  const raw = JSON.stringify(body);
  return post(s, "shopify", body, {
    "x-shopify-topic": "fulfillments/update",
    "x-shopify-webhook-id": uid("shop"),
    "x-shopify-triggered-at": at.toISOString(),
    "x-shopify-hmac-sha256": b64hmac("sha256", SECRETS.shopify, raw),
  }).send();
}

export function aftership(s: E2EStore, t: { trackingNumber: string; tag: string; subtag: string; message: string; orderId?: string }, at = new Date()) {
  const body = {
    event: "tracking_update",
    event_id: uid("as"),
    msg: {
      id: "0".repeat(32),
      tracking_number: t.trackingNumber,
      slug: "ups",
      tag: t.tag,
      subtag: t.subtag,
      subtag_message: t.message,
      order_id: t.orderId,
      updated_at: at.toISOString(),
      checkpoints: [{ checkpoint_time: at.toISOString(), message: t.message, slug: "ups", tag: t.tag, subtag: t.subtag }],
    },
    ts: Math.floor(at.getTime() / 1000),
  };
  const raw = JSON.stringify(body);
  return post(s, "aftership", body, { "aftership-hmac-sha256": b64hmac("sha256", SECRETS.aftership, raw) }).send();
}

// ── Gorgias (the admin's HTTP integration; shared token) ────────────────────────────────────

export const GORGIAS_TOKEN = "e2e-gorgias-shared-token";

/** A Gorgias HTTP integration posting our template, rendered for one ticket, with the shared token. */
export function gorgias(s: E2EStore, event: string, ticket: { id: string; email: string; priority?: string; channel?: string; subject?: string }, at = new Date()) {
  const when = at.toISOString().replace(/Z$/, "");
  const body = {
    source: "gorgias",
    event,
    ticket_id: ticket.id,
    status: "open",
    priority: ticket.priority ?? "normal",
    channel: ticket.channel ?? "chat",
    subject: ticket.subject ?? "Where is my order?",
    tags: "",
    customer_email: ticket.email,
    created_datetime: when,
    updated_datetime: when,
  };
  return post(s, "gorgias", body, { "x-promptly-token": GORGIAS_TOKEN }).send();
}
