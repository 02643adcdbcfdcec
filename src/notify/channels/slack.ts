/**
 * Slack incoming webhook: a Block Kit message a person can read in two seconds.
 *
 * Header: what is due or breached. First section: the next action. Fields: when (in the reader's
 * own time zone, via Slack's `<!date>` token), the customer, the order, the link to the ticket.
 * Then the extra context lines, and last, in small print, the rule and the idempotency key.
 *
 * Block shapes come from `@slack/types`; Slack's limits (header 150 chars, section text 3000,
 * fields 10 × 2000, 50 blocks per message) are enforced here by truncating, because Slack
 * answers `400 invalid_payload` to a message that exceeds them, which would turn one long
 * customer name into a dead reminder.
 *
 * Incoming webhooks answer `200 ok`, and on failure a short reason in the body: 400
 * `invalid_payload`, 403 `action_prohibited`, 404 `channel_not_found` / `no_service`, 410
 * `channel_is_archived` (all permanent: the webhook must be fixed), 429 with `Retry-After`,
 * 500 `rollup_error` (retried).
 */
import type { ContextBlock, HeaderBlock, KnownBlock, MrkdwnElement, SectionBlock } from "@slack/types";
import type { SlackChannel } from "../../rules/schema";
import type { z } from "zod";
import type { Outbound } from "../messages";
import type { Reminder } from "../reminder";
import { catalogueFor, type Language } from "../../i18n";
import { customerLine, digestTitle, formatInstant, hasDeadline, lateness, latenessAt, noticeText, noticeTitle, ruleLine, safeHref, sourceLabel, urgencyLabel } from "../render";
import { classifyHttp, commonHeaders, type ChannelAdapter } from "./channel";

type Config = z.infer<typeof SlackChannel>;

export const SLACK_LIMITS = { header: 150, sectionText: 3000, field: 2000, fields: 10, contextElements: 10, blocks: 50, fallbackText: 3000 } as const;

/** Incoming-webhook payload: `text` is the notification and screen-reader fallback. */
export interface SlackPayload {
  text: string;
  blocks: KnownBlock[];
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Slack mrkdwn needs only these three escaped; everything else is literal. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function link(href: string | undefined, label: string): string | null {
  const url = safeHref(href);
  // `|` and `>` would end the link token early; they are rare in URLs and safe to encode.
  return url ? `<${url.replace(/\|/g, "%7C").replace(/>/g, "%3E")}|${escapeMrkdwn(label)}>` : null;
}

/**
 * `<!date^…>` renders in each reader's own time zone (in the Slack client's language); the
 * fallback, in the channel's language and the store's zone, is what old clients and
 * notifications show.
 */
function slackDate(iso: string, lang?: Language, timeZone?: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return escapeMrkdwn(iso);
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${escapeMrkdwn(formatInstant(iso, lang, timeZone))}>`;
}

const mrkdwn = (text: string, max: number = SLACK_LIMITS.sectionText): MrkdwnElement => ({ type: "mrkdwn", text: clip(text, max) });

function header(text: string): HeaderBlock {
  return { type: "header", text: { type: "plain_text", text: clip(text, SLACK_LIMITS.header), emoji: true } };
}

function section(text: string): SectionBlock {
  return { type: "section", text: mrkdwn(text) };
}

function context(texts: string[]): ContextBlock {
  return { type: "context", elements: texts.slice(0, SLACK_LIMITS.contextElements).map((t) => mrkdwn(t)) };
}

function icon(r: Reminder): string {
  if (r.urgency === "urgent") return "🔴";
  return r.lateByMs < 0 ? "🟡" : "🟠";
}

function reminderFields(r: Reminder): MrkdwnElement[] {
  const c = catalogueFor(r.language).render;
  const at = slackDate(r.dueAt, r.language, r.timeZone);
  const fields = [mrkdwn(hasDeadline(r) ? `*${c.due}*\n${at} (${lateness(r.lateByMs, r.language)})` : `*${c.raised}*\n${at}`, SLACK_LIMITS.field)];
  const customer = customerLine(r);
  if (customer) fields.push(mrkdwn(`*${c.customer}*\n${escapeMrkdwn(customer)}`, SLACK_LIMITS.field));
  if (r.orderId) fields.push(mrkdwn(`*${c.order}*\n${escapeMrkdwn(r.orderId)}`, SLACK_LIMITS.field));
  const open = link(r.sourceUrl, sourceLabel(r));
  if (open) fields.push(mrkdwn(`*${c.open}*\n${open}`, SLACK_LIMITS.field));
  if (r.subject) fields.push(mrkdwn(`*${c.subject}*\n${escapeMrkdwn(r.subject)}`, SLACK_LIMITS.field));
  return fields.slice(0, SLACK_LIMITS.fields);
}

export function reminderBlocks(r: Reminder, key: string): KnownBlock[] {
  const c = catalogueFor(r.language).render;
  // An escalation's level leads the header: the title says what is overdue, the level who is now told.
  const lead = r.escalationLevel ? `${urgencyLabel(r)}: ` : "";
  const blocks: KnownBlock[] = [
    header(`${icon(r)} ${lead}${r.title}`),
    section(`*${c.nextAction}:* ${escapeMrkdwn(r.nextAction)}`),
    { type: "section", fields: reminderFields(r) },
  ];
  if (r.details.length > 0) blocks.push(section(r.details.map((d) => `• ${escapeMrkdwn(d)}`).join("\n")));
  const caseLink = link(r.caseUrl, c.caseTimeline);
  blocks.push(context([`${escapeMrkdwn(urgencyLabel(r))} · ${escapeMrkdwn(ruleLine(r))}${caseLink ? ` · ${caseLink}` : ""} · ref \`${escapeMrkdwn(key)}\``]));
  return blocks;
}

