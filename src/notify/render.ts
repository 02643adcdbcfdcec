/**
 * The words every channel shows, so Slack, a helpdesk note and a digest say the same thing the
 * same way. Channels only decide the markup (Block Kit, HTML, plain text) around these pieces.
 *
 * Order matters: a person reads the first two lines and acts. What is due and how late, then
 * what to do, then who the customer is; the rule and the idempotency key come last, for the
 * curious and for support engineers chasing duplicates.
 *
 * Every word is the reader's language: a reminder's `language` (set per channel by
 * src/notify/localize.ts) picks the catalogue for the labels, lateness and dates around its
 * words. English output is what it has always been.
 */
import { catalogueFor, formatStamp, type Language } from "../i18n";
import { ADAPTER_LIST } from "../webhooks/registry";
import type { ChannelNotice } from "./messages";
import type { Reminder } from "./reminder";

/** Each provider's name as reminders say it ("Zendesk ticket 5158"), from its adapter. */
const PROVIDER_NAMES: Record<string, string> = Object.fromEntries(ADAPTER_LIST.map((a) => [a.id, a.shortName ?? a.title]));

export function providerName(provider: string): string {
  return PROVIDER_NAMES[provider] ?? provider;
}

/** The catalogue of the reader of this reminder (or notice, digest): English unless it says otherwise. */
const words = (x: { language?: Language | undefined } | undefined) => catalogueFor(x?.language);

/** "4 min", "2 h 5 min", "3 d 4 h": coarse on purpose, nobody acts on seconds past a minute. */
export function formatSpan(ms: number, lang?: Language): string {
  return catalogueFor(lang).render.span(ms);
}

/** How the reminder stands against its due instant: "due in 15 min", "due now", "4 min late". */
export function lateness(lateByMs: number, lang?: Language): string {
  const c = catalogueFor(lang).render;
  if (lateByMs <= -30_000) return c.dueIn(c.span(lateByMs));
  if (lateByMs < 30_000) return c.dueNow;
  return c.late(c.span(lateByMs));
}

/**
 * `2026-03-02 14:00 UTC` in English: unambiguous in every receiving system (Slack localizes its
 * own). Other languages: the date in their words, in the store's zone (src/i18n `formatStamp`).
 */
export function formatInstant(iso: string, lang?: Language, timeZone?: string): string {
  return formatStamp(iso, lang, timeZone);
}

/** An instant of this reminder, for its reader. */
const stamp = (r: Pick<Reminder, "language" | "timeZone">, iso: string): string => formatInstant(iso, r.language, r.timeZone);

export function urgencyLabel(r: Pick<Reminder, "urgency" | "escalationLevel" | "language">): string {
  const c = words(r).render;
  const level = r.escalationLevel ? ` · ${c.escalationLevel(r.escalationLevel)}` : "";
  return r.urgency === "urgent" ? `${c.urgent}${level}` : `${c.reminder}${level}`;
}

/**
 * Kinds that raise an alarm about something that happened (a dispute signal) rather than a
 * deadline: "Due … (due now)" would be a made-up deadline, so their instant is labelled "Raised".
 */
const NO_DEADLINE = new Set(["dispute.escalation"]);

export function hasDeadline(r: Pick<Reminder, "kind">): boolean {
  return !NO_DEADLINE.has(r.kind);
}

/** "Ayşe Yılmaz · ayse@example.com · +90 532 000 00 00", or null when nothing is known. */
export function customerLine(r: Reminder): string | null {
  const c = r.customer;
  const parts = [c?.name, c?.email, c?.phone].filter((p): p is string => typeof p === "string" && p.trim() !== "");
  return parts.length > 0 ? parts.join(" · ") : null;
}

/** "Zendesk ticket 5158" / "UPS shipment 1Z…", for link labels. */
export function sourceLabel(r: Reminder): string {
  const s = r.source;
  const c = words(r).render;
  if (!s) return c.theCase;
  if (s.ticketId) return c.ticket(providerName(s.provider), s.ticketId);
  if (s.trackingNumber) return c.shipment(providerName(s.provider), s.trackingNumber);
  return providerName(s.provider);
}

export function ruleLine(r: Reminder): string {
  return words(r).render.rule(r.rule.name, r.rule.version, r.rule.path ?? null, r.kind);
}

/** One labelled fact per line: what a plain-text or HTML note lists under the title. */
export function reminderFacts(r: Reminder): { label: string; value: string; href?: string }[] {
  const c = words(r).render;
  const when = hasDeadline(r) ? { label: c.due, value: `${stamp(r, r.dueAt)} (${lateness(r.lateByMs, r.language)})` } : { label: c.raised, value: stamp(r, r.dueAt) };
  const facts: { label: string; value: string; href?: string }[] = [when];
  const customer = customerLine(r);
  if (customer) facts.push({ label: c.customer, value: customer });
  if (r.orderId) facts.push({ label: c.order, value: r.orderId });
  if (r.subject) facts.push({ label: c.subject, value: r.subject });
  if (r.sourceUrl) facts.push({ label: c.open, value: sourceLabel(r), href: r.sourceUrl });
  if (r.caseUrl) facts.push({ label: c.case, value: r.caseId, href: r.caseUrl });
  return facts;
}

