/**
 * The parts of `npm start` (scripts/start.mjs) that decide what a newcomer is told: the operator
 * token as wrangler will read it from .dev.vars, whether the service answered, and the message
 * for either outcome. Plain functions, so tests can check them (tests/http/start-script.test.ts).
 */

/**
 * The value `wrangler dev` will see for `name` in a .dev.vars file (dotenv syntax), or
 * undefined: `KEY=value` with an optional `export `, a value in single, double or back quotes
 * taken as written (in double quotes `\n` and `\r` are escapes), an unquoted one cut at `#` and trimmed.
 * As in dotenv, which wrangler uses, the last assignment wins.
 */
export function dotenvValue(text, name) {
  let value;
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([\w.-]+)\s*=\s*(.*)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const raw = m[2];
    const quoted = /^(['"`])(.*)\1\s*(?:#.*)?$/.exec(raw);
    if (quoted) value = quoted[1] === '"' ? quoted[2].replace(/\\n/g, "\n").replace(/\\r/g, "\r") : quoted[2];
    else value = raw.split("#")[0].trim();
  }
  return value;
}

/** Polls `${url}/healthz` until it answers 2xx: true, or false once `attempts` tries have failed. */
export async function waitForHealth(url, { attempts = 240, intervalMs = 250 } = {}) {
  for (let i = 0; i < attempts; i++) {
    try {
      const res = await fetch(`${url}/healthz`);
      await res.body?.cancel();
      if (res.ok) return true;
    } catch {
      /* not up yet */
    }
    if (i + 1 < attempts) await new Promise((r) => setTimeout(r, intervalMs));
  }
  return false;
}

/**
 * Variables `npm start` sets for local use, beside wrangler.toml's production defaults. Local
 * queue messages live in memory, so a killed process drops the ones not yet consumed; every
 * delivery is on disk in the store's registry, whose alarm queues a pending one again after this
 * many seconds without activity (production: an hour, Queues are durable). 30 s keeps the
 * README's promise, "queued again within a minute", with room for a restart; the end-to-end
 * crash test (tests/e2e/faults.test.ts) runs with exactly these values.
 */
export const LOCAL_VARS = {
  DELIVERY_STALE_AFTER_SECONDS: "30",
  // Local receivers listen on 127.0.0.1; production leaves loopback destinations refused.
  ALLOW_LOOPBACK_DESTINATIONS: "true",
};

const RULE = "─".repeat(72);

/**
 * What to print once the service answers: the console's URL first (open it, paste the operator
 * token, create a store), then the token, and the same with curl for scripts.
 */
export function readyBanner({ url, token }) {
  return `
${RULE}
 Open the Promptly console:  ${url}/
   (state persisted in .wrangler/state)

 Operator token (from .dev.vars), to create your first store in the console:
   ${token}

 Or create it with curl:
   curl -s -X POST ${url}/v1/stores \\
     -H "Authorization: Bearer ${token}" \\
     -H "Content-Type: application/json" \\
     -d '{"name":"My Shop"}'

 It answers with a storeId and an adminToken (shown once). Next:
   - the console: connect a provider, watch cases on the board
   - the five-minute tour in README.md (configure a provider, post a webhook, see the case)
   - the API reference: ${url}/docs   (OpenAPI: ${url}/openapi.json)
 Stop with Ctrl+C; start again with npm start and everything is still there.
${RULE}
`;
}

/** What to print when the service never answered: no claim that it runs, and where to look. */
export function notAnsweringMessage({ url, waitedSeconds }) {
  return `
${RULE}
 Promptly did NOT answer at ${url}/healthz within ${waitedSeconds} s.
 wrangler dev is still running: its output above says what went wrong (a port already in use,
 a build error, a missing dependency). Stop it with Ctrl+C, fix that, and run npm start again;
 if it is only slow, ${url}/healthz answers {"ok":true} once it is up.
${RULE}
`;
}
