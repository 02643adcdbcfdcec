/**
 * English: the words Promptly has always used. Every other catalogue has exactly these keys
 * (`Catalogue` is this object's type), so a message added here and forgotten elsewhere is a type
 * error. Functions take the facts and return the sentence, because word order differs between
 * languages (Turkish puts the verb last), so callers never glue fragments together.
 */
import { formatDuration } from "../rules/duration";

const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Whole minutes, rounded down: "4m", "1h5m"; under a minute says so instead of "1m" or "0s". */
function ago(ms: number): string {
  const floored = Math.floor(Math.max(0, ms) / 60_000) * 60_000;
  return floored === 0 ? "under a minute" : formatDuration(floored);
}

/** "4 min", "2 h 5 min", "3 d 4 h": coarse on purpose, nobody acts on seconds past a minute. */
function span(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}

export const en = {
  /** The BCP 47 locale for `Intl` (dates, plural rules). */
  locale: "en-GB",
  /** Which Intl date style the channels use: English keeps the unambiguous UTC stamp. */
  utcStamps: true,
  metric: { first_reply: "first reply", next_reply: "next reply", periodic_update: "periodic update", resolution: "resolution" },
  priority: { low: "low", normal: "normal", high: "high", urgent: "urgent" },
  channel: { email: "email", chat: "chat", social: "social", phone: "phone", marketplace: "marketplace", web: "web", sms: "sms", api: "api", other: "other" },
  theCustomer: "the customer",
  ago,
  target: (ms: number): string => formatDuration(ms),
  caseLine: (priority: string, channel: string | null, label: string): string => `${priority}${channel ? ` ${channel}` : ""} case ${label}`,
  targetLine: (target: string, rule: string): string => `target ${target} (${rule})`,
  sla: {
    warningTitle: (what: string, dueIn: string, priority: string, channel: string | null): string => `${capital(what)} due in ${dueIn} — ${priority}${channel ? ` ${channel}` : ""}`,
    warningAction: (who: string, at: string): string => `Reply to ${who} before ${at}.`,
    breachTitle: (what: string, by: string | null, priority: string, channel: string | null): string => `${capital(what)} overdue${by ? ` by ${by}` : ""} — ${priority}${channel ? ` ${channel}` : ""}`,
    breachActionResolution: (who: string): string => `Resolve it or tell ${who} what happens next, now.`,
    breachAction: (who: string, what: string): string => `Reply to ${who} now: the ${what} target has passed.`,
    escalationTitle: (what: string, by: string, priority: string, channel: string | null): string => `${capital(what)} still overdue, by ${by} — ${priority}${channel ? ` ${channel}` : ""}`,
    escalationAction: "Take the case or reassign it now.",
  },
  contact: {
    call: (phone: string): string => `Call ${phone}`,
    /** No phone number known: the person, by name when known. */
    callPerson: (who: string): string => `Call ${who}`,
    write: (email: string): string => `Write to ${email}`,
    anyhow: "Contact the customer",
  },
  callback: {
    promised: (owner: string | null, label: string): string => `promised ${owner ? `by ${owner} ` : ""}on ${label}`,
    note: (note: string): string => `note: ${note}`,
    reminderTitle: (who: string, at: string): string => `Callback to ${who} at ${at}`,
    reminderAction: (call: string, at: string): string => `${call} at ${at}, as promised.`,
    dueTitle: (who: string, at: string): string => `Promised callback missed — ${who} expected a call at ${at}`,
    dueAction: (call: string): string => `${call} now, and mark the callback done.`,
    escalationTitle: (who: string): string => `Callback to ${who} still not made`,
    escalationAction: (whom: string, at: string): string => `A lead should call ${whom} now: the promise was for ${at}.`,
  },
  rating: {
    publicly: "publicly, on the rating",
    privately: "to the customer",
    wrote: (comment: string): string => `they wrote: "${comment}"`,
    badTitle: (who: string): string => `Bad rating from ${who}`,
    badAction: (how: string, at: string): string => `Reply ${how} before ${at}: thank them, own the problem, say what you will do.`,
    unansweredTitle: (who: string): string => `Bad rating from ${who} still unanswered`,
    unansweredAction: (how: string, at: string): string => `Reply ${how} now: the reply target was ${at}.`,
  },
  circles: {
    messages: (count: number, who: string): string => `${count} messages from ${who} and still not resolved`,
    reopenings: (count: number): string => `reopened ${count} times`,
    title: (why: string): string => `Going in circles: ${why}`,
    /** The default suggestion when the phone number is known: the number where the call is. */
    callPhone: (phone: string): string => `Call the customer on ${phone} instead of writing again.`,
    /** A store's own suggestion with the number known: the number first, then their words. */
    phoneThen: (phone: string, suggestion: string): string => `Phone: ${phone}. ${suggestion}`,
  },
  dispute: {
    wrote: (word: string): string => `the customer wrote "${word}"`,
    tagged: (tag: string): string => `tagged "${tag}"`,
    title: (label: string, signal: string): string => `Dispute risk on ${label}: ${signal}`,
    customer: (who: string): string => `customer: ${who}`,
  },
  shipment: {
    defaultCause: "the carrier reports a delay",
    since: (label: string, cause: string, since: string): string => `${label}: ${cause} (since ${since})`,
    orders: (ids: string): string => `order ${ids}`,
    openTicket: (ticket: string): string => `the customer already has an open ticket: ${ticket}`,
    proactiveTitle: (who: string): string => `Late parcel: tell ${who} before they ask`,
    proactiveAction: (contact: string, by: string, cause: string, guidance: string): string => `${contact} before ${by}: ${cause}. ${guidance}`,
    contactDueTitle: (who: string, passedAgo: string | null): string => `Late parcel: nobody has told ${who} yet${passedAgo ? ` (target passed ${passedAgo} ago)` : ""}`,
    contactDueAction: (contact: string, cause: string, guidance: string): string => `${contact} now: ${cause}. ${guidance} Then mark the parcel contacted on its case.`,
    contactWas: (at: string, since: string): string => `contact target was ${at} (delay began ${since})`,
    updateTitle: (n: string, who: string): string => `Update ${n} owed to ${who} on their late parcel`,
    updatesMissed: (since: string): string => `catching up: no update has gone out since ${since}; send this one now, the next follow on the interval`,
    updateAction: (contact: string, latest: string, eta: string | null): string => `${contact} with the latest: ${latest}${eta ? `; carrier now expects ${eta}` : ""}. Keep updating until it arrives.`,
  },
  /** The playbook's default guidance. A store that wrote its own text gets it as written. */
  defaults: {
    circles: "Call the customer instead of writing again; if there is no phone number, offer a call slot.",
    dispute: "The customer is close to a chargeback or a public complaint: offer a refund or a coupon now, before the bank or a review site decides for you.",
    shipment:
      "Tell the customer before they ask: admit the delay, explain the cause in plain words from the carrier's reason, and offer a refund of shipping, a full refund, or a new delivery date.",
  },
  /** The frame every channel puts around a reminder (src/notify/render.ts). */
  render: {
    urgent: "URGENT",
    reminder: "Reminder",
    escalationLevel: (n: number): string => `escalation level ${n}`,
    nextAction: "Next action",
    due: "Due",
    raised: "Raised",
    customer: "Customer",
    order: "Order",
    subject: "Subject",
    open: "Open",
    case: "Case",
    span,
    dueIn: (s: string): string => `due in ${s}`,
    dueNow: "due now",
    late: (s: string): string => `${s} late`,
    dueLine: (at: string, lateness: string): string => `due ${at} (${lateness})`,
    ticket: (provider: string, id: string): string => `${provider} ticket ${id}`,
    shipment: (provider: string, tracking: string): string => `${provider} shipment ${tracking}`,
    theCase: "the case",
    rule: (name: string, version: number, path: string | null, kind: string): string => `Rule "${name}" v${version}${path ? ` (${path})` : ""} · ${kind}`,
    digestTitle: (count: number): string => (count === 1 ? "1 reminder held during quiet hours" : `${count} reminders held during quiet hours`),
    released: (at: string): string => `released ${at}`,
    quietHoursEnded: (at: string): string => `Quiet hours ended ${at}`,
    more: (n: number): string => `…and ${n} more: see the delivery log for the full list.`,
    caseTimeline: "case timeline",
    noticeTitle: (channel: string, failures: number): string => `Channel "${channel}" is failing: ${failures} deliveries in a row did not go through`,
    noticeSince: (since: string, channel: string, type: string | null, lastError: string): string =>
      `Since ${since}, every delivery to "${channel}"${type ? ` (${type})` : ""} has failed. Last error: ${lastError}.`,
    noticeUnknownError: "unknown",
    noticeAdvice:
      "Promptly keeps retrying them, so nothing is lost, but people relying on that channel are not being told. Check the channel's URL and credentials in the store's rules, and the delivery log (GET /v1/stores/:storeId/deliveries?state=pending).",
  },
};

/** The shape every language's catalogue has: English's keys, each a string or a sentence builder. */
export type Catalogue = typeof en;
