/**
 * The Slack app's own Block Kit: the buttons under a reminder, the "promise a callback" modal and
 * the line that says who did what once someone acted. Pure (no Cloudflare imports): the
 * `slack_app` channel builds messages with it, the interactivity endpoint updates them with it,
 * and docs/notifications.md shows its output (src/notify/examples.ts).
 *
 * The reminder's own wording (header, next action, facts) comes from the `slack` channel's
 * renderer unchanged; only the buttons and the outcome line are Slack-app specific.
 */
import type { ActionsBlock, Button, ContextBlock, KnownBlock, View } from "@slack/types";
import { Temporal } from "temporal-polyfill";
import { z } from "zod";
import { actionsFor, type ReminderAction } from "../cases/reminder-actions";
import type { Reminder } from "../notify/reminder";

/** `action_id`s of the buttons; `promptly.open_case` is a link and needs no handling. */
export const ACTION_IDS: Record<ReminderAction | "open_case", string> = {
  acknowledge: "promptly.acknowledge",
  snooze: "promptly.snooze",
  called: "promptly.called",
  promise_callback: "promptly.promise_callback",
  open_case: "promptly.open_case",
};
export const CALLBACK_VIEW_ID = "promptly.callback";
export const ACTIONS_BLOCK_ID = "promptly.actions";
export const OUTCOME_BLOCK_ID = "promptly.outcome";

const LABELS: Record<ReminderAction, string> = {
  acknowledge: "I'm on it",
  snooze: "Snooze 15 min",
  called: "Called the customer",
  promise_callback: "Promise a callback",
};

/** How the message says what was done ("is on it: escalation stopped"). */
export function actionWords(kind: ReminderAction, summary: string, by: string): string {
  if (kind === "acknowledge") return "is on it: escalation stopped";
  return summary.startsWith(`${by} `) ? summary.slice(by.length + 1) : summary;
}

const escapeMrkdwn = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The `chat.update` body after `by` acted on the message `ts` in `channel` (what the docs show). */
export function updateAfterAction(m: { channel: string; ts: string; blocks: readonly KnownBlock[] }, act: { kind: ReminderAction; summary: string; by: string; at: number }) {
  const words = actionWords(act.kind, act.summary, act.by);
  return { channel: m.channel, ts: m.ts, text: `${act.by}: ${words}`, blocks: blocksAfterAction(m.blocks, outcomeLine(`*${escapeMrkdwn(act.by)}*: ${escapeMrkdwn(words)}`, act.at)) };
}

/** What each button carries back: the case and the timer (the reminder id is `${caseId}:${timerKey}`). */
export const ButtonValue = z.object({ c: z.string().min(1).max(300), k: z.string().min(1).max(500) }).strict();
export type ButtonValue = z.infer<typeof ButtonValue>;

/** The timer key of a reminder, from its id. */
export function timerKeyOf(r: Pick<Reminder, "id" | "caseId">): string {
  return r.id.startsWith(`${r.caseId}:`) ? r.id.slice(r.caseId.length + 1) : r.id;
}

/** The console's case page, on the same host as the API link the reminder carries. */
export function consoleCaseUrl(r: Pick<Reminder, "caseUrl" | "caseId" | "storeId">): string | null {
  if (!r.caseUrl) return null;
  try {
    const origin = new URL(r.caseUrl).origin;
    return `${origin}/cases/${encodeURIComponent(r.caseId)}?store=${encodeURIComponent(r.storeId)}`;
  } catch {
    return null;
  }
}

/** The buttons that make sense for this reminder's kind, plus "Open case". */
export function actionButtons(r: Pick<Reminder, "id" | "caseId" | "storeId" | "kind" | "caseUrl">): ActionsBlock | null {
  const value = JSON.stringify({ c: r.caseId, k: timerKeyOf(r) } satisfies ButtonValue);
  const elements: Button[] = actionsFor(r.kind).map((a) => ({
    type: "button",
    action_id: ACTION_IDS[a],
    text: { type: "plain_text", text: LABELS[a], emoji: true },
    value,
    ...(a === "acknowledge" ? { style: "primary" as const } : {}),
  }));
  const url = consoleCaseUrl(r);
  if (url) elements.push({ type: "button", action_id: ACTION_IDS.open_case, text: { type: "plain_text", text: "Open case", emoji: true }, url });
  return elements.length > 0 ? { type: "actions", block_id: ACTIONS_BLOCK_ID, elements } : null;
}

