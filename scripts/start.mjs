#!/usr/bin/env node
/**
 * `npm start`: runs Promptly locally under `wrangler dev`, with KV, Durable Objects and Queues
 * persisted in .wrangler/state (a restart keeps every store, rule, case and timer).
 * On first start it writes .dev.vars (git-ignored) with a random OPERATOR_TOKEN, then prints the
 * URL, the token and a curl that creates a store.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { dotenvValue, LOCAL_VARS, notAnsweringMessage, readyBanner, waitForHealth } from "./dev-start.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const devVars = join(root, ".dev.vars");
const port = Number(process.env.PORT ?? 8787);
const url = `http://127.0.0.1:${port}`;

function operatorToken() {
  const existing = existsSync(devVars) ? readFileSync(devVars, "utf8") : "";
  const current = dotenvValue(existing, "OPERATOR_TOKEN");
  if (current) return current;
  const token = `op_${randomBytes(24).toString("base64url")}`;
  writeFileSync(devVars, `${existing}${existing && !existing.endsWith("\n") ? "\n" : ""}OPERATOR_TOKEN=${token}\n`, { mode: 0o600 });
  console.log(`Created .dev.vars with a new OPERATOR_TOKEN (git-ignored).`);
  return token;
}

/** A random SECRETS_KEY (seals channel and provider secrets at rest), kept across restarts like the token. */
function secretsKey() {
  const existing = existsSync(devVars) ? readFileSync(devVars, "utf8") : "";
  if (dotenvValue(existing, "SECRETS_KEY")) return;
  writeFileSync(devVars, `${existing}${existing && !existing.endsWith("\n") ? "\n" : ""}SECRETS_KEY=${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
  console.log(`Added a new SECRETS_KEY to .dev.vars (git-ignored).`);
}

const token = operatorToken();
secretsKey();
const child = spawn(
  process.execPath,
  [
    join(root, "node_modules/wrangler/bin/wrangler.js"),
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--persist-to",
    join(root, ".wrangler/state"),
    "--show-interactive-dev-session=false",
    "--var",
    `PUBLIC_BASE_URL:${url}`,
    ...Object.entries(LOCAL_VARS).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ],
  { cwd: root, stdio: "inherit", env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" } },
);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 0));

const HEALTH_ATTEMPTS = 240;
const HEALTH_INTERVAL_MS = 250;

async function announce() {
  const up = await waitForHealth(url, { attempts: HEALTH_ATTEMPTS, intervalMs: HEALTH_INTERVAL_MS });
  // wrangler keeps running either way, its output visible above: it may say why it is not answering.
  if (up) console.log(readyBanner({ url, token }));
  else console.error(notAnsweringMessage({ url, waitedSeconds: (HEALTH_ATTEMPTS * HEALTH_INTERVAL_MS) / 1000 }));
}
void announce();
