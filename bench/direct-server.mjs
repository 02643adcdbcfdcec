#!/usr/bin/env node
/**
 * Serves the deployable bundle (`wrangler deploy --dry-run --outdir …`) on workerd through
 * Miniflare, with the bindings wrangler.toml declares (SQLite Durable Objects, KV, Queues, rate
 * limiters) persisted under a state directory, and nothing else in the request path.
 *
 * Why, beside `wrangler dev` (where the ingest targets are judged): under `wrangler dev` every
 * request also crosses a second workerd process (wrangler's dev proxy, which holds requests while
 * code reloads), and every log line travels to wrangler's Node process, which parses it, prints it
 * and appends it to a debug log file. On a 2-core machine those took about as much CPU as the
 * Worker itself. Production has neither, so the benchmark also shows the Worker without them. The
 * Worker's own log lines are still written (to a file).
 *
 * Usage: node bench/direct-server.mjs <bundle.js> <port> <stateDir> <varsJSON> <logFile>
 * Prints `ready <url>` once the Worker answers.
 */
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Log, LogLevel, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

const [bundle, port, stateDir, varsJson, logFile] = process.argv.slice(2);
if (!bundle || !port || !stateDir || !varsJson || !logFile) {
  console.error("usage: direct-server.mjs <bundle.js> <port> <stateDir> <varsJSON> <logFile>");
  process.exit(2);
}
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { workerOptions } = unstable_getMiniflareWorkerOptions(join(root, "wrangler.toml"));
mkdirSync(dirname(logFile), { recursive: true });
const log = createWriteStream(logFile, { flags: "a" });

const mf = new Miniflare({
  ...workerOptions,
  name: "promptly",
  modules: true,
  scriptPath: resolve(bundle),
  modulesRoot: dirname(resolve(bundle)),
  // Offline: no fetch of the request.cf placeholder from Cloudflare.
  cf: false,
  bindings: { ...workerOptions.bindings, ...JSON.parse(varsJson) },
  host: "127.0.0.1",
  port: Number(port),
  defaultPersistRoot: stateDir,
  kvPersist: true,
  durableObjectsPersist: true,
  cachePersist: true,
  log: new Log(LogLevel.WARN),
  // To profile a run: set BENCH_INSPECTOR_PORT and attach DevTools (or any CDP client) to it.
  ...(process.env.BENCH_INSPECTOR_PORT ? { inspectorPort: Number(process.env.BENCH_INSPECTOR_PORT) } : {}),
  // The Worker's console output, unparsed, straight to a file.
  handleRuntimeStdio(stdout, stderr) {
    stdout.pipe(log, { end: false });
    stderr.pipe(log, { end: false });
  },
});
const url = await mf.ready;
console.log(`ready ${url.href}`);

const stop = () => {
  void mf.dispose().finally(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