/**
 * The message after an action: the reminder as it was, one outcome line per action so far (the
 * latest last), and the buttons still offered. An acknowledged breach keeps its other buttons: a
 * callback can still be promised.
 */
export function blocksAfterAction(previous: readonly KnownBlock[], line: string): KnownBlock[] {
  const kept = previous.filter((b) => b.block_id !== ACTIONS_BLOCK_ID);
  const actions = previous.find((b) => b.block_id === ACTIONS_BLOCK_ID);
  const outcome: ContextBlock = { type: "context", elements: [{ type: "mrkdwn", text: line }] };
  // Slack wants block ids unique within a message: outcome lines are numbered.
  const n = kept.filter((b) => typeof b.block_id === "string" && b.block_id.startsWith(OUTCOME_BLOCK_ID)).length;
  outcome.block_id = `${OUTCOME_BLOCK_ID}.${n + 1}`;
  return [...kept, outcome, ...(actions ? [actions] : [])].slice(-50);
}

/** "✅ *Ayşe* is on it · 14:02" in each reader's own time zone. */
export function outcomeLine(text: string, at: number): string {
  const secs = Math.floor(at / 1000);
  return `✅ ${text} · <!date^${secs}^{time}|${new Date(at).toISOString()}>`;
}

/** What the modal carries from the button to the submission. */
export const CallbackViewMetadata = z
  .object({ c: z.string().min(1).max(300), k: z.string().min(1).max(500), zone: z.string().min(1).max(100), channel: z.string().max(100).optional(), ts: z.string().max(50).optional(), app: z.string().max(80) })
  .strict();
export type CallbackViewMetadata = z.infer<typeof CallbackViewMetadata>;

export const CALLBACK_BLOCKS = { date: "promptly.cb.date", time: "promptly.cb.time", note: "promptly.cb.note" } as const;

/** The local date and time `at` falls on in `zone`, as Slack's date and time pickers want them. */
export function localDateTime(at: number, zone: string): { date: string; time: string } {
  const z = Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(zone);
  const pad = (n: number) => String(n).padStart(2, "0");
  return { date: `${z.year}-${pad(z.month)}-${pad(z.day)}`, time: `${pad(z.hour)}:${pad(z.minute)}` };
}

/** The instant a date and time in `zone` name (the earlier one in a repeated hour); null when unreadable. */
export function instantOf(date: string, time: string, zone: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{2}:\d{2}$/.test(time)) return null;
  try {
    return Temporal.PlainDateTime.from(`${date}T${time}`).toZonedDateTime(zone, { disambiguation: "earlier" }).epochMilliseconds;
  } catch {
    return null;
  }
}

/** The "Promise a callback" modal, preset to an hour from now in the store's calendar zone. */
export function callbackModal(meta: CallbackViewMetadata, now: number, customer?: string): View {
  const preset = localDateTime(now + 60 * 60_000, meta.zone);
  return {
    type: "modal",
    callback_id: CALLBACK_VIEW_ID,
    private_metadata: JSON.stringify(meta),
    title: { type: "plain_text", text: "Promise a callback" },
    submit: { type: "plain_text", text: "Promise" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `When will you call${customer ? ` ${customer}` : " the customer"}? Times are in *${meta.zone}* (the store's calendar).` } },
      { type: "input", block_id: CALLBACK_BLOCKS.date, label: { type: "plain_text", text: "Date" }, element: { type: "datepicker", action_id: "date", initial_date: preset.date } },
      { type: "input", block_id: CALLBACK_BLOCKS.time, label: { type: "plain_text", text: "Time" }, element: { type: "timepicker", action_id: "time", initial_time: preset.time } },
      { type: "input", block_id: CALLBACK_BLOCKS.note, optional: true, label: { type: "plain_text", text: "Note" }, element: { type: "plain_text_input", action_id: "note", max_length: 500 } },
    ],
  };
}
