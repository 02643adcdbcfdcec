/**
 * The provider × need matrix of docs/providers.md, as data. docs/providers.md shows exactly
 * `renderMatrix()` (checked by provider-matrix.test.ts), and that test proves every filled cell
 * with a delivery from that provider, so the doc cannot claim what the adapters do not do.
 */
import type { ProviderId, ShipmentKind } from "../../src/events/model";

export type How = "webhook" | "template" | "lookup" | "none";
export interface Cell {
  how: How;
  /** Where it comes from (or, for "none", why the provider cannot give it). */
  text: string;
}

export const HELPDESK_NEEDS = ["name", "email", "phone", "orderId", "orderValue", "rating", "callbackTag", "callbackField", "assignee", "group", "channel", "url"] as const;
export type HelpdeskNeed = (typeof HELPDESK_NEEDS)[number];

const NEED_TITLES: Record<HelpdeskNeed, string> = {
  name: "Customer name",
  email: "Customer email",
  phone: "Customer phone",
  orderId: "Order id",
  orderValue: "Order value",
  rating: "Satisfaction rating",
  callbackTag: "Callback promised (tag)",
  callbackField: "Callback promised (field)",
  assignee: "Assignee",
  group: "Group",
  channel: "Channel",
  url: "Ticket URL",
};

const w = (text: string): Cell => ({ how: "webhook", text });
const t = (text: string): Cell => ({ how: "template", text });
const l = (text: string): Cell => ({ how: "lookup", text });
const n = (text: string): Cell => ({ how: "none", text });

export type HelpdeskId = Extract<ProviderId, "zendesk" | "freshdesk" | "gorgias" | "helpscout" | "zammad" | "chatwoot" | "intercom" | "front">;

