/**
 * The words of a reminder: what is due, for whom, how late we are, and the playbook's next
 * action in plain language. Built at the second a timer fires, from the case as it is then, so
 * "overdue by 4 min" is true when the agent reads it.
 *
 * Pure. Times are shown in the store's zone (the calendar of the rule that fired, else the
 * quiet-hours calendar), because "before 14:00" must mean the agent's 14:00.
 */
import { catalogueFor, formatLocalTime, playbookText, type Catalogue, type Language } from "../i18n";
import type { Reminder, ReminderWords } from "../notify/reminder";
import type { PlannedTimer } from "./plan";
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
  /**
   * The languages its channels read, the store's first (src/rules/language.ts
   * `reminderLanguages`). The words are built in each now, from the case as it is now: delivery
   * has only the reminder, not the case, so it picks the language and cannot rebuild the words.
   * English alone when left out.
   */
  languages?: readonly Language[] | undefined;
}

/** English times as reminders have always shown them ("Mon 2 Mar, 14:00"); see `formatLocalTime` for the others. */
export function formatInstant(ms: number, timeZone: string, withDate = true): string {
  return formatLocalTime(ms, timeZone, "en", withDate);
}

function who(s: CaseState, c: Catalogue): string {
  return s.customer.name ?? s.customer.email ?? s.customer.phone ?? c.theCustomer;
}

function caseLabel(s: CaseState): string {
  if (s.key.type === "ticket") return `${s.key.provider} #${s.key.ticketId}${s.subject ? ` "${s.subject}"` : ""}`;
  return `${s.key.carrier.toUpperCase()} ${s.key.trackingNumber}`;
}

function contactLine(s: CaseState, preferPhone: boolean, c: Catalogue): string {
  if (preferPhone && s.customer.phone) return c.contact.call(s.customer.phone);
  if (s.customer.email) return c.contact.write(s.customer.email);
  if (s.customer.phone) return c.contact.call(s.customer.phone);
  return c.contact.anyhow;
}

/** The dispute signal in the reader's words: the planner states it in English ("the customer wrote …"). */
function disputeSignal(signal: string, c: Catalogue): string {
  const wrote = /^the customer wrote "(.*)"$/s.exec(signal);
  if (wrote) return c.dispute.wrote(wrote[1]!);
  const tagged = /^tagged "(.*)"$/s.exec(signal);
  if (tagged) return c.dispute.tagged(tagged[1]!);
  return signal;
}

interface Words extends ReminderWords {
  dueAt: number;
}

