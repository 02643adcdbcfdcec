/**
 * `POST /v1/stores/:storeId/channels/:name/test`: "send a test reminder" on the Connections page.
 *
 * It goes through the real delivery path (dispatchReminder → the delivery log → the queue → the
 * channel), so what the admin sees arrive, fail or retry is exactly what a breach would do: the
 * same URL, credentials, signing, retries and health count. Only the words and the ids say it is
 * a test, so nobody acts on it and no receiver confuses it with a case.
 */
import { z } from "zod";
import { ApiError } from "../http/errors";
import { defineRoute, json } from "../http/route";
import { currentRulesNaming, dispatchReminder } from "./dispatch";
import type { Reminder } from "./reminder";
import { DeliveryView } from "./views";

export const TEST_REMINDER_KIND = "channel.test";

export function testReminder(storeId: string, channel: string, now: number, nonce: string): Reminder {
  const at = new Date(now).toISOString();
  return {
    // Unique per press: each test is its own delivery, never a duplicate of the previous one.
    id: `test:${channel}:${now}:${nonce}`,
    storeId,
    caseId: `test:${channel}`,
    kind: TEST_REMINDER_KIND,
    // Urgent, so quiet hours do not hold it: the admin is looking at the page now.
    urgency: "urgent",
    title: `Test reminder from Promptly for channel "${channel}": no action needed`,
    nextAction: "Nothing to do: this checks that Promptly's reminders reach this channel.",
    details: ["Sent from the Connections page (or POST …/channels/:name/test). No case is behind it."],
    dueAt: at,
    firedAt: at,
    lateByMs: 0,
    rule: { name: "test", version: 0 },
    channels: [channel],
  };
}

export const channelTestRoutes = [
  defineRoute({
    method: "post",
    path: "/v1/stores/:storeId/channels/:name/test",
    summary: "Send a test reminder to a channel",
    description:
      "Sends a reminder labelled as a test (kind `channel.test`, no case behind it) to one channel of the current rules, through the real delivery path: it is in the delivery log with its attempts, retried like any reminder, and counts toward the channel's health. Urgent, so quiet hours do not hold it. A helpdesk note channel has no ticket to note on, so its test is recorded `skipped`.",
    tags: ["Deliveries"],
    auth: "store",
    responses: {
      202: { description: "Recorded and queued; follow it in the delivery log", schema: z.object({ delivery: DeliveryView }) },
      404: { description: "The current rules define no channel of that name" },
    },
    handler: async ({ env, auth, params }) => {
      const storeId = auth!.storeId;
      const name = params.name!;
      const rules = await currentRulesNaming(env, storeId, [name]);
      if (!Object.hasOwn(rules.document.channels, name)) {
        throw new ApiError(404, "unknown_channel", `the current rules define no channel "${name}"; channels: ${Object.keys(rules.document.channels).join(", ") || "none yet"}`, [{ path: "name", message: "a channel name from the rules' channels" }]);
      }
      const reminder = testReminder(storeId, name, Date.now(), crypto.randomUUID().slice(0, 8));
      await dispatchReminder(env, reminder);
      const [delivery] = await env.STORES.getByName(storeId).deliveriesForReminders([reminder.id]);
      if (!delivery) throw new ApiError(500, "not_recorded", "the test reminder was not recorded");
      return json({ delivery }, 202);
    },
  }),
];
