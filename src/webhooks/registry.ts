/**
 * Every provider adapter, by its `:provider` path segment: the one list routes, intake, the
 * setup endpoint, OpenAPI, reminder wording and the provider tests read.
 *
 * The ids themselves live in `PROVIDERS` (src/events/model.ts) because the event model names
 * every source and the adapters import the model: the model importing this file would be an
 * import cycle. The two cannot drift: the `satisfies` below makes a provider without an adapter,
 * an adapter filed under another id, or an entry that is no provider a type error.
 */
import { PROVIDERS, type ProviderId } from "../events/model";
import type { z } from "zod";
import type { ProviderAdapter } from "./adapter";
import { aftershipAdapter } from "./aftership";
import { chatwootAdapter } from "./chatwoot";
import { customAdapter } from "./custom";
import { easypostAdapter } from "./easypost";
import { freshdeskAdapter } from "./freshdesk";
import { frontAdapter } from "./front";
import { gorgiasAdapter } from "./gorgias";
import { helpscoutAdapter } from "./helpscout";
import { intercomAdapter } from "./intercom";
import { seventeenTrackAdapter } from "./seventeen-track";
import { shipengineAdapter } from "./shipengine";
import { shippoAdapter } from "./shippo";
import { shopifyAdapter } from "./shopify";
import { zammadAdapter } from "./zammad";
import { zendeskAdapter } from "./zendesk";

export const ADAPTERS = {
  zendesk: zendeskAdapter,
  freshdesk: freshdeskAdapter,
  gorgias: gorgiasAdapter,
  helpscout: helpscoutAdapter,
  zammad: zammadAdapter,
  chatwoot: chatwootAdapter,
  intercom: intercomAdapter,
  front: frontAdapter,
  shopify: shopifyAdapter,
  easypost: easypostAdapter,
  aftership: aftershipAdapter,
  shippo: shippoAdapter,
  "17track": seventeenTrackAdapter,
  shipengine: shipengineAdapter,
  custom: customAdapter,
} satisfies { [P in ProviderId]: ProviderAdapter<z.ZodType, P> };

/** Every adapter, in `PROVIDERS` order. */
export const ADAPTER_LIST: readonly ProviderAdapter[] = PROVIDERS.map((id): ProviderAdapter => ADAPTERS[id]);

export function adapterFor(provider: string): ProviderAdapter | null {
  if (!Object.hasOwn(ADAPTERS, provider)) return null;
  const adapter: ProviderAdapter = ADAPTERS[provider as ProviderId];
  return adapter;
}
