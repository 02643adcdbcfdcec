/**
 * An action taken outside Slack (the acknowledge API, the console's "Take it") rewrites the Slack
 * app messages of the case's reminders, as a click in Slack does: people watching the channel see
 * the case is taken without opening anything. The message is found through the delivery log's
 * receipt (channel + ts, kept when `chat.postMessage` answered) and rebuilt from the reminder the
 * delivery carried, with the outcome line added.
 */
import { slackAppMessage } from "../notify/channels/slack-app";
import type { RulesDocument } from "../rules/schema";
import { slackApi } from "./api";
import { updateAfterAction } from "./blocks";
import type { ReminderAction } from "../cases/reminder-actions";

export async function echoToSlack(env: Env, storeId: string, doc: RulesDocument, reminderIds: string[], act: { kind: ReminderAction; summary: string; by: string; at: number }): Promise<number> {
  if (reminderIds.length === 0) return 0;
  const receipts = await env.STORES.getByName(storeId).deliveryReceipts(reminderIds);
  let updated = 0;
  for (const r of receipts) {
    const app = Object.hasOwn(doc.channels, r.channel) ? doc.channels[r.channel] : undefined;
    if (!app || app.type !== "slack_app") continue;
    let where: { channel?: unknown; ts?: unknown };
    try {
      where = JSON.parse(r.receipt) as { channel?: unknown; ts?: unknown };
    } catch {
      continue;
    }
    if (typeof where.channel !== "string" || typeof where.ts !== "string") continue;
    // Only the escalating reminders say "take it": a warning's message is left as it was.
    if (!/\.(breach|escalation)$|^callback\.due$/.test(r.reminder.kind)) continue;
    const { blocks } = slackAppMessage({ kind: "reminder", key: r.reminder.id, deliveryId: `${r.reminder.id}#${r.channel}`, reminder: r.reminder }, app.channel);
    const out = await slackApi(env, app, "chat.update", updateAfterAction({ channel: where.channel, ts: where.ts, blocks }, act));
    if (out.ok) updated += 1;
  }
  return updated;
}
