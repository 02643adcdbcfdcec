/**
 * Where a benchmark's `wrangler dev` keeps its state, and how slow this machine's disk is.
 *
 * Locally, workerd gives every Durable Object its own SQLite file in rollback-journal mode with
 * full synchronous commits, and commits on the thread that runs every object of the Worker. So on
 * a disk whose fsync takes milliseconds, each object's commit holds up every other object, and a
 * run measures the disk rather than Promptly: on these VMs (fsync ≈ 5 ms) a thousand cases firing
 * ten timers a minute overwhelmed the runtime. Production Durable Objects do not share one thread
 * or one local disk. The benchmarks therefore run on a memory-backed state directory (tmpfs) and
 * also, where it is cheap enough, on the project's own disk (as `npm start` does), and say which
 * figure is which, with the disk's measured fsync time.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../tests/e2e/support/wrangler";
import { percentile } from "./support";

export type StateKind = "memory" | "disk";

export interface StatePlace {
  kind: StateKind;
  /** Where state directories are made. */
  root: string;
  /** What it is, for RESULTS.md. */
  label: string;
}

/** tmpfs when the machine has one (Linux /dev/shm); otherwise the run says it fell back to disk. */
export function statePlace(kind: StateKind): StatePlace {
  if (kind === "memory" && existsSync("/dev/shm")) return { kind, root: "/dev/shm", label: "tmpfs (/dev/shm, memory-backed)" };
  const root = join(ROOT, "bench/out/state");
  mkdirSync(root, { recursive: true });
  return { kind: "disk", root, label: kind === "memory" ? "the project's disk (no tmpfs on this machine)" : "the project's disk (bench/out/state, as `npm start` uses .wrangler/state)" };
}

/** fsync latency of 4 KiB appends on the project's disk: p50 / p99 in ms over `n` syncs. */
export function diskFsyncMs(n = 60): { p50: number; p99: number } {
  const dir = mkdtempSync(join(statePlace("disk").root, "fsync-"));
  const fd = openSync(join(dir, "probe"), "w");
  const block = Buffer.alloc(4096, 1);
  const times: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      writeSync(fd, block);
      fsyncSync(fd);
      times.push(performance.now() - t);
    }
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}
