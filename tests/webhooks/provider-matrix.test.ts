/**
 * The provider × need matrix (docs/providers.md) is true: the doc shows exactly the table in
 * ./provider-matrix.ts, and every filled cell is proved here with deliveries as the provider
 * sends them (fixtures where we have them, otherwise the shape its docs and our templates give).
 * A cell that says "webhook" or "pasted template" must come out of the adapter as a normalized
 * field; an "API lookup" cell needs the requester's id in the events and the lookup to map the
 * helpdesk's answer to that field; a carrier signal must come from the status the cell names.
 */
import { describe, expect, it } from "vitest";
import providersDoc from "../../docs/providers.md?raw";
import { gorgiasContacts } from "../../src/contacts/gorgias";
import { helpscoutContacts } from "../../src/contacts/helpscout";
import type { ContactSource } from "../../src/contacts/source";
import { zendeskContacts } from "../../src/contacts/zendesk";
import type { NormalizedEvent, ShipmentKind } from "../../src/events/model";
import type { ProviderAdapter } from "../../src/webhooks/adapter";
import { ADAPTERS } from "../../src/webhooks/registry";
import { aftershipKind, easypostKind, seventeenTrackKind, shipengineKind, shippoKind, shopifyKind, type ShipmentMapping } from "../../src/webhooks/shipment-status";
import { FRESHDESK_TEMPLATE } from "../../src/webhooks/freshdesk";
import { GORGIAS_TEMPLATE } from "../../src/webhooks/gorgias";
import { ZENDESK_RATING_TEMPLATE } from "../../src/webhooks/zendesk";
import { edited, eventsOf, fixture, pipeline } from "./helpdesk-helpers";
import { CARRIER_MATRIX, HELPDESK_MATRIX, HELPDESK_NEEDS, renderMatrix, SHIPMENT_SIGNALS, type CarrierId, type HelpdeskId, type HelpdeskNeed } from "./provider-matrix";

interface Sample {
  body: unknown;
  headers?: Record<string, string>;
}

const AT = "2026-03-02T10:00:00Z";