function words(ctx: ReminderContext, lang: Language): Words {
  const { timer: t, state: s, firedAt, timeZone } = ctx;
  const c = catalogueFor(lang);
  const at = (ms: number, withDate = true) => formatLocalTime(ms, timeZone, lang, withDate);
  const d = t.detail;
  const prio = c.priority[s.priority ?? "normal"];
  const channel = s.channel ? c.channel[s.channel] : null;
  const customer = who(s, c);
  switch (d.type) {
    case "sla": {
      const what = c.metric[d.metric];
      const details = [c.caseLine(prio, channel, caseLabel(s)), c.targetLine(c.target(d.targetMs), t.rule.name)];
      if (t.kind.endsWith(".warning")) {
        return { title: c.sla.warningTitle(what, c.ago(d.dueAt - firedAt), prio, channel), nextAction: c.sla.warningAction(customer, at(d.dueAt, false)), details, dueAt: d.dueAt };
      }
      if (t.kind.endsWith(".breach")) {
        return {
          title: c.sla.breachTitle(what, firedAt - d.dueAt >= 60_000 ? c.ago(firedAt - d.dueAt) : null, prio, channel),
          nextAction: d.metric === "resolution" ? c.sla.breachActionResolution(customer) : c.sla.breachAction(customer, what),
          details,
          dueAt: d.dueAt,
        };
      }
      // The escalation level is said once, by the frame around the title ("URGENT · escalation level 1").
      return { title: c.sla.escalationTitle(what, c.ago(firedAt - d.dueAt), prio, channel), nextAction: d.message ?? c.sla.escalationAction, details, dueAt: d.dueAt };
    }
    case "callback": {
      const cb = s.callbacks.find((x) => x.id === d.callbackId);
      const phone = cb?.phone ?? s.customer.phone;
      const call = phone ? c.contact.call(phone) : c.contact.callPerson(customer);
      const details = [c.callback.promised(cb?.owner ?? null, caseLabel(s)), ...(cb?.note ? [c.callback.note(cb.note)] : [])];
      if (t.kind === "callback.reminder") {
        return { title: c.callback.reminderTitle(customer, at(d.promisedFor, false)), nextAction: c.callback.reminderAction(call, at(d.promisedFor)), details, dueAt: d.promisedFor };
      }
      if (t.kind === "callback.due") {
        return { title: c.callback.dueTitle(customer, at(d.promisedFor, false)), nextAction: c.callback.dueAction(call), details, dueAt: d.promisedFor };
      }
      return { title: c.callback.escalationTitle(customer), nextAction: c.callback.escalationAction(phone ?? customer, at(d.promisedFor)), details, dueAt: d.promisedFor };
    }
    case "rating": {
      const how = d.publicReply ? c.rating.publicly : c.rating.privately;
      const details = [`${caseLabel(s)}`, ...(d.comment ? [c.rating.wrote(d.comment.slice(0, 300))] : [])];
      if (t.kind === "rating.bad") {
        return { title: c.rating.badTitle(customer), nextAction: c.rating.badAction(how, at(d.replyBy)), details, dueAt: d.replyBy };
      }
      return { title: c.rating.unansweredTitle(customer), nextAction: c.rating.unansweredAction(how, at(d.replyBy)), details, dueAt: d.replyBy };
    }
    case "circles": {
      const why = d.reason === "messages" ? c.circles.messages(d.count, customer) : c.circles.reopenings(d.count);
      const phone = s.customer.phone;
      const suggestion = playbookText(d.suggestion, "circles", lang);
      // The number goes where the call is: the default advice covers "no phone number", so with a
      // number it becomes "call them on it"; a store's own advice gets the number before it.
      const nextAction = !phone ? suggestion : suggestion === c.defaults.circles ? c.circles.callPhone(phone) : c.circles.phoneThen(phone, suggestion);
      return { title: c.circles.title(why), nextAction, details: [caseLabel(s)], dueAt: t.dueAt };
    }
    case "dispute": {
      return { title: c.dispute.title(caseLabel(s), disputeSignal(d.signal, c)), nextAction: playbookText(d.suggestion, "dispute", lang), details: [c.dispute.customer(customer)], dueAt: t.dueAt };
    }
    case "shipment": {
      const cause = d.reason ?? c.shipment.defaultCause;
      const since = at(d.since);
      const guidance = playbookText(d.guidance, "shipment", lang);
      const details = [c.shipment.since(caseLabel(s), cause, since), ...(s.orderIds.length ? [c.shipment.orders(s.orderIds.join(", "))] : [])];
      if (ctx.linkedTicket) details.push(c.shipment.openTicket(`${ctx.linkedTicket.provider} #${ctx.linkedTicket.ticketId}${ctx.linkedTicket.subject ? ` "${ctx.linkedTicket.subject}"` : ""}`));
      const contact = contactLine(s, d.preferPhone, c);
      if (t.kind === "shipment.proactive_contact") {
        return { title: c.shipment.proactiveTitle(customer), nextAction: c.shipment.proactiveAction(contact, at(d.contactBy), cause, guidance), details, dueAt: d.contactBy };
      }
      if (t.kind === "shipment.contact_due") {
        return {
          title: c.shipment.contactDueTitle(customer, firedAt - d.contactBy >= 60_000 ? c.ago(firedAt - d.contactBy) : null),
          nextAction: c.shipment.contactDueAction(contact, cause, guidance),
          details: [...details, c.shipment.contactWas(at(d.contactBy), since)],
          dueAt: d.contactBy,
        };
      }
      if (d.missedSince !== undefined) details.push(c.shipment.updatesMissed(at(d.missedSince)));
      return {
        title: c.shipment.updateTitle(`${d.update ?? ""}`, customer),
        nextAction: c.shipment.updateAction(contact, s.shipment?.reason ?? cause, s.shipment?.estimatedDelivery ? at(s.shipment.estimatedDelivery) : null),
        details,
        dueAt: t.dueAt,
      };
    }
  }
}

export function buildReminder(ctx: ReminderContext): Reminder {
  const { timer: t, state: s } = ctx;
  const [primary = "en", ...others] = ctx.languages ?? [];
  const w = words(ctx, primary);
  const texts: Partial<Record<Language, ReminderWords>> = {};
  for (const lang of others) {
    if (lang === primary || texts[lang]) continue;
    const { title, nextAction, details } = words(ctx, lang);
    texts[lang] = { title, nextAction, details };
  }
  // An English-only store's reminders carry no language fields, exactly as before languages existed.
  const spoken = primary !== "en" || Object.keys(texts).length > 0;
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
    ...(spoken ? { language: primary, timeZone: ctx.timeZone } : {}),
    ...(Object.keys(texts).length > 0 ? { texts } : {}),
  };
}
