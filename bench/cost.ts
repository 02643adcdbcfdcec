/**
 * Cost: runs the workerd-side measurement (bench/cost/paths.measure.ts, its own vitest config,
 * never part of `npm test`) in a child process, reads the counts it wrote to bench/out/cost.json,
 * and turns them into dollars per million events at the Workers Paid list prices below.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../tests/e2e/support/wrangler";
import type { Tally } from "./cost/paths.measure";

const RESULT_FILE = join(ROOT, "bench/out/cost.json");
const TIMEOUT_MS = 240_000;

/** USD per million units beyond the included monthly usage, with where each price is written down. */
export const PRICES = {
  doRequests: { usd: 0.15, source: "Durable Objects requests (RPC calls and alarm invocations included): /work/shared/reference/workers-platform.md §1.3" },
  rowsWritten: { usd: 1.0, source: "Durable Objects SQLite rows written (each setAlarm is one row): workers-platform.md §1.3" },
  rowsRead: { usd: 0.001, source: "Durable Objects SQLite rows read: workers-platform.md §1.3" },
  queueOps: { usd: 0.4, source: "Queues operations, 3 per message of < 64 KB (write, read, delete): workers-platform.md §3.1, developers.cloudflare.com/queues/pricing/" },
  workerRequests: { usd: 0.3, source: "Workers Standard requests: developers.cloudflare.com/workers/platform/pricing/" },
  kvReads: { usd: 0.5, source: "Workers KV reads: developers.cloudflare.com/kv/platform/pricing/ (not in the project's reference file)" },
} as const;

export interface Units {
  doRequests: number;
  rowsWritten: number;
  rowsRead: number;
  queueOps: number;
  workerRequests: number;
  kvReads: number;
}

export interface CostRow {
  name: string;
  what: string;
  per: number;
  units: Units;
  rpc: Record<string, number>;
  rowsWrittenBy: Record<string, number>;
  alarms: number;
  setAlarms: number;
  deleteAlarms: number;
  queueMessages: number;
  consumerInvocations: number;
  usdPerMillion: number;
}

export interface CostFigures {
  rows: CostRow[];
  calibration: Record<string, number>;
  alarmPath: { timersPlannedAtIngest: number; timersFired: number; timersStillPending: number; remindersDelivered: number };
  durationMs: number;
}

/** Billable units of one window, divided by how many events or reminders it covered. */
function unitsOf(t: Tally, per: number): Omit<CostRow, "name" | "what" | "per" | "usdPerMillion"> {
  const rpcCalls = Object.values(t.rpc).reduce((a, b) => a + b, 0);
  const alarms = t.alarms.case + t.alarms.registry;
  const setAlarms = t.setAlarm.case + t.setAlarm.registry;
  const deleteAlarms = t.deleteAlarm.case + t.deleteAlarm.registry;
  return {
    units: {
      doRequests: (rpcCalls + alarms) / per,
      // setAlarm is documented as a row written; deleteAlarm is counted the same way to stay on the safe side.
      rowsWritten: (t.rowsWritten.case + t.rowsWritten.registry + setAlarms + deleteAlarms) / per,
      rowsRead: (t.rowsRead.case + t.rowsRead.registry) / per,
      queueOps: (3 * t.queueMessages) / per,
      // Inbound webhooks, and each queue consumer invocation counted as one Worker request (conservative).
      workerRequests: (t.workerRequests + t.consumerInvocations) / per,
      kvReads: t.kvReads / per,
    },
    rpc: Object.fromEntries(Object.entries(t.rpc).map(([k, v]) => [k, v / per])),
    rowsWrittenBy: Object.fromEntries(Object.entries(t.rowsWrittenBy).map(([k, v]) => [k, v / per])),
    alarms: alarms / per,
    setAlarms: setAlarms / per,
    deleteAlarms: deleteAlarms / per,
    queueMessages: t.queueMessages / per,
    consumerInvocations: t.consumerInvocations / per,
  };
}

export function usdPerMillion(u: Units): number {
  return (Object.keys(PRICES) as (keyof Units)[]).reduce((sum, k) => sum + u[k] * PRICES[k].usd, 0);
}

function runMeasurement(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--config", "bench/cost/vitest.config.ts"], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, CI: "true", NO_COLOR: "1", FORCE_COLOR: "0", WRANGLER_SEND_METRICS: "false" },
    });
    const out: string[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d.toString()));
    child.stderr.on("data", (d: Buffer) => out.push(d.toString()));
    const timer = setTimeout(() => {
      out.push(`\n(bench: measurement stopped after ${TIMEOUT_MS / 1000} s)\n`);
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* already gone */
      }
    }, TIMEOUT_MS);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output: out.join("") });
    });
  });
}

export async function benchCost(): Promise<CostFigures> {
  rmSync(RESULT_FILE, { force: true });
  const started = Date.now();
  const run = await runMeasurement();
  if (run.code !== 0 || !existsSync(RESULT_FILE)) {
    const tail = run.output.split("\n").filter((l) => !l.includes('"msg":"')).slice(-25).join("\n");
    throw new Error(`the cost measurement failed (exit ${run.code}):\n${tail}`);
  }
  const r = JSON.parse(readFileSync(RESULT_FILE, "utf8")) as {
    calibration: Record<string, number>;
    alarmPath: CostFigures["alarmPath"];
    windows: Record<string, Tally>;
  };
  const w = r.windows;
  const fired = r.alarmPath.timersFired;
  const rows: Omit<CostRow, "usdPerMillion">[] = [
    { name: "new case", what: "`case.opened` for a ticket not seen before (starter rules: first reply and resolution warning, breach and escalation, 6 timers)", per: 1, ...unitsOf(w.newCase!, 1) },
    { name: "new case, short targets", what: "`case.opened` on the second-scale copy of the same rules (the case whose alarms are measured below)", per: 1, ...unitsOf(w.newCaseShortTargets!, 1) },
    { name: "customer message", what: "`case.customer_message` on that open ticket before any reply (no timer change)", per: 1, ...unitsOf(w.customerMessage!, 1) },
    { name: "agent reply", what: "`case.agent_reply`: fulfils first reply, cancels its 3 timers", per: 1, ...unitsOf(w.agentReply!, 1) },
    { name: "customer message after a reply", what: "`case.customer_message`: starts next reply, plans its 3 timers", per: 1, ...unitsOf(w.customerMessageAfterReply!, 1) },
    { name: "duplicate delivery", what: "the same webhook again (provider retry): deduplicated", per: 1, ...unitsOf(w.duplicateDelivery!, 1) },
    { name: "fired reminder", what: `one timer firing and its reminder delivered to one webhook channel (all of it: alarm, outbox, delivery log, queue, consumer, attempt log); ${fired} reminders averaged`, per: fired, ...unitsOf(w.alarmPath!, fired) },
  ];
  return {
    rows: rows.map((row) => ({ ...row, usdPerMillion: usdPerMillion(row.units) })),
    calibration: r.calibration,
    alarmPath: r.alarmPath,
    durationMs: Date.now() - started,
  };
}
