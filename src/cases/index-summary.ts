/**
 * What a case tells the store's case index about itself (the row the board shows), built from
 * the engine's evaluation. Pure: the SupportCase object pushes it, tests build it directly.
 *
 * Playbook misses ("at risk") come from the plan itself: a miss is exactly a playbook timer the
 * case still needs, fired or not (the parcel's customer not contacted, the bad rating not
 * answered, the callback not done), so the board and the reminders never disagree about what is
 * owed. The plan leaves out timers that have fired, so once one of these has, the case asks for
 * the plan as if nothing had (see MISS_KINDS); until then its own plan holds them all.
 */
import type { ShipmentKind } from "../events/model";
import type { AtRisk, CasePush, CaseStatusKey, UpcomingReminder } from "../stores/case-index";
import type { Evaluation } from "./engine";
import type { DelayTrigger, PlannedTimer } from "./plan";
import { isResolvedStatus, type CaseState, type ShipmentState } from "./state";

const CARRIER_NAMES: Record<string, string> = { fedex: "FedEx", ups: "UPS", usps: "USPS", dhl: "DHL", "dhl-express": "DHL Express", dpd: "DPD", gls: "GLS", tnt: "TNT", ontrac: "OnTrac", "royal-mail": "Royal Mail", "canada-post": "Canada Post", "australia-post": "Australia Post", postnl: "PostNL" };

/** "ups" → "UPS", "royal-mail" → "Royal Mail": carriers as the customer knows them. */
export function carrierName(carrier: string): string {
  const known = CARRIER_NAMES[carrier.toLowerCase()];
  if (known) return known;
  return carrier
    .split(/[-_\s]+/)
    .filter((w) => w !== "")
    .map((w) => (w.length <= 3 ? w.toUpperCase() : w[0]!.toUpperCase() + w.slice(1)))
    .join(" ");
}

const MILESTONE_WORDS: Record<ShipmentKind, string> = {
  "shipment.label_created": "Label created",
  "shipment.in_transit": "In transit",
  "shipment.out_for_delivery": "Out for delivery",
  "shipment.delivery_failed": "Delivery attempt failed",
  "shipment.exception": "Exception",
  "shipment.eta_later": "Delayed",
  "shipment.delivered": "Delivered",
  "shipment.returned": "Returning to sender",
};

/** Milestones whose carrier reason says what went wrong (an in-transit scan's reason would be an old one). */
const WITH_REASON: ReadonlySet<ShipmentKind> = new Set(["shipment.delivery_failed", "shipment.exception", "shipment.eta_later", "shipment.returned"]);

/** A shipment's status as a person would say it: "Exception: address issue", "In transit", "Delivered". */
export function shipmentStatusText(sh: ShipmentState): string {
  if (sh.deliveredAt !== null) return MILESTONE_WORDS["shipment.delivered"];
  if (sh.milestone === null) return "Awaiting carrier scan";
  const words = MILESTONE_WORDS[sh.milestone];
  const reason = sh.reason?.trim();
  return WITH_REASON.has(sh.milestone) && reason ? `${words}: ${reason[0]!.toLowerCase()}${reason.slice(1)}` : words;
}

/** "UPS 1Z999AA10123456784 · order #1001": which parcel, for whom. */
export function shipmentSubject(s: CaseState): string | null {
  const sh = s.shipment;
  if (!sh) return null;
  const orders = s.orderIds.length === 0 ? "" : ` · order${s.orderIds.length > 1 ? "s" : ""} ${s.orderIds.join(", ")}`;
  return `${carrierName(sh.carrier)} ${sh.trackingNumber}${orders}`;
}

const DELAY_WORDS: Record<DelayTrigger, string> = {
  exception: "carrier exception",
  failed_attempt: "failed delivery attempt",
  eta_later: "later delivery estimate",
  returned: "return to sender",
  no_scan: "missing carrier scans",
  label_not_shipped: "label not shipped",
  past_promised: "missed delivery date",
};

