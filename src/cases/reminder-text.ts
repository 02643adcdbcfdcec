/**
 * The words of a reminder: what is due, for whom, how late we are, and the playbook's next
 * action in plain language. Built at the second a timer fires, from the case as it is then, so
 * "overdue by 4 min" is true when the agent reads it.
 *
 * Pure. Times are shown in the store's zone (the calendar of the rule that fired, else the
 * quiet-hours calendar), because "before 14:00" must mean the agent's 14:00.
 */
import type { Reminder } from "../notify/reminder";
import { formatDuration } from "../rules/schema";
import { label, type PlannedTimer } from "./plan";
import type { CaseState } from "./state";
import { safeLink } from "../lib/links";

export interface ReminderContext {
  storeId: string;
  caseId: string;
  state: CaseState;
  timer: PlannedTimer;
  firedAt: number;
  /** IANA zone to show times in. */
  timeZone: string;
  caseUrl?: string | undefined;
  /** For shipments: the customer's open helpdesk ticket, if the case index found one. */
  linkedTicket?: { caseId: string; provider: string; ticketId: string; url?: string | undefined; subject?: string | undefined } | undefined;
}

/** Building a formatter costs far more than using one; a store uses one or two zones. */
const formatters = new Map<string, Intl.DateTimeFormat>();

export function formatInstant(ms: number, timeZone: string, withDate = true): string {
  try {
    const key = `${timeZone}|${withDate}`;
    let fmt = formatters.get(key);
    if (!fmt) {
      fmt = new Intl.DateTimeFormat("en-GB", {
        timeZone,
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
        ...(withDate ? { weekday: "short", day: "numeric", month: "short" } : {}),
      });
      if (formatters.size < 64) formatters.set(key, fmt);
    }
    return fmt.format(new Date(ms));
  } catch {
    return new Date(ms).toISOString();
  }
}

function ago(ms: number): string {
  return formatDuration(Math.max(0, Math.round(ms / 60_000) * 60_000)).replace(/^0s$/, "under a minute");
}

function who(s: CaseState): string {
  return s.customer.name ?? s.customer.email ?? s.customer.phone ?? "the customer";
}

function caseLabel(s: CaseState): string {
  if (s.key.type === "ticket") return `${s.key.provider} #${s.key.ticketId}${s.subject ? ` "${s.subject}"` : ""}`;
  return `${s.key.carrier.toUpperCase()} ${s.key.trackingNumber}`;
}

function contactLine(s: CaseState, preferPhone: boolean): string {
  if (preferPhone && s.customer.phone) return `Call ${s.customer.phone}`;
  if (s.customer.email) return `Write to ${s.customer.email}`;
  if (s.customer.phone) return `Call ${s.customer.phone}`;
  return "Contact the customer";
}

interface Words {
  title: string;
  nextAction: string;
  details: string[];
  dueAt: number;
}

