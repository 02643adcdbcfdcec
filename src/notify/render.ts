/**
 * The words every channel shows, so Slack, a helpdesk note and a digest say the same thing the
 * same way. Channels only decide the markup (Block Kit, HTML, plain text) around these pieces.
 *
 * Order matters: a person reads the first two lines and acts. What is due and how late, then
 * what to do, then who the customer is; the rule and the idempotency key come last, for the
 * curious and for support engineers chasing duplicates.
 */
import { ADAPTER_LIST } from "../webhooks/registry";
import type { ChannelNotice } from "./messages";
import type { Reminder } from "./reminder";

/** Each provider's name as reminders say it ("Zendesk ticket 5158"), from its adapter. */
const PROVIDER_NAMES: Record<string, string> = Object.fromEntries(ADAPTER_LIST.map((a) => [a.id, a.shortName ?? a.title]));

export function providerName(provider: string): string {
  return PROVIDER_NAMES[provider] ?? provider;
}

/** "4 min", "2 h 5 min", "3 d 4 h": coarse on purpose, nobody acts on seconds past a minute. */
export function formatSpan(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}

/** How the reminder stands against its due instant: "due in 15 min", "due now", "4 min late". */
export function lateness(lateByMs: number): string {
  if (lateByMs <= -30_000) return `due in ${formatSpan(lateByMs)}`;
  if (lateByMs < 30_000) return "due now";
  return `${formatSpan(lateByMs)} late`;
}

/** `2026-03-02 14:00 UTC`: unambiguous in every receiving system (Slack localizes its own). */
export function formatInstant(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function urgencyLabel(r: Pick<Reminder, "urgency" | "escalationLevel">): string {
  const level = r.escalationLevel ? ` · escalation level ${r.escalationLevel}` : "";
  return r.urgency === "urgent" ? `URGENT${level}` : `Reminder${level}`;
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
  if (!s) return "the case";
  if (s.ticketId) return `${providerName(s.provider)} ticket ${s.ticketId}`;
  if (s.trackingNumber) return `${providerName(s.provider)} shipment ${s.trackingNumber}`;
  return providerName(s.provider);
}

export function ruleLine(r: Reminder): string {
  const path = r.rule.path ? ` (${r.rule.path})` : "";
  return `Rule "${r.rule.name}" v${r.rule.version}${path} · ${r.kind}`;
}

/** One labelled fact per line: what a plain-text or HTML note lists under the title. */
export function reminderFacts(r: Reminder): { label: string; value: string; href?: string }[] {
  const facts: { label: string; value: string; href?: string }[] = [{ label: "Due", value: `${formatInstant(r.dueAt)} (${lateness(r.lateByMs)})` }];
  const customer = customerLine(r);
  if (customer) facts.push({ label: "Customer", value: customer });
  if (r.orderId) facts.push({ label: "Order", value: r.orderId });
  if (r.subject) facts.push({ label: "Subject", value: r.subject });
  if (r.sourceUrl) facts.push({ label: "Open", value: sourceLabel(r), href: r.sourceUrl });
  if (r.caseUrl) facts.push({ label: "Case", value: r.caseId, href: r.caseUrl });
  return facts;
}

/** The reminder as plain text: the body of a Zendesk comment and the docs' plain rendering. */
export function reminderText(r: Reminder, key: string): string {
  const lines = [`[${urgencyLabel(r)}] ${r.title}`, "", `Next action: ${r.nextAction}`, ""];
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
  return Number.isFinite(at) && Number.isFinite(due) ? lateness(at - due) : lateness(r.lateByMs);
}

export function digestTitle(count: number): string {
  return count === 1 ? "1 reminder held during quiet hours" : `${count} reminders held during quiet hours`;
}

export function digestText(reminders: Reminder[], releasedAt: string, key: string): string {
  const lines = [`${digestTitle(reminders.length)} (released ${formatInstant(releasedAt)})`, ""];
  reminders.forEach((r, i) => {
    lines.push(`${i + 1}. ${r.title}: due ${formatInstant(r.dueAt)} (${latenessAt(r, releasedAt)})`);
    lines.push(`   Next action: ${r.nextAction}`);
    const customer = customerLine(r);
    if (customer) lines.push(`   Customer: ${customer}`);
    if (r.sourceUrl) lines.push(`   Open: ${r.sourceUrl}`);
  });
  lines.push("", `ref ${key}`);
  return lines.join("\n");
}

export function noticeTitle(n: ChannelNotice): string {
  return `Channel "${n.channel}" is failing: ${n.consecutiveFailures} deliveries in a row did not go through`;
}

export function noticeText(n: ChannelNotice, key: string): string {
  return [
    noticeTitle(n),
    "",
    `Since ${formatInstant(n.since)}, every delivery to "${n.channel}"${n.channelType ? ` (${n.channelType})` : ""} has failed. Last error: ${n.lastError ?? "unknown"}.`,
    "Promptly keeps retrying them, so nothing is lost, but people relying on that channel are not being told. Check the channel's URL and credentials in the store's rules, and the delivery log (GET /v1/stores/:storeId/deliveries?state=pending).",
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
    `<p><strong>Next action:</strong> ${escapeHtml(r.nextAction)}</p>` +
    `<ul>${facts}</ul>${details}` +
    `<p><small>${escapeHtml(ruleLine(r))} · ref ${escapeHtml(key)}</small></p>`
  );
}

export function digestHtml(reminders: Reminder[], releasedAt: string, key: string): string {
  const items = reminders
    .map((r) => {
      const href = safeHref(r.sourceUrl);
      const open = href ? ` · <a href="${escapeHtml(href)}">${escapeHtml(sourceLabel(r))}</a>` : "";
      return `<li><strong>${escapeHtml(r.title)}</strong>: due ${escapeHtml(formatInstant(r.dueAt))} (${escapeHtml(latenessAt(r, releasedAt))})<br>Next action: ${escapeHtml(r.nextAction)}${open}</li>`;
    })
    .join("");
  return (
    `<p><strong>${escapeHtml(digestTitle(reminders.length))}</strong> (released ${escapeHtml(formatInstant(releasedAt))})</p>` +
    `<ol>${items}</ol><p><small>ref ${escapeHtml(key)}</small></p>`
  );
}