/** One miss per playbook timer the case still needs; `since` may lie ahead (a callback not due yet). */
function missOf(t: PlannedTimer): AtRisk | null {
  const d = t.detail;
  if (t.kind === "shipment.contact_due" && d.type === "shipment") {
    return { kind: t.kind, label: `Late parcel (${DELAY_WORDS[d.trigger]}): customer not contacted`, since: new Date(d.since).toISOString() };
  }
  if (t.kind === "rating.reply_due" && d.type === "rating") {
    return { kind: t.kind, label: "Bad rating not answered", since: new Date(d.ratedAt).toISOString() };
  }
  if (t.kind === "callback.due" && d.type === "callback") {
    return { kind: t.kind, label: "Promised callback not made", since: new Date(d.promisedFor).toISOString() };
  }
  return null;
}

/** The timer kinds whose being planned means a playbook miss. */
export const MISS_KINDS: ReadonlySet<string> = new Set(["shipment.contact_due", "rating.reply_due", "callback.due"]);

/** The case's playbook misses, open now or starting later, earliest first, from the timers it owes. */
export function playbookMisses(owed: readonly PlannedTimer[]): AtRisk[] {
  const seen = new Set<string>();
  const out: AtRisk[] = [];
  for (const t of owed) {
    const miss = missOf(t);
    if (!miss || seen.has(t.key)) continue;
    seen.add(t.key);
    out.push(miss);
  }
  return out.sort((a, b) => a.since.localeCompare(b.since)).slice(0, 20);
}

/** Which targets are breached now: the SLA metrics, and `callback` for a promise past its time. */
export function breachedTargets(ev: Evaluation, now: number): string[] {
  const s = ev.state;
  if (isResolvedStatus(s.status)) return [];
  const out: string[] = ev.clocks.clocks.filter((c) => c.status === "breached").map((c) => c.metric);
  if (s.callbacks.some((c) => c.doneAt === null && c.at !== null && c.at < now)) out.push("callback");
  return out;
}

/**
 * @param owed the timers the case needs as if none had fired (its evaluation's own timers when
 *   no timer of MISS_KINDS has fired)
 */
export function casePushOf(args: { caseId: string; ev: Evaluation; owed: readonly PlannedTimer[]; upcoming: UpcomingReminder[]; now: number }): CasePush {
  const { ev, now } = args;
  const s = ev.state;
  const sh = s.shipment;
  const breached = breachedTargets(ev, now);
  const statusKey: CaseStatusKey | null = s.status ?? sh?.milestone ?? null;
  const policy = ev.spans[ev.spans.length - 1]?.match?.policy.name ?? null;
  return {
    caseId: args.caseId,
    type: s.type,
    provider: s.key.type === "ticket" ? s.key.provider : s.provider,
    status: sh && !isResolvedStatus(s.status) ? shipmentStatusText(sh) : (s.status ?? null),
    statusKey,
    open: s.type === "ticket" ? !isResolvedStatus(s.status) : sh?.deliveredAt === null && !isResolvedStatus(s.status),
    breached: breached.length > 0,
    breachedTargets: breached,
    priority: s.priority ?? null,
    openedAt: new Date(s.openedAt).toISOString(),
    lastEventAt: new Date(s.lastEventAt).toISOString(),
    subject: s.subject ?? shipmentSubject(s),
    customerEmail: s.customer.email ?? null,
    customerName: s.customer.name ?? null,
    customerPhone: s.customer.phone ?? null,
    ticketId: s.key.type === "ticket" ? s.key.ticketId : null,
    url: s.url ?? null,
    orderIds: s.orderIds,
    policy,
    channel: s.channel ?? null,
    assignee: s.assignee ?? null,
    group: s.group ?? null,
    trackingNumber: sh?.trackingNumber ?? null,
    carrier: sh?.carrier ?? null,
    atRisk: playbookMisses(args.owed),
    upcoming: args.upcoming,
  };
}
