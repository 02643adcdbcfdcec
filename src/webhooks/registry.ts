/**
 * Every provider adapter, by its `:provider` path segment. Adding a provider = one adapter file,
 * one line here, one fixture.
 */
import type { ProviderId } from "../events/model";
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

export const ADAPTERS: Record<ProviderId, ProviderAdapter> = {
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
} as Record<ProviderId, ProviderAdapter>;

export function adapterFor(provider: string): ProviderAdapter | null {
  return Object.hasOwn(ADAPTERS, provider) ? ADAPTERS[provider as ProviderId] : null;
}
