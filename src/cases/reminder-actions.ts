/**
 * Acting on a reminder (a Slack button, the console): which case event an action on one fired
 * reminder becomes, or why it no longer applies. Pure (no Cloudflare imports): the SupportCase
 * object looks up the reminder's timer, asks here, and stores the event like any other, so the
 * action is ordered, deduplicated (the event id is the action's idempotency key) and replayed.
 */
import type { NormalizedEvent } from "../events/model";
import type { Evaluation } from "./engine";
import { WARNING_SNOOZE_MS } from "./ownership";
import type { PlannedTimer } from "./plan";

export const REMINDER_ACTIONS = ["acknowledge", "snooze", "called", "promise_callback"] as const;
export type ReminderAction = (typeof REMINDER_ACTIONS)[number];

/** Which buttons a reminder of this kind offers (besides "Open case", which every one has). */
export function actionsFor(kind: string): ReminderAction[] {
  const out: ReminderAction[] = [];
  if (kind.endsWith(".breach") || kind.endsWith(".escalation") || kind === "callback.due" || kind === "dispute.escalation" || kind === "rating.reply_due") out.push("acknowledge");
  if (/^(first_reply|next_reply|periodic_update|resolution)\.warning$/.test(kind)) out.push("snooze");
  if (kind.startsWith("shipment.") || kind.startsWith("callback.") || kind === "circles.call_nudge") out.push("called");
  if (kind.startsWith("shipment.") || kind === "circles.call_nudge" || kind.endsWith(".breach") || kind.endsWith(".escalation")) out.push("promise_callback");
  return out;
}

export type ActionDecision =
  | { type: "event"; kind: NormalizedEvent["kind"]; fields: Partial<NormalizedEvent>; summary: string }
  | { type: "refused"; reason: string };

const iso = (t: number): string => new Date(t).toISOString();

/**
 * The event for `action` on the fired reminder `timer`, decided against the case as it is `now`.
 * `by` is the person (a Slack user's name); `note` is free text they gave.
 */
export function decideReminderAction(req: { action: Exclude<ReminderAction, "promise_callback">; timer: PlannedTimer; ev: Evaluation; by: string; via: "slack" | "console" | "api"; now: number }): ActionDecision {
  const { action, timer, ev, by, now } = req;
  const s = ev.state;
  if (s.status === "closed" || s.status === "solved") return { type: "refused", reason: `the case is already ${s.status}` };
  if (!actionsFor(timer.kind).includes(action)) return { type: "refused", reason: `a ${timer.kind} reminder has no such action` };
  switch (action) {
    case "acknowledge":
      return { type: "event", kind: "case.acknowledged", fields: { acknowledgement: { by, via: req.via } }, summary: `${by} took the case` };
    case "snooze": {
      if (timer.detail.type !== "sla") return { type: "refused", reason: "only SLA warnings can be snoozed" };
      const metric = timer.detail.metric;
      const clock = ev.clocks.clocks.find((c) => c.metric === metric);
      if (!clock || clock.status !== "active" || clock.dueAt !== timer.detail.dueAt) return { type: "refused", reason: "this warning is out of date: the target was met or its deadline moved" };
      const until = Math.min(now + WARNING_SNOOZE_MS, clock.dueAt - 60_000);
      if (until <= now) return { type: "refused", reason: `the target is due at ${iso(clock.dueAt)}: too close to snooze` };
      return {
        type: "event",
        kind: "case.warning_snoozed",
        fields: { warningSnooze: { timerKey: timer.key, metric, dueAt: iso(clock.dueAt), until: iso(until), by } },
        summary: `${by} snoozed the warning until ${iso(until)}`,
      };
    }
    case "called": {
      if (timer.detail.type === "callback") {
        const id = timer.detail.callbackId;
        const cb = s.callbacks.find((c) => c.id === id);
        if (!cb || cb.doneAt !== null) return { type: "refused", reason: "this callback is already done" };
        return { type: "event", kind: "case.callback_done", fields: { callback: { id, note: `called by ${by}` } }, summary: `${by} made the promised call` };
      }
      // A late parcel's contact, or a going-in-circles nudge: a call is the public contact both ask for.
      return { type: "event", kind: "case.agent_reply", fields: { body: `called the customer (by ${by})` }, summary: `${by} called the customer` };
    }
  }
}
