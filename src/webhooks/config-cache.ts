/**
 * Provider configurations kept for a few seconds in the Worker isolate.
 *
 * Every webhook needs its store's provider config (secrets, options) before anything else, and the
 * store's registry object is the only place it lives. Asking it on every delivery made that one
 * object per store a call on every webhook: the store's hot spot under a burst (a carrier posting
 * hundreds of tracking updates), and a third of intake's Durable Object calls. A config read is
 * kept here for CONFIG_TTL_MS:
 * - a change made through this isolate (PUT or DELETE of the provider) drops its entry at once, so
 *   the admin who rotated a secret sees it apply on the next delivery;
 * - other isolates see it within CONFIG_TTL_MS. During a rotation both secrets are live anyway; a
 *   removed provider may still be accepted for those seconds, never longer.
 * - "not configured" is never kept: a provider set up a moment ago is not refused for seconds.
 */
import type { ProviderConfig } from "./adapter";

export const CONFIG_TTL_MS = 5_000;
const MAX_ENTRIES = 1024;

const entries = new Map<string, { config: ProviderConfig; until: number }>();
const keyOf = (storeId: string, provider: string) => `${storeId}/${provider}`;

export function cachedProviderConfig(storeId: string, provider: string, now: number): ProviderConfig | null {
  const key = keyOf(storeId, provider);
  const hit = entries.get(key);
  if (!hit) return null;
  if (hit.until <= now) {
    entries.delete(key);
    return null;
  }
  return hit.config;
}

export function rememberProviderConfig(storeId: string, provider: string, config: ProviderConfig, now: number): void {
  if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  entries.set(keyOf(storeId, provider), { config, until: now + CONFIG_TTL_MS });
}

/** After a change through this isolate: the next delivery reads the registry again. */
export function forgetProviderConfig(storeId: string, provider: string): void {
  entries.delete(keyOf(storeId, provider));
}