/** One section per held reminder; past Slack's 50-block limit the rest are counted, not dropped silently. */
export function digestBlocks(reminders: Reminder[], releasedAt: string, key: string): KnownBlock[] {
  const lang = reminders[0]?.language;
  const c = catalogueFor(lang).render;
  const blocks: KnownBlock[] = [header(`🌙 ${digestTitle(reminders.length, lang)}`), context([`${c.quietHoursEnded(slackDate(releasedAt, lang, reminders[0]?.timeZone))} · ref \`${escapeMrkdwn(key)}\``])];
  const room = SLACK_LIMITS.blocks - blocks.length - 1;
  const shown = reminders.length > room ? reminders.slice(0, room - 1) : reminders;
  for (const r of shown) {
    const open = link(r.sourceUrl, sourceLabel(r));
    const who = customerLine(r);
    blocks.push(
      section(
        [
          `${icon(r)} *${escapeMrkdwn(r.title)}*`,
          `${dueLine(r, releasedAt)}${who ? ` · ${escapeMrkdwn(who)}` : ""}`,
          `*${c.nextAction}:* ${escapeMrkdwn(r.nextAction)}${open ? ` · ${open}` : ""}`,
        ].join("\n"),
      ),
    );
  }
  if (shown.length < reminders.length) blocks.push(section(c.more(reminders.length - shown.length)));
  return blocks;
}

/** "Due <date> (lateness)" with the date as a Slack token; a reminder with no deadline says when it was raised. */
function dueLine(r: Reminder, releasedAt: string): string {
  const c = catalogueFor(r.language).render;
  const at = slackDate(r.dueAt, r.language, r.timeZone);
  if (!hasDeadline(r)) return `${c.raised} ${at}`;
  const line = c.dueLine(at, latenessAt(r, releasedAt));
  return line.charAt(0).toLocaleUpperCase(catalogueFor(r.language).locale) + line.slice(1);
}

export function noticeBlocks(out: Extract<Outbound, { kind: "notice" }>): KnownBlock[] {
  const [, , ...rest] = noticeText(out.notice, out.key, out.language).split("\n");
  return [header(`⚠️ ${noticeTitle(out.notice, out.language)}`), section(escapeMrkdwn(rest.join("\n").trim()))];
}

export function slackPayload(out: Outbound): SlackPayload {
  switch (out.kind) {
    case "reminder":
      return { text: clip(`${urgencyLabel(out.reminder)}: ${out.reminder.title}. ${out.reminder.nextAction}`, SLACK_LIMITS.fallbackText), blocks: reminderBlocks(out.reminder, out.key) };
    case "digest":
      return { text: digestTitle(out.reminders.length, out.reminders[0]?.language), blocks: digestBlocks(out.reminders, out.releasedAt, out.key) };
    case "notice":
      return { text: noticeTitle(out.notice, out.language), blocks: noticeBlocks(out) };
  }
}

export const slack: ChannelAdapter<Config> = {
  type: "slack",
  notesOn: null,
  async build(out, config) {
    return { url: config.webhookUrl, method: "POST", headers: commonHeaders(out), body: JSON.stringify(slackPayload(out)) };
  },
  classify: (answer) => classifyHttp(answer),
};