/** Deliveries per helpdesk, with the options a store would set, that together show every filled cell. */
const SAMPLES: Record<HelpdeskId, { options: Record<string, unknown>; samples: Sample[] }> = {
  zendesk: {
    options: { subdomain: "acme", callbackTag: "callback", callbackField: "Callback at" },
    samples: [
      { body: fixture("zendesk/ticket-created.json").json },
      {
        body: edited(fixture("zendesk/ticket-created.json").json, (d) => {
          d.type = "zen:event-type:ticket.tags_changed";
          (d.detail as Record<string, unknown>).tags = ["callback"];
          d.event = { tags_added: ["callback"], tags_removed: [] };
        }),
      },
      {
        body: edited(fixture("zendesk/ticket-created.json").json, (d) => {
          d.type = "zen:event-type:ticket.custom_field_changed";
          d.event = { current: "2025-01-08T15:30:00Z", previous: null, custom_field: { id: "360012345678", title: "Callback at", type: "date" } };
        }),
      },
      { body: { ...ZENDESK_RATING_TEMPLATE, id: "5158-satisfaction-1", time: AT, detail: { id: "5158", requester_id: "8447388090494" }, satisfaction: { rating: "Bad", comment: "" } } },
    ],
  },
  freshdesk: {
    options: { callbackTag: "callback" },
    samples: (() => {
      const ticket = { ...FRESHDESK_TEMPLATE.freshdesk_webhook, event: "ticket_created", ticket_id: "77", ticket_subject: "Broken lamp", ticket_status: "Open", ticket_priority: "Medium", ticket_source: "Phone", ticket_type: "", ticket_tags: "callback,fragile", ticket_group_name: "Returns", ticket_agent_email: "bo@shop.example", ticket_contact_email: "ana@example.com", ticket_contact_phone: "+351 912 345 678", ticket_contact_name: "Ana Silva", ticket_url: "https://shop.freshdesk.com/helpdesk/tickets/77", ticket_latest_public_comment: "", ticket_latest_private_comment: "", ticket_description: "It arrived in pieces", triggered_at: AT, ticket_order_id: "1042", ticket_order_value: "199.90", ticket_order_currency: "EUR" };
      return [
        { body: { freshdesk_webhook: ticket } },
        { body: { freshdesk_webhook: { ...ticket, event: "ticket_updated", ticket_tags: "", ticket_callback_at: "2026-03-02T15:00:00Z", triggered_at: "2026-03-02T10:05:00Z" } } },
        { body: { freshdesk_webhook: { ...ticket, event: "feedback_received", feedback_rating: "Unhappy", triggered_at: "2026-03-03T09:00:00Z" } } },
      ];
    })(),
  },
  gorgias: {
    options: { account: "acme", callbackTag: "callback" },
    samples: (() => {
      const ticket = { ...GORGIAS_TEMPLATE, event: "ticket_created", ticket_id: "88001", status: "open", priority: "normal", channel: "email", subject: "Damaged parcel", tags: "callback", customer_id: "555", customer_email: "lea@example.com", customer_name: "Léa Martin", assignee_email: "bo@shop.example", team_name: "Returns", snooze_datetime: "", created_datetime: "2026-03-02T09:00:00", updated_datetime: "2026-03-02T09:00:00", last_message_datetime: "2026-03-02T09:00:00", message_id: "m1", message_body: "The box arrived crushed", message_from_agent: "False", message_public: "True", satisfaction_score: "", satisfaction_comment: "", satisfaction_scored_datetime: "", order_id: "1042", order_value: "89.00", order_currency: "EUR" };
      return [
        { body: ticket },
        { body: { ...ticket, event: "ticket_updated", tags: "", callback_at: "2026-03-02T16:00:00Z", updated_datetime: "2026-03-02T10:00:00" } },
        { body: { ...ticket, event: "ticket_updated", status: "closed", satisfaction_score: "1", satisfaction_scored_datetime: "2026-03-03T08:00:00", updated_datetime: "2026-03-03T08:00:00" } },
      ];
    })(),
  },
  helpscout: {
    options: { callbackTag: "vip", callbackField: "Callback at" },
    samples: [
      { body: edited(fixture("helpscout/convo-v2-sdk-test-payload.json").json, (d) => (d.primaryCustomer = { id: 238604, first: "Bear", last: "Grylls", email: "bear@acme.com" })), headers: { "X-HelpScout-Event": "convo.created" } },
      { body: edited(fixture("helpscout/convo-v2-sdk-test-payload.json").json, (d) => (d.customFields as unknown[]).push({ id: 7, name: "Callback at", value: "2017-04-22T09:00:00Z" })), headers: { "X-HelpScout-Event": "convo.custom-fields" } },
      { body: { id: 4321, conversationId: 123, threadId: 99, rating: "Not Good", comments: "Slow", createdAt: "2017-04-22T10:00:00Z" }, headers: { "X-HelpScout-Event": "satisfaction.ratings" } },
    ],
  },
  zammad: {
    options: { baseUrl: "https://support.example.com", callbackTag: "callback", callbackField: "callback_at" },
    samples: [
      { body: fixture("zammad/ticket-trigger-default-payload.json").json, headers: { "X-Zammad-Delivery": "job-1" } },
      {
        body: edited(fixture("zammad/ticket-trigger-default-payload.json").json, (d) => {
          const t = d.ticket as Record<string, unknown>;
          t.article_count = 3;
          t.updated_at = "2020-11-13T15:00:00.000Z";
          t.tags = ["callback"];
        }),
        headers: { "X-Zammad-Delivery": "job-2" },
      },
      { body: edited(fixture("zammad/ticket-trigger-default-payload.json").json, (d) => ((d.ticket as Record<string, unknown>).callback_at = "2020-11-14T09:30:00.000Z")), headers: { "X-Zammad-Delivery": "job-3" } },
    ],
  },
  chatwoot: {
    options: { baseUrl: "https://app.chatwoot.com", callbackTag: "callback", callbackField: "callback_at" },
    samples: (() => {
      const conversation = { id: 42, status: "open", channel: "Channel::WebWidget", labels: ["callback"], account: { id: 7 }, meta: { sender: { id: 3, name: "Ana", email: "ana@example.com", phone_number: "+33612345678", type: "contact" }, assignee: { id: 9, name: "Bo", email: "bo@shop.example" }, team: { name: "Billing" } }, messages: [{ content: "Where is my parcel?", message_type: 0 }], created_at: 1700000000, updated_at: 1700000600 };
      return [
        { body: { ...conversation, event: "conversation_created" }, headers: { "X-Chatwoot-Delivery": "d1" } },
        { body: { ...conversation, event: "conversation_updated", updated_at: 1700000900, changed_attributes: [{ team_id: { previous_value: null, current_value: 3 } }] }, headers: { "X-Chatwoot-Delivery": "d2" } },
        { body: { ...conversation, event: "conversation_updated", labels: [], custom_attributes: { callback_at: "2023-11-15T10:00:00+01:00" }, changed_attributes: [{ custom_attributes: { previous_value: {}, current_value: { callback_at: "2023-11-15T10:00:00+01:00" } } }] }, headers: { "X-Chatwoot-Delivery": "d3" } },
      ];
    })(),
  },
  intercom: {
    options: { callbackTag: "callback", callbackField: "Callback at" },
    samples: (() => {
      const base = fixture("intercom/conversation-admin-noted.json").json;
      const topic = (name: string, id: string, edit: (c: Record<string, unknown>) => void) =>
        edited(base, (d) => {
          d.topic = name;
          d.id = id;
          const item = (d.data as { item: Record<string, unknown> }).item;
          (item.user as Record<string, unknown>).phone = "+1 415 555 0100";
          item.source = { type: "email", delivered_as: "customer_initiated", body: "<p>Where is my order?</p>" };
          edit(item);
        });
      return [
        { body: topic("conversation.admin.assigned", "notif_a", () => {}) },
        { body: topic("conversation.rating.added", "notif_r", (c) => (c.conversation_rating = { rating: 1, remark: "Too slow", created_at: 1596640000 })) },
        { body: topic("conversation_part.tag.created", "notif_t", (c) => ((c.tags = { type: "tag.list", tags: [{ name: "callback" }] }), (c.tags_added = { type: "tag.list", tags: [{ name: "callback" }] }))) },
        { body: topic("conversation.admin.assigned", "notif_f", (c) => (c.custom_attributes = { "Callback at": "2020-08-06T09:00:00Z" })) },
      ];
    })(),
  },
  front: {
    options: { callbackTag: "callback", callbackField: "Callback at" },
    samples: (() => {
      const base = fixture("front/event-assign-api-docs.json").json;
      const event = (type: string, id: string, edit: (d: Record<string, unknown>) => void = () => {}) =>
        edited(base, (d) => {
          d.type = type;
          d.id = id;
          edit(d);
        });
      const inbound = (id: string, kind: string, handle: string) =>
        event("inbound", id, (d) => (d.target = { _meta: { type: "message" }, data: { id: `msg_${id}`, type: kind, is_inbound: true, recipients: [{ handle, role: "from" }], text: "Hello?" } }));
      return [
        { body: event("assign", "evt_a") },
        { body: inbound("evt_e", "email", "calculon@momsbot.com") },
        { body: inbound("evt_s", "sms", "+15555550100") },
        { body: event("tag", "evt_t", (d) => (d.target = { _meta: { type: "tag" }, data: { id: "tag_1", name: "Callback" } })) },
        { body: event("assign", "evt_f", (d) => ((d.conversation as Record<string, unknown>).custom_fields = { "Callback at": "2016-01-27T09:00:00Z" })) },
      ];
    })(),
  },
};