function words(ctx: ReminderContext): Words {
  const { timer: t, state: s, firedAt, timeZone } = ctx;
  const at = (ms: number, withDate = true) => formatInstant(ms, timeZone, withDate);
  const d = t.detail;
  const prio = s.priority ?? "normal";
  const channel = s.channel ? ` ${s.channel}` : "";
  switch (d.type) {
    case "sla": {
      const what = label(d.metric);
      const details = [`${prio}${channel} case ${caseLabel(s)}`, `target ${formatDuration(d.targetMs)} (${t.rule.name})`];
      if (t.kind.endsWith(".warning")) {
        return {
          title: `${capital(what)} due in ${ago(d.dueAt - firedAt)} — ${prio}${channel}`,
          nextAction: `Reply to ${who(s)} before ${at(d.dueAt, false)}.`,
          details,
          dueAt: d.dueAt,
        };
      }
      if (t.kind.endsWith(".breach")) {
        return {
          title: `${capital(what)} overdue${firedAt - d.dueAt >= 60_000 ? ` by ${ago(firedAt - d.dueAt)}` : ""} — ${prio}${channel}`,
          nextAction: d.metric === "resolution" ? `Resolve it or tell ${who(s)} what happens next, now.` : `Reply to ${who(s)} now: the ${what} target has passed.`,
          details,
          dueAt: d.dueAt,
        };
      }
      return {
        title: `Escalation level ${t.level ?? 1}: ${what} overdue by ${ago(firedAt - d.dueAt)} — ${prio}${channel}`,
        nextAction: d.message ?? "Take the case or reassign it now.",
        details,
        dueAt: d.dueAt,
      };
    }
    case "callback": {
      const cb = s.callbacks.find((x) => x.id === d.callbackId);
      const phone = cb?.phone ?? s.customer.phone;
      const call = phone ? `Call ${phone}` : `Call ${who(s)}`;
      const details = [`promised ${cb?.owner ? `by ${cb.owner} ` : ""}on ${caseLabel(s)}`, ...(cb?.note ? [`note: ${cb.note}`] : [])];
      if (t.kind === "callback.reminder") {
        return { title: `Callback to ${who(s)} at ${at(d.promisedFor, false)}`, nextAction: `${call} at ${at(d.promisedFor)}, as promised.`, details, dueAt: d.promisedFor };
      }
      if (t.kind === "callback.due") {
        return { title: `Promised callback missed — ${who(s)} expected a call at ${at(d.promisedFor, false)}`, nextAction: `${call} now, and mark the callback done.`, details, dueAt: d.promisedFor };
      }
      return { title: `Escalation: callback to ${who(s)} still not made`, nextAction: `A lead should call ${phone ?? who(s)} now: the promise was for ${at(d.promisedFor)}.`, details, dueAt: d.promisedFor };
    }
    case "rating": {
      const how = d.publicReply ? "publicly, on the rating" : "to the customer";
      const details = [`${caseLabel(s)}`, ...(d.comment ? [`they wrote: "${d.comment.slice(0, 300)}"`] : [])];
      if (t.kind === "rating.bad") {
        return { title: `Bad rating from ${who(s)}`, nextAction: `Reply ${how} before ${at(d.replyBy)}: thank them, own the problem, say what you will do.`, details, dueAt: d.replyBy };
      }
      return { title: `Bad rating from ${who(s)} still unanswered`, nextAction: `Reply ${how} now: the reply target was ${at(d.replyBy)}.`, details, dueAt: d.replyBy };
    }
    case "circles": {
      const why = d.reason === "messages" ? `${d.count} messages from ${who(s)} and still not resolved` : `reopened ${d.count} times`;
      const phone = s.customer.phone ? ` (${s.customer.phone})` : "";
      return { title: `Going in circles: ${why}`, nextAction: `${d.suggestion}${phone}`, details: [caseLabel(s)], dueAt: t.dueAt };
    }
    case "dispute": {
      return { title: `Dispute risk on ${caseLabel(s)}: ${d.signal}`, nextAction: d.suggestion, details: [`customer: ${who(s)}`], dueAt: t.dueAt };
    }
    case "shipment": {
      const cause = d.reason ?? "the carrier reports a delay";
      const since = at(d.since);
      const details = [`${caseLabel(s)}: ${cause} (since ${since})`, ...(s.orderIds.length ? [`order ${s.orderIds.join(", ")}`] : [])];
      if (ctx.linkedTicket) details.push(`the customer already has an open ticket: ${ctx.linkedTicket.provider} #${ctx.linkedTicket.ticketId}${ctx.linkedTicket.subject ? ` "${ctx.linkedTicket.subject}"` : ""}`);
      const contact = contactLine(s, d.preferPhone);
      if (t.kind === "shipment.proactive_contact") {
        return {
          title: `Late parcel: tell ${who(s)} before they ask`,
          nextAction: `${contact} before ${at(d.contactBy)}: ${cause}. ${d.guidance}`,
          details,
          dueAt: d.contactBy,
        };
      }
      if (t.kind === "shipment.contact_due") {
        return {
          title: `Late parcel: nobody has told ${who(s)} yet${firedAt - d.contactBy >= 60_000 ? ` (target passed ${ago(firedAt - d.contactBy)} ago)` : ""}`,
          nextAction: `${contact} now: ${cause}. ${d.guidance} Then mark the parcel contacted on its case.`,
          details: [...details, `contact target was ${at(d.contactBy)} (delay began ${since})`],
          dueAt: d.contactBy,
        };
      }
      return {
        title: `Update ${d.update ?? ""} owed to ${who(s)} on their late parcel`,
        nextAction: `${contact} with the latest: ${s.shipment?.reason ?? cause}${s.shipment?.estimatedDelivery ? `; carrier now expects ${at(s.shipment.estimatedDelivery)}` : ""}. Keep updating until it arrives.`,
        details,
        dueAt: t.dueAt,
      };
    }
  }
}

const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export function buildReminder(ctx: ReminderContext): Reminder {
  const { timer: t, state: s } = ctx;
  const w = words(ctx);
  const ticket =
    s.key.type === "ticket"
      ? { caseId: ctx.caseId, provider: s.key.provider, ticketId: s.key.ticketId, ...(s.url ? { url: s.url } : {}) }
      : ctx.linkedTicket
        ? { caseId: ctx.linkedTicket.caseId, provider: ctx.linkedTicket.provider, ticketId: ctx.linkedTicket.ticketId, ...(ctx.linkedTicket.url ? { url: ctx.linkedTicket.url } : {}) }
        : undefined;
  const customer = { ...(s.customer.name ? { name: s.customer.name } : {}), ...(s.customer.email ? { email: s.customer.email } : {}), ...(s.customer.phone ? { phone: s.customer.phone } : {}) };
  return {
    id: `${ctx.caseId}:${t.key}`,
    storeId: ctx.storeId,
    caseId: ctx.caseId,
    kind: t.kind,
    urgency: t.urgency,
    title: w.title,
    nextAction: w.nextAction,
    details: w.details,
    dueAt: new Date(w.dueAt).toISOString(),
    firedAt: new Date(ctx.firedAt).toISOString(),
    lateByMs: ctx.firedAt - w.dueAt,
    ...(t.level !== undefined && t.kind.endsWith("escalation") ? { escalationLevel: t.level } : {}),
    ...(Object.keys(customer).length ? { customer } : {}),
    ...(s.orderIds[0] ? { orderId: s.orderIds[0] } : {}),
    ...(s.subject ? { subject: s.subject } : {}),
    ...(safeLink(s.url) ? { sourceUrl: s.url } : safeLink(ctx.linkedTicket?.url) ? { sourceUrl: ctx.linkedTicket!.url } : {}),
    ...(ctx.caseUrl ? { caseUrl: ctx.caseUrl } : {}),
    source: s.key.type === "ticket" ? { provider: s.key.provider, ticketId: s.key.ticketId } : { provider: s.provider, trackingNumber: s.key.trackingNumber },
    ...(ticket ? { ticket } : {}),
    rule: t.rule,
    channels: t.channels,
  };
}
