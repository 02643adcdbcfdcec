/**
 * The reports benchmark's Worker: Promptly as it is (every route, the real registry class), plus
 * one bulk loader, so two million cycles can be written in minutes rather than pushed case by case.
 * The loader writes through the same `applyOutcomePush` the case pushes use (rows and rollups).
 */
import promptly, { StoreRegistry as PromptlyRegistry, SupportCase } from "../../src/index";
import { applyOutcomePush } from "../../src/reports/outcome-sql";
import type { CycleRecord } from "../../src/reports/schema";

export { SupportCase };

const METRICS = ["first_reply", "next_reply", "periodic_update", "resolution"] as const;
const POLICIES = ["Standard", "VIP", "Chat"];
const PRIORITIES = ["low", "normal", "high", "urgent"];
const CHANNELS = ["email", "chat", "phone"];
const TARGET_MIN = [120, 60, 240, 960];

/** A small deterministic generator, so every run loads the same history. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class StoreRegistry extends PromptlyRegistry {
  /**
   * Writes cases `[first, first + cases)`, four cycles each, ended over `[from, to)`; `open` of
   * every thousand cases keep their last cycle running. One transaction per call.
   */
  async benchLoad(q: { first: number; cases: number; from: number; to: number; assignees: number; groups: number }): Promise<{ cycles: number; ms: number }> {
    const t0 = Date.now();
    let n = 0;
    this.ctx.storage.transactionSync(() => {
      for (let c = q.first; c < q.first + q.cases; c++) {
        const rnd = mulberry32(c + 1);
        const caseId = `ticket:custom:B${c}`;
        const opened = q.from + Math.floor(rnd() * (q.to - q.from - 86_400_000));
        const facts = {
          caseId,
          policy: POLICIES[Math.floor(rnd() * POLICIES.length)]!,
          rulesVersion: 1,
          priority: PRIORITIES[Math.floor(rnd() * PRIORITIES.length)]!,
          channel: CHANNELS[Math.floor(rnd() * CHANNELS.length)]!,
          provider: "custom",
          assignee: `agent-${Math.floor(rnd() * q.assignees)}`,
          group: `team-${Math.floor(rnd() * q.groups)}`,
        };
        const upsert: CycleRecord[] = METRICS.map((metric, i) => {
          const target = TARGET_MIN[i]! * 60_000;
          const used = Math.floor(rnd() * 2 * TARGET_MIN[i]!) * 60_000 + Math.floor(rnd() * 60_000);
          const startedAt = opened + i * 3_600_000;
          const open = c % 1000 === 0 && i === 3;
          const endedAt = open ? null : Math.min(q.to - 1, startedAt + used + Math.floor(rnd() * 3_600_000));
          return {
            ...facts,
            metric,
            startedAt,
            endedAt,
            dueAt: startedAt + target,
            targetMs: target,
            usedMs: used,
            pausedMs: 0,
            outcome: open ? "in_progress" : used <= target ? "met" : "missed",
          };
        });
        applyOutcomePush(this.ctx.storage.sql, caseId, { upsert, remove: [] });
        n += upsert.length;
      }
    });
    return { cycles: n, ms: Date.now() - t0 };
  }
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/bench/load" && request.method === "POST") {
      const body = (await request.json()) as { storeId: string } & Parameters<StoreRegistry["benchLoad"]>[0];
      const stub = env.STORES.getByName(body.storeId) as unknown as DurableObjectStub<StoreRegistry>;
      return Response.json(await stub.benchLoad(body));
    }
    return promptly.fetch(request, env, ctx);
  },
  queue: promptly.queue,
} satisfies ExportedHandler<Env>;
