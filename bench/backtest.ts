/**
 * Backtest benchmark: a store with CASES past tickets (each opened and answered once, inside the
 * last 30 days), all posted as signed `custom` webhooks to a real `wrangler dev` (state on tmpfs),
 * then one 30-day backtest of a draft that halves the first-reply target, timed from the 202 to
 * `done`. The time per case is that time over the cases replayed: each is one RPC to a case object
 * that reads its events and folds them twice (current and draft), the runner's steps included.
 * Loopback only; bounded by the case count and a deadline.
 */
import { DevServer } from "../tests/e2e/support/wrangler";
import type { StatePlace } from "./storage";
import { call, connectCustom, createStore, pool, postEvent, saveRules } from "./support";

export interface BacktestFigures {
  cases: number;
  postingMs: number;
  backtestMs: number;
  replayed: number;
  changed: number;
  perCaseMs: number;
  state: StatePlace;
}

const DAY = 86_400_000;
const policy = (firstReply: string) => ({ name: "All", targets: { firstReply: { calendar: "24/7", byPriority: { normal: firstReply } } } });

export async function benchBacktest(state: StatePlace, opts: { cases?: number } = {}): Promise<BacktestFigures> {
  const cases = opts.cases ?? 10_000;
  const server = new DevServer({ stateRoot: state.root });
  await server.start();
  try {
    const store = await createStore(server.url, "backtest bench");
    await saveRules(store, { policies: [policy("30m")] });
    await connectCustom(store);
    const now = Date.now();
    const span = 28 * DAY;
    const t0 = Date.now();
    await pool(
      Array.from({ length: cases }, (_, i) => i),
      8,
      async (i) => {
        const opened = now - span + Math.floor((i * span) / cases);
        // Replies 5–40 minutes after opening: under the draft's 15 minutes about 70 % miss.
        const reply = opened + (5 + (i % 36)) * 60_000;
        const caseKey = { type: "ticket", ticketId: `BB-${i}` };
        const a = await postEvent(store, { occurredAt: new Date(opened).toISOString(), caseKey, kind: "case.opened", status: "open", priority: "normal" });
        const b = await postEvent(store, { occurredAt: new Date(reply).toISOString(), caseKey, kind: "case.agent_reply" });
        if (a.status !== 202 || b.status !== 202) throw new Error(`posting case ${i} failed: ${a.status} ${b.status}`);
      },
    );
    const postingMs = Date.now() - t0;

    const started = Date.now();
    const res = await call(server.url, "POST", `/v1/stores/${store.storeId}/rules/backtest`, {
      token: store.token,
      body: { rules: { policies: [policy("15m")] }, from: new Date(now - 30 * DAY).toISOString(), to: new Date().toISOString() },
    });
    if (res.status !== 202) throw new Error(`backtest refused: ${res.status} ${JSON.stringify(res.body)}`);
    const id = res.body.backtestId as string;
    const deadline = Date.now() + 20 * 60_000;
    for (;;) {
      const got = await call(server.url, "GET", `/v1/stores/${store.storeId}/rules/backtests/${id}`, { token: store.token });
      if (got.body.state === "done") {
        const backtestMs = Date.now() - started;
        const replayed = got.body.result.casesReplayed as number;
        return { cases, postingMs, backtestMs, replayed, changed: got.body.result.changedCount as number, perCaseMs: backtestMs / Math.max(1, replayed), state };
      }
      if (got.body.state === "failed" || Date.now() > deadline) throw new Error(`backtest did not finish: ${JSON.stringify(got.body).slice(0, 500)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await server.dispose();
  }
}
