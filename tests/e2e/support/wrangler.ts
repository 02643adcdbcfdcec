/**
 * Starts the real `wrangler dev` (workerd, local KV / Durable Objects / Queues persisted in a
 * temporary state directory) on a free loopback port, so end-to-end tests talk HTTP to exactly
 * what `npm start` runs. Processes run in their own process group so a test can SIGKILL the
 * whole tree (wrangler and workerd) to simulate a crash, then restart on the same state.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../../..");
export const E2E_OPERATOR_TOKEN = "e2e-operator-token";
/** Seals secrets at rest in e2e runs (base64 of 32 bytes; src/lib/secret-box.ts). */
export const E2E_SECRETS_KEY = "cHJvbXB0bHktZTJlLXNlY3JldHMta2V5LTMyYnl0ZXM=";

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** How much of wrangler's output a DevServer keeps for failure messages and log assertions. */
const OUTPUT_KEEP_CHARS = 2_000_000;

export interface DevServerOptions {
  /** Reuse this state directory (kept on dispose). */
  stateDir?: string;
  /** Or make a fresh one under this folder (default: the OS temp folder), removed on dispose. */
  stateRoot?: string;
  vars?: Record<string, string>;
  /** Another Worker's wrangler.toml (the bench's one-line control Worker); default: the project's. */
  config?: string;
}

export class DevServer {
  readonly stateDir: string;
  port = 0;
  private child: ChildProcess | null = null;
  /** Most recent output only: a load test prints a line per request, and this process is its client. */
  private output: string[] = [];
  private outputChars = 0;
  private readonly ownsState: boolean;

  constructor(private readonly options: DevServerOptions = {}) {
    this.ownsState = !options.stateDir;
    this.stateDir = options.stateDir ?? mkdtempSync(join(options.stateRoot ?? tmpdir(), "promptly-e2e-"));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Last lines wrangler printed: attached to failures so a broken boot explains itself. */
  logs(lines = 60): string {
    return this.output.join("").split("\n").slice(-lines).join("\n");
  }

  async start(timeoutMs = 90_000): Promise<void> {
    // A restart keeps its port, as a real service does: clients (and reminder links) keep working.
    if (this.port === 0) this.port = await freePort();
    const inspector = await freePort();
    const vars = { OPERATOR_TOKEN: E2E_OPERATOR_TOKEN, PUBLIC_BASE_URL: `http://127.0.0.1:${this.port}`, ALLOW_LOOPBACK_DESTINATIONS: "true", SECRETS_KEY: E2E_SECRETS_KEY, ...(this.options.vars ?? {}) };
    const args = [
      join(ROOT, "node_modules/wrangler/bin/wrangler.js"),
      "dev",
      ...(this.options.config ? ["--config", this.options.config] : []),
      "--ip",
      "127.0.0.1",
      "--port",
      String(this.port),
      "--inspector-port",
      String(inspector),
      "--persist-to",
      this.stateDir,
      "--show-interactive-dev-session=false",
      "--log-level",
      "log",
      ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ];
    this.output = [];
    this.outputChars = 0;
    this.child = spawn(process.execPath, args, {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        CI: "true",
        NO_COLOR: "1",
        FORCE_COLOR: "0",
        // wrangler appends every line it prints to a debug log (by default under ~/.config, where
        // test and bench runs piled up a gigabyte); keep it with the run's state and its lifetime.
        WRANGLER_LOG_PATH: join(this.stateDir, "logs", "wrangler.log"),
      },
    });
    const keep = (d: Buffer) => {
      this.output.push(d.toString());
      this.outputChars += d.length;
      while (this.outputChars > OUTPUT_KEEP_CHARS && this.output.length > 1) this.outputChars -= this.output.shift()!.length;
    };
    this.child.stdout?.on("data", keep);
    this.child.stderr?.on("data", keep);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`wrangler dev exited with ${this.child.exitCode}\n${this.logs()}`);
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) return;
      } catch {
        /* not up yet */
      }
      await sleep(250);
    }
    await this.stop("SIGKILL");
    throw new Error(`wrangler dev did not answer /healthz within ${timeoutMs} ms\n${this.logs()}`);
  }

  /** Stops the whole process group; SIGKILL simulates a crash (no graceful shutdown at all). */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    try {
      process.kill(-child.pid, signal);
    } catch {
      /* already gone */
    }
    await Promise.race([exited, sleep(10_000)]);
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
      await Promise.race([exited, sleep(5_000)]);
    }
    this.child = null;
  }

  async restart(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await this.stop(signal);
    await this.start();
  }

  async dispose(): Promise<void> {
    await this.stop("SIGKILL");
    if (this.ownsState) rmSync(this.stateDir, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
