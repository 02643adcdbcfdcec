/**
 * The Worker as deployed (wrangler's own dry-run bundle) on workerd through Miniflare, without
 * wrangler dev's proxy process and log pipeline: see bench/direct-server.mjs for why. Same shape as
 * the end-to-end DevServer, so a benchmark can run against either.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { E2E_OPERATOR_TOKEN, freePort, ROOT, sleep } from "../tests/e2e/support/wrangler";

/** What a benchmark needs from a running Worker, whichever way it is served. */
export interface WorkerHost {
  readonly url: string;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

let bundled: string | null = null;

/** `wrangler deploy --dry-run --outdir`: exactly the script `wrangler deploy` would upload. Built once per run. */
function deployBundle(): string {
  if (bundled) return bundled;
  const outDir = join(ROOT, "bench/out/bundle");
  const res = spawnSync(process.execPath, [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", outDir], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1", WRANGLER_LOG_PATH: join(outDir, "wrangler.log") },
  });
  if (res.status !== 0) throw new Error(`wrangler deploy --dry-run failed (${res.status})\n${res.stdout}\n${res.stderr}`);
  bundled = join(outDir, "index.js");
  return bundled;
}

export class DirectServer implements WorkerHost {
  readonly stateDir: string;
  port = 0;
  private child: ChildProcess | null = null;
  private errors = "";

  constructor(private readonly options: { stateRoot: string; vars?: Record<string, string> }) {
    this.stateDir = mkdtempSync(join(options.stateRoot, "promptly-direct-"));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    const bundle = deployBundle();
    this.port = await freePort();
    const vars = { OPERATOR_TOKEN: E2E_OPERATOR_TOKEN, PUBLIC_BASE_URL: this.url, ...(this.options.vars ?? {}) };
    this.child = spawn(process.execPath, [join(ROOT, "bench/direct-server.mjs"), bundle, String(this.port), this.stateDir, JSON.stringify(vars), join(this.stateDir, "logs", "worker.log")], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1" },
    });
    this.child.stderr?.on("data", (d: Buffer) => (this.errors = (this.errors + d.toString()).slice(-20_000)));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`direct server exited with ${this.child.exitCode}\n${this.errors}`);
      try {
        if ((await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2000) })).ok) return;
      } catch {
        /* not up yet */
      }
      await sleep(250);
    }
    await this.dispose();
    throw new Error(`direct server did not answer /healthz within ${timeoutMs} ms\n${this.errors}`);
  }

  async dispose(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child?.pid !== undefined && child.exitCode === null) {
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
      await Promise.race([exited, sleep(5_000)]);
    }
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}
