/**
 * `dispatchReminder`: the one call a case object makes to get a reminder out.
 *
 * It reads the store's current rules (KV, registry when KV lags), plans one delivery per channel
 * the reminder names (held for quiet hours, sent now, or skipped when the channel does not apply
 * to it), and records the plan in the store's delivery log, which sends one queue message per
 * pending delivery. It is idempotent per reminder.id × channel: calling it again for the same
 * reminder (an alarm that ran twice, a crash between the outbox write and the send) adds no rows
 * and re-sends only what the queue never got. It throws when the deliveries could not be
 * recorded or handed to the queue; the caller keeps the reminder in its outbox and calls again.
 */
import { loadRules, loadRulesFromRegistry, type LoadedRules } from "../rules-store/kv";
import { planDispatch } from "./plan";
import { Reminder } from "./reminder";
import type { RecordOutcome } from "./delivery-log";

export async function dispatchReminder(env: Env, reminder: Reminder): Promise<RecordOutcome> {
  const checked = Reminder.parse(reminder);
  const rules = await currentRulesNaming(env, checked.storeId, checked.channels);
  const plan = planDispatch(checked, rules, Date.now());
  return env.STORES.getByName(checked.storeId).deliveriesRecord(plan);
}

/**
 * The store's current rules, as they define these channels. KV's copy is read first (cheap), but
 * KV is eventually consistent: its pointer can name the previous version for up to a minute
 * after a save. A channel added just before a reminder fires would then read as "not defined"
 * and the delivery would be recorded dead. So when a named channel is missing from KV's copy, the
 * registry (the single writer, strongly consistent) is asked for the current version instead.
 * A channel that is missing there too really is not defined. `fromKv`: KV's copy, if already read.
 */
export async function currentRulesNaming(env: Pick<Env, "RULES" | "STORES">, storeId: string, channels: readonly string[], fromKv?: LoadedRules): Promise<LoadedRules> {
  const rules = fromKv ?? (await loadRules(env, storeId));
  return definesChannels(rules, channels) ? rules : loadRulesFromRegistry(env, storeId);
}

/** Whether these rules can be trusted for these channels: they define them all, or came from the registry itself. */
export function definesChannels(rules: LoadedRules, channels: readonly string[]): boolean {
  return rules.source === "registry" || channels.every((name) => Object.hasOwn(rules.document.channels, name));
}
