/**
 * When each provider last reached a store (a verified delivery) and when it was last refused at
 * the signature check, for the Connections page.
 *
 * Intake's hot path makes no registry call of its own (config-cache.ts exists to avoid exactly
 * that), so this must not add one per webhook. Each Worker isolate keeps the latest instants here
 * and writes them through to the store's registry at most once a minute per store and provider,
 * in the background (`waitUntil`), never before the answer. A burst of hundreds of tracking
 * updates costs one registry call a minute, and the first delivery after a quiet spell is written
 * at once. The price: what the registry holds can be up to a minute behind the newest delivery an
 * isolate saw; the provider list merges this isolate's newer values, and the registry never moves
 * a time backwards, so isolates writing out of order cannot undo each other.
 *
 * Only providers configured for the store are recorded: a refusal for an unknown store or an
 * unconfigured provider writes nothing, so nobody can make a registry by posting to a guessed URL.
 */
export const WRITE_THROUGH_MS = 60_000;
const MAX_ENTRIES = 1024;

export interface ProviderActivity {
  receivedAt?: number;
  refused?: { at: number; reason: string };
}

interface Entry extends ProviderActivity {
  writtenAt: number;
}

const entries = new Map<string, Entry>();
const keyOf = (storeId: string, provider: string) => `${storeId}/${provider}`;

/**
 * Notes one delivery; returns what to write through now (null: nothing, a write is less than a
 * minute old). The caller hands the write to the registry in the background.
 */
export function noteProviderActivity(storeId: string, provider: string, seen: ProviderActivity, now: number): ProviderActivity | null {
  const key = keyOf(storeId, provider);
  let entry = entries.get(key);
  if (!entry) {
    if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
    entry = { writtenAt: -Infinity };
    entries.set(key, entry);
  }
  if (seen.receivedAt !== undefined) entry.receivedAt = Math.max(entry.receivedAt ?? 0, seen.receivedAt);
  if (seen.refused && (!entry.refused || entry.refused.at <= seen.refused.at)) entry.refused = seen.refused;
  if (now - entry.writtenAt < WRITE_THROUGH_MS) return null;
  entry.writtenAt = now;
  const out: ProviderActivity = {};
  if (entry.receivedAt !== undefined) out.receivedAt = entry.receivedAt;
  if (entry.refused) out.refused = entry.refused;
  return out;
}

/** This isolate's own latest instants, newer than the registry's until the next write-through. */
export function isolateProviderActivity(storeId: string, provider: string): ProviderActivity | undefined {
  const entry = entries.get(keyOf(storeId, provider));
  return entry ? { ...(entry.receivedAt !== undefined ? { receivedAt: entry.receivedAt } : {}), ...(entry.refused ? { refused: entry.refused } : {}) } : undefined;
}

/** A provider removed and configured again starts with a clean slate in this isolate. */
export function forgetProviderActivity(storeId: string, provider: string): void {
  entries.delete(keyOf(storeId, provider));
}

/** The later of the registry's and this isolate's instants, as the provider list shows them. */
export function mergeActivity<T extends { lastReceivedAt: string | null; lastRefused: { at: string; reason: string } | null }>(stored: T, local: ProviderActivity | undefined): T {
  if (!local) return stored;
  const received = local.receivedAt !== undefined && (stored.lastReceivedAt === null || Date.parse(stored.lastReceivedAt) < local.receivedAt) ? new Date(local.receivedAt).toISOString() : stored.lastReceivedAt;
  const refused =
    local.refused && (stored.lastRefused === null || Date.parse(stored.lastRefused.at) < local.refused.at)
      ? { at: new Date(local.refused.at).toISOString(), reason: local.refused.reason }
      : stored.lastRefused;
  return { ...stored, lastReceivedAt: received, lastRefused: refused };
}
