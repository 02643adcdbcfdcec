/**
 * Worker entry: HTTP (admin API, webhook intake, docs) and the delivery queue consumer.
 * Durable Object classes are re-exported here because wrangler binds them from the main module.
 */
import { handleFetch } from "./http/app";
import { handleQueue } from "./notify/consumer";

export { RulesBacktest } from "./backtest/runner";
export { SupportCase } from "./cases/support-case";
export { StoreRegistry } from "./stores/store-registry";

export default {
  fetch: (request, env, ctx) => handleFetch(request, env, ctx),
  queue: (batch, env) => handleQueue(batch, env),
} satisfies ExportedHandler<Env>;