/** What a normalized event must carry for each need. */
const SHOWS: Record<HelpdeskNeed, (e: NormalizedEvent) => boolean> = {
  name: (e) => !!e.customer?.name,
  email: (e) => !!e.customer?.email,
  phone: (e) => !!e.customer?.phone,
  orderId: (e) => !!e.orderId,
  orderValue: (e) => e.orderValue !== undefined,
  rating: (e) => e.kind === "case.rating" && e.rating !== undefined,
  callbackTag: (e) => e.kind === "case.callback_promised" && !!e.callback?.tag,
  callbackField: (e) => e.kind === "case.callback_promised" && !!e.callback?.field && !!e.callback.at,
  assignee: (e) => !!e.assignee,
  group: (e) => !!e.group,
  channel: (e) => !!e.channel,
  url: (e) => !!e.url,
};

/** Each lookup source with an answer as its API documents it. */
const LOOKUPS: Partial<Record<HelpdeskId, { source: ContactSource; answer: unknown }>> = {
  zendesk: { source: zendeskContacts as unknown as ContactSource, answer: { user: { id: 8447388090494, name: "Ana Silva", email: "ana@example.com", phone: "+351 912 345 678", role: "end-user" } } },
  helpscout: { source: helpscoutContacts as unknown as ContactSource, answer: { id: 238604, firstName: "Bear", lastName: "Grylls", _embedded: { emails: [{ value: "bear@acme.com" }], phones: [{ value: "+44 20 7946 0000", type: "work" }] } } },
  gorgias: { source: gorgiasContacts as unknown as ContactSource, answer: { id: 555, name: "Léa Martin", email: "lea@example.com", channels: [{ type: "phone", address: "+33 6 12 34 56 78" }] } },
};

