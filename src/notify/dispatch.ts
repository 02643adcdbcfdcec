/**
 * `dispatchReminder`: the one call a case object makes to get a reminder out.
 *
 * It reads the store's current rules (KV, registry fallback), plans one delivery per channel the
 * reminder names (held for quiet hours or sent now), and records the plan in the store's delivery
 * log, which sends one queue message per pending delivery. It is idempotent per reminder.id ×
 * channel: calling it again for the same reminder (an alarm that ran twice, a crash between the
 * outbox write and the send) adds no rows and re-sends only what the queue never got. It throws
 * when the deliveries could not be recorded or handed to the queue; the caller keeps the reminder
 * in its outbox and calls again.
 */
import { loadRules } from "../rules-store/kv";
import { planDispatch } from "./plan";
import { Reminder } from "./reminder";
import type { RecordOutcome } from "./delivery-log";

export async function dispatchReminder(env: Env, reminder: Reminder): Promise<RecordOutcome> {
  const checked = Reminder.parse(reminder);
  const rules = await loadRules(env, checked.storeId);
  const plan = planDispatch(checked, rules, Date.now());
  return env.STORES.getByName(checked.storeId).deliveriesRecord(plan);
}