export const HELPDESK_MATRIX: Record<HelpdeskId, Record<HelpdeskNeed, Cell>> = {
  zendesk: {
    name: l("`GET /api/v2/users/{requester_id}` with the zendesk_note channel's credentials"),
    email: l("the same user lookup"),
    phone: l("the same user lookup (`phone`)"),
    orderId: n("ticket events carry no custom field values (link orders through Shopify events or custom events)"),
    orderValue: n("ticket events carry no custom field values"),
    rating: t("the satisfaction trigger (`{{satisfaction.current_rating}}`)"),
    callbackTag: w("`ticket.tags_changed` (`tags_added`)"),
    callbackField: w("`ticket.custom_field_changed`"),
    assignee: w("`assignee_id` (an id)"),
    group: w("`group_id` (an id)"),
    channel: w("`via.channel`"),
    url: w("built from the `subdomain` option"),
  },
  freshdesk: {
    name: t("`{{ticket.contact.name}}`"),
    email: t("`{{ticket.contact.email}}`"),
    phone: t("`{{ticket.contact.phone}}`"),
    orderId: t("`ticket_order_id`, fed by your ticket field"),
    orderValue: t("`ticket_order_value` / `ticket_order_currency`, fed by your fields"),
    rating: t("a \"Customer feedback is received\" rule with `feedback_rating`"),
    callbackTag: t("`{{ticket.tags}}`"),
    callbackField: t("`ticket_callback_at`, fed by your field"),
    assignee: t("`{{ticket.agent.email}}`"),
    group: t("`{{ticket.group.name}}`"),
    channel: t("`{{ticket.source}}`"),
    url: t("`{{ticket.url}}`"),
  },
  gorgias: {
    name: t("`{{ticket.customer.name}}`"),
    email: t("`{{ticket.customer.email}}`"),
    phone: l("`GET /api/customers/{customer_id}` (a phone channel) with the gorgias_note channel's credentials"),
    orderId: t("`order_id`, added from your Shopify integration"),
    orderValue: t("`order_value` / `order_currency`, added from your Shopify integration"),
    rating: t("`{{ticket.satisfaction_survey.score}}` on Ticket updated"),
    callbackTag: t("`tags`"),
    callbackField: t("`callback_at`, fed by your ticket field"),
    assignee: t("`{{ticket.assignee_user.email}}`"),
    group: t("`{{ticket.assignee_team.name}}`"),
    channel: t("`{{ticket.channel}}`"),
    url: w("built from the `account` option"),
  },
  helpscout: {
    name: w("`primaryCustomer` `first` + `last`"),
    email: w("`primaryCustomer.email`"),
    phone: l("`GET /v2/customers/{id}` (`_embedded.phones`) with the helpscout_note channel's OAuth app"),
    orderId: n("Help Scout has no order field; use Shopify or custom events"),
    orderValue: n("Help Scout has no order field"),
    rating: w("`satisfaction.ratings` (Great / Not Good)"),
    callbackTag: w("`convo.tags`"),
    callbackField: w("`convo.custom-fields`"),
    assignee: w("`assignee.email`"),
    group: n("conversations are assigned to users; the mailbox is not a group"),
    channel: w("`type`"),
    url: w("built from the conversation id"),
  },
  zammad: {
    name: w("`ticket.customer` `firstname` + `lastname`"),
    email: w("`ticket.customer.email`"),
    phone: w("`ticket.customer.phone` (or `mobile`)"),
    orderId: n("Zammad has no order field; use Shopify or custom events"),
    orderValue: n("Zammad has no order field"),
    rating: n("Zammad has no satisfaction survey"),
    callbackTag: w("`tags`, when the trigger's payload has them"),
    callbackField: w("a ticket attribute (custom fields are attributes)"),
    assignee: w("`ticket.owner.email`"),
    group: w("`ticket.group.name`"),
    channel: w("`ticket.create_article_type`"),
    url: w("built from the `baseUrl` option"),
  },
  chatwoot: {
    name: w("`meta.sender.name`"),
    email: w("`meta.sender.email`"),
    phone: w("`meta.sender.phone_number`"),
    orderId: n("Chatwoot has no order field; use Shopify or custom events"),
    orderValue: n("Chatwoot has no order field"),
    rating: n("Chatwoot's webhooks carry no CSAT event"),
    callbackTag: w("labels (`conversation_updated` adding one)"),
    callbackField: w("`custom_attributes`"),
    assignee: w("`meta.assignee`"),
    group: w("`meta.team.name`"),
    channel: w("the inbox's `channel`"),
    url: w("built from the `baseUrl` option"),
  },
  intercom: {
    name: w("the conversation's `user.name`"),
    email: w("`user.email`"),
    phone: w("`user.phone`, where the contact has one"),
    orderId: n("Intercom has no order field; use Shopify or custom events"),
    orderValue: n("Intercom has no order field"),
    rating: w("`conversation.rating.added` (4–5 good, 1–2 bad)"),
    callbackTag: w("`tags_added`"),
    callbackField: w("conversation `custom_attributes`"),
    assignee: w("`assignee.email`"),
    group: n("webhooks name the team only by `team_assignee_id`, which is not mapped"),
    channel: w("`source.type`"),
    url: w("`links.conversation_web`"),
  },
  front: {
    name: n("events name the sender's handle only"),
    email: w("an inbound email's sender handle"),
    phone: w("an inbound SMS or call's sender handle"),
    orderId: n("Front has no order field; use Shopify or custom events"),
    orderValue: n("Front has no order field"),
    rating: n("Front has no satisfaction rating"),
    callbackTag: w("a `tag` event"),
    callbackField: w("conversation `custom_fields`"),
    assignee: w("`assign` events"),
    group: n("inboxes and teams are not in the event"),
    channel: w("the last message's `type`"),
    url: w("built from the conversation id"),
  },
};

const SIGNALS: ShipmentKind[] = ["shipment.label_created", "shipment.in_transit", "shipment.out_for_delivery", "shipment.delivery_failed", "shipment.exception", "shipment.eta_later", "shipment.delivered", "shipment.returned"];
export { SIGNALS as SHIPMENT_SIGNALS };

export type CarrierId = Extract<ProviderId, "shopify" | "easypost" | "aftership" | "shippo" | "17track" | "shipengine">;