async function eventsFor(provider: HelpdeskId): Promise<NormalizedEvent[]> {
  const { options, samples } = SAMPLES[provider];
  const out: NormalizedEvent[] = [];
  for (const s of samples) out.push(...eventsOf(await pipeline(ADAPTERS[provider] as ProviderAdapter, s.body as object, s.headers ?? {}, options)));
  return out;
}

const KIND_OF: Record<CarrierId, (status: string, detail: string | undefined) => ShipmentMapping> = {
  shopify: (s) => shopifyKind(s),
  easypost: easypostKind,
  aftership: aftershipKind,
  shippo: shippoKind,
  "17track": seventeenTrackKind,
  shipengine: shipengineKind,
};

describe("the provider matrix", () => {
  it("docs/providers.md shows exactly the matrix proved here", () => {
    expect(providersDoc).toContain(renderMatrix());
  });

  for (const provider of Object.keys(HELPDESK_MATRIX) as HelpdeskId[]) {
    it(`${provider}: every filled cell comes out of the adapter (or its lookup)`, async () => {
      const events = await eventsFor(provider);
      for (const need of HELPDESK_NEEDS) {
        const cell = HELPDESK_MATRIX[provider][need];
        if (cell.how === "none") continue;
        if (cell.how === "lookup") {
          const lookup = LOOKUPS[provider];
          expect(lookup, `${provider} ${need}: no lookup source`).toBeDefined();
          expect(events.some((e) => e.requesterId !== undefined), `${provider} ${need}: no requesterId to look up`).toBe(true);
          const contact = lookup!.source.contactOf(lookup!.answer);
          expect(contact?.[need as "name" | "email" | "phone"], `${provider} ${need} from the lookup`).toBeTruthy();
          continue;
        }
        expect(events.some(SHOWS[need]), `${provider} ${need} (${cell.how}: ${cell.text})`).toBe(true);
      }
    });
  }

  it("every carrier gives every shipment signal from the status its cell names", () => {
    for (const carrier of Object.keys(CARRIER_MATRIX) as CarrierId[]) {
      for (const signal of SHIPMENT_SIGNALS) {
        const { status, detail } = CARRIER_MATRIX[carrier][signal];
        expect(KIND_OF[carrier](status, detail)?.kind, `${carrier} ${status}${detail ? ` ${detail}` : ""}`).toBe(signal satisfies ShipmentKind);
      }
    }
  });
});