/** The reminder as plain text: the body of a Zendesk comment and the docs' plain rendering. */
export function reminderText(r: Reminder, key: string): string {
  const lines = [`[${urgencyLabel(r)}] ${r.title}`, "", `${words(r).render.nextAction}: ${r.nextAction}`, ""];
  for (const f of reminderFacts(r)) lines.push(`${f.label}: ${f.value}${f.href ? ` <${f.href}>` : ""}`);
  if (r.details.length > 0) {
    lines.push("");
    for (const d of r.details) lines.push(`- ${d}`);
  }
  lines.push("", `${ruleLine(r)} · ref ${key}`);
  return lines.join("\n");
}

/**
 * Lateness as of the digest's release: a reminder held overnight is read in the morning, when
 * "due now" (its lateness when it fired) would no longer be true.
 */
export function latenessAt(r: Reminder, atIso: string): string {
  const at = Date.parse(atIso);
  const due = Date.parse(r.dueAt);
  return Number.isFinite(at) && Number.isFinite(due) ? lateness(at - due, r.language) : lateness(r.lateByMs, r.language);
}

/** "due <instant> (<lateness at release>)" for a digest line, or the instant it was raised. */
export function digestWhen(r: Reminder, releasedAt: string): string {
  const c = words(r).render;
  return hasDeadline(r) ? c.dueLine(stamp(r, r.dueAt), latenessAt(r, releasedAt)) : `${c.raised.toLocaleLowerCase(words(r).locale)} ${stamp(r, r.dueAt)}`;
}

export function digestTitle(count: number, lang?: Language): string {
  return catalogueFor(lang).render.digestTitle(count);
}

/** A digest's reminders are all localized for one channel: the first one's language is the digest's. */
const digestLanguage = (reminders: readonly Reminder[]): Language | undefined => reminders[0]?.language;

export function digestText(reminders: Reminder[], releasedAt: string, key: string): string {
  const lang = digestLanguage(reminders);
  const c = catalogueFor(lang).render;
  const timeZone = reminders[0]?.timeZone;
  const lines = [`${digestTitle(reminders.length, lang)} (${c.released(formatInstant(releasedAt, lang, timeZone))})`, ""];
  reminders.forEach((r, i) => {
    lines.push(`${i + 1}. ${r.title}: ${digestWhen(r, releasedAt)}`);
    lines.push(`   ${c.nextAction}: ${r.nextAction}`);
    const customer = customerLine(r);
    if (customer) lines.push(`   ${c.customer}: ${customer}`);
    if (r.sourceUrl) lines.push(`   ${c.open}: ${r.sourceUrl}`);
  });
  lines.push("", `ref ${key}`);
  return lines.join("\n");
}

export function noticeTitle(n: ChannelNotice, lang?: Language): string {
  return catalogueFor(lang).render.noticeTitle(n.channel, n.consecutiveFailures);
}

export function noticeText(n: ChannelNotice, key: string, lang?: Language): string {
  const c = catalogueFor(lang).render;
  return [
    noticeTitle(n, lang),
    "",
    c.noticeSince(formatInstant(n.since, lang), n.channel, n.channelType, n.lastError ?? c.noticeUnknownError),
    c.noticeAdvice,
    "",
    `ref ${key}`,
  ].join("\n");
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Only http(s) links are ever rendered as links; anything else is shown as text. */
export function safeHref(href: string | undefined): string | null {
  if (!href) return null;
  try {
    const u = new URL(href);
    return u.protocol === "https:" || u.protocol === "http:" ? u.toString() : null;
  } catch {
    return null;
  }
}

/** The reminder as simple HTML, for helpdesks whose notes are HTML (Freshdesk, Help Scout, Gorgias). */
export function reminderHtml(r: Reminder, key: string): string {
  const facts = reminderFacts(r)
    .map((f) => {
      const href = safeHref(f.href);
      const value = href ? `<a href="${escapeHtml(href)}">${escapeHtml(f.value)}</a>` : escapeHtml(f.value);
      return `<li><strong>${escapeHtml(f.label)}:</strong> ${value}</li>`;
    })
    .join("");
  const details = r.details.length > 0 ? `<ul>${r.details.map((d) => `<li>${escapeHtml(d)}</li>`).join("")}</ul>` : "";
  return (
    `<p><strong>[${escapeHtml(urgencyLabel(r))}] ${escapeHtml(r.title)}</strong></p>` +
    `<p><strong>${escapeHtml(words(r).render.nextAction)}:</strong> ${escapeHtml(r.nextAction)}</p>` +
    `<ul>${facts}</ul>${details}` +
    `<p><small>${escapeHtml(ruleLine(r))} · ref ${escapeHtml(key)}</small></p>`
  );
}

export function digestHtml(reminders: Reminder[], releasedAt: string, key: string): string {
  const lang = digestLanguage(reminders);
  const c = catalogueFor(lang).render;
  const items = reminders
    .map((r) => {
      const href = safeHref(r.sourceUrl);
      const open = href ? ` · <a href="${escapeHtml(href)}">${escapeHtml(sourceLabel(r))}</a>` : "";
      return `<li><strong>${escapeHtml(r.title)}</strong>: ${escapeHtml(digestWhen(r, releasedAt))}<br>${escapeHtml(c.nextAction)}: ${escapeHtml(r.nextAction)}${open}</li>`;
    })
    .join("");
  return (
    `<p><strong>${escapeHtml(digestTitle(reminders.length, lang))}</strong> (${escapeHtml(c.released(formatInstant(releasedAt, lang, reminders[0]?.timeZone)))})</p>` +
    `<ol>${items}</ol><p><small>ref ${escapeHtml(key)}</small></p>`
  );
}