/** For each carrier and signal, the status (and detail) that produces it. */
export const CARRIER_MATRIX: Record<CarrierId, Record<ShipmentKind, { status: string; detail?: string }>> = {
  shopify: {
    "shipment.label_created": { status: "label_printed" },
    "shipment.in_transit": { status: "in_transit" },
    "shipment.out_for_delivery": { status: "out_for_delivery" },
    "shipment.delivery_failed": { status: "attempted_delivery" },
    "shipment.exception": { status: "failure" },
    "shipment.eta_later": { status: "delayed" },
    "shipment.delivered": { status: "delivered" },
    "shipment.returned": { status: "returning_to_sender" },
  },
  easypost: {
    "shipment.label_created": { status: "pre_transit" },
    "shipment.in_transit": { status: "in_transit" },
    "shipment.out_for_delivery": { status: "out_for_delivery" },
    "shipment.delivery_failed": { status: "in_transit", detail: "delivery_exception" },
    "shipment.exception": { status: "failure" },
    "shipment.eta_later": { status: "in_transit", detail: "delayed" },
    "shipment.delivered": { status: "delivered" },
    "shipment.returned": { status: "return_to_sender" },
  },
  aftership: {
    "shipment.label_created": { status: "InfoReceived" },
    "shipment.in_transit": { status: "InTransit" },
    "shipment.out_for_delivery": { status: "OutForDelivery" },
    "shipment.delivery_failed": { status: "AttemptFail" },
    "shipment.exception": { status: "Exception" },
    "shipment.eta_later": { status: "Exception", detail: "Exception_005" },
    "shipment.delivered": { status: "Delivered" },
    "shipment.returned": { status: "Exception", detail: "Exception_011" },
  },
  shippo: {
    "shipment.label_created": { status: "PRE_TRANSIT" },
    "shipment.in_transit": { status: "TRANSIT" },
    "shipment.out_for_delivery": { status: "TRANSIT", detail: "out_for_delivery" },
    "shipment.delivery_failed": { status: "TRANSIT", detail: "delivery_attempted" },
    "shipment.exception": { status: "FAILURE" },
    "shipment.eta_later": { status: "TRANSIT", detail: "delayed" },
    "shipment.delivered": { status: "DELIVERED" },
    "shipment.returned": { status: "RETURNED" },
  },
  "17track": {
    "shipment.label_created": { status: "InfoReceived" },
    "shipment.in_transit": { status: "InTransit" },
    "shipment.out_for_delivery": { status: "OutForDelivery" },
    "shipment.delivery_failed": { status: "DeliveryFailure" },
    "shipment.exception": { status: "Exception" },
    "shipment.eta_later": { status: "Exception", detail: "Exception_Delayed" },
    "shipment.delivered": { status: "Delivered" },
    "shipment.returned": { status: "Exception", detail: "Exception_Returned" },
  },
  shipengine: {
    "shipment.label_created": { status: "AC" },
    "shipment.in_transit": { status: "IT" },
    "shipment.out_for_delivery": { status: "IT", detail: "OUT_FOR_DELIVERY" },
    "shipment.delivery_failed": { status: "AT" },
    "shipment.exception": { status: "EX" },
    "shipment.eta_later": { status: "IT", detail: "DELAYED" },
    "shipment.delivered": { status: "DE" },
    "shipment.returned": { status: "EX", detail: "RETURN_TO_SENDER" },
  },
};

const TITLES: Record<string, string> = { zendesk: "Zendesk", freshdesk: "Freshdesk", gorgias: "Gorgias", helpscout: "Help Scout", zammad: "Zammad", chatwoot: "Chatwoot", intercom: "Intercom", front: "Front", shopify: "Shopify", easypost: "EasyPost", aftership: "AfterShip", shippo: "Shippo", "17track": "17TRACK", shipengine: "ShipEngine" };
const HOW: Record<Exclude<How, "none">, string> = { webhook: "webhook", template: "pasted template", lookup: "API lookup" };

function cellText(provider: string, cell: Cell): string {
  return cell.how === "none" ? `not available from ${TITLES[provider]}: ${cell.text}` : `${HOW[cell.how]}: ${cell.text}`;
}

/** The two markdown tables docs/providers.md shows, verbatim. */
export function renderMatrix(): string {
  const helpdesks = Object.keys(HELPDESK_MATRIX) as HelpdeskId[];
  const lines = [`| Need | ${helpdesks.map((h) => TITLES[h]).join(" | ")} |`, `|---|${helpdesks.map(() => "---").join("|")}|`];
  for (const need of HELPDESK_NEEDS) lines.push(`| ${NEED_TITLES[need]} | ${helpdesks.map((h) => cellText(h, HELPDESK_MATRIX[h][need])).join(" | ")} |`);
  const carriers = Object.keys(CARRIER_MATRIX) as CarrierId[];
  lines.push("", `| Shipment signal | ${carriers.map((c) => TITLES[c]).join(" | ")} |`, `|---|${carriers.map(() => "---").join("|")}|`);
  for (const signal of SIGNALS) {
    lines.push(`| \`${signal}\` | ${carriers.map((c) => {
      const s = CARRIER_MATRIX[c][signal];
      return `webhook: \`${s.status}\`${s.detail ? ` + \`${s.detail}\`` : ""}`;
    }).join(" | ")} |`);
  }
  return lines.join("\n");
}
