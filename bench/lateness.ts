/**
 * Timer lateness: 10,000 live timers over 1,000 cases, all due within the same minute, against
 * the real `wrangler dev` (loopback only). Every case is opened first (signed `custom` webhooks),
 * with a first-reply target whose nine warnings and breach are 6 s apart; the openings are spread
 * over 6 s, so the 10,000 due instants cover one minute evenly. The lead before the first warning
 * is sized from a measured warm-up posting rate, so every timer is planned before the first one
 * is due. After the last one is due, every case view is read back and lateness is what the cases
 * recorded (fired − due, `timers.done[].lateByMs`). Reminders go to a loopback receiver, so the
 * alarms do all their real work (outbox, delivery log, queue, consumer).
 *
 * Bounded in count (cases × 10 timers) and in time: the lead is capped, and no case is read later
 * than READBACK_BOUND_MS after the last due instant; timers not seen fired by then are reported as
 * still pending (with how late they already are) or not observed (their view never answered).
 */
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { DevServer, sleep } from "../tests/e2e/support/wrangler";
import { BENCH_SECRET, call, connectCustom, createStore, percentile, pool, postEvent, Receiver, saveRules, type BenchStore } from "./support";
import type { StatePlace } from "./storage";

/** Timers per case: nine warnings and the breach. */
const WARNINGS = 9;
const STEP_S = 6;
/** Openings are spread over this much, so the 10 × STEP_S ladders tile one minute. */
const SPREAD_MS = STEP_S * 1000;
const POST_CONCURRENCY = 8;
const READ_CONCURRENCY = 4;
const WARMUP_POSTS = 40;
const MIN_LEAD_S = 15;
const MAX_LEAD_S = 180;
/** Reading starts at most this long after the last due instant (earlier once every firing is seen in the log or at the receiver)… */
const DRAIN_BOUND_MS = 30_000;
/** …and no case is read later than this after it: timers not seen fired by then are reported as such. */
const READBACK_BOUND_MS = 150_000;

export interface LatenessFigures {
  state: StatePlace;
  cases: number;
  timersPerCase: number;
  timersPlanned: number;
  /** Fired timers seen in the case views read back. */
  fired: number;
  /** Timers seen firing twice in the cases' log (the same case and timer key in two alarm runs). */
  duplicates: number;
  /** Timers still pending at the last read of their case, and the least lateness among them. */
  pendingAtRead: number;
  pendingLateAtLeastMs: number;
  /** Timers of cases whose view never answered within the bound. */
  notObserved: number;
  cancelled: number;
  casesRead: number;
  casesWithAllTimers: number;
  reads: number;
  failedReads: number;
  /** Firings seen in the captured log (lossy under load; a lower bound), and their lateness. */
  loggedFirings: number;
  loggedLatenessMs: { p50: number; p99: number; max: number };
  /** Why reads went unanswered. */
  readFailures: Record<string, number>;
  /** Whether `wrangler dev` still answered /healthz at the end, and what the runtime printed if it failed. */
  serverAliveAtEnd: boolean;
  runtimeExceptions: number;
  firstRuntimeException: string | null;
  runtimeCrash: string | null;
  /** When the wait for firings ended, after the last due instant. */
  drainedAfterLastDueMs: number;
  latenessMs: { p50: number; p99: number; max: number; min: number; mean: number };
  firedWithin1s: number;
  warmupPostsPerSecond: number;
  leadSeconds: number;
  postingMs: number;
  postsPerSecond: number;
  postErrors: number;
  /** First due instant minus the moment the last case was stored: > 0 means every timer was planned in time. */
  firstDueAfterPostingMs: number;
  /** Timers whose case was stored after their due instant (0 when the lead was long enough). */
  plannedLate: number;
  windowMs: number;
  readbackMs: number;
  /** From firing (the reminder's firedAt) to arrival at the receiver. */
  deliveries: { received: number; p50: number; p99: number; max: number };
  load: { before: number[]; after: number[] };
}

interface TimerView {
  key: string;
  kind: string;
  state: string;
  dueAt: string;
  lateByMs: number | null;
}

function rules(receiverUrl: string, leadSeconds: number) {
  const target = leadSeconds + WARNINGS * STEP_S;
  return {
    channels: { team: { type: "webhook", url: `${receiverUrl}/hook`, secret: BENCH_SECRET } },
    policies: [
      {
        name: "Bench urgent",
        when: {},
        targets: {
          firstReply: {
            calendar: "24/7",
            byPriority: { urgent: `${target}s` },
            // 54s, 48s, … 6s before the breach: the ladder starts `leadSeconds` after opening.
            warnings: Array.from({ length: WARNINGS }, (_, k) => `${(WARNINGS - k) * STEP_S}s`),
          },
        },
        notify: ["team"],
      },
    ],
  };
}

const storedCount = (ids: (string | null)[]) => ids.filter((c) => c !== null).length;

function opened(ticketId: string, at: number) {
  return { occurredAt: new Date(at).toISOString(), caseKey: { type: "ticket", ticketId }, kind: "case.opened", channel: "chat", priority: "urgent", status: "open", subject: `Bench ${ticketId}` };
}

export async function benchLateness(state: StatePlace, opts: { cases?: number } = {}): Promise<LatenessFigures> {
  const cases = opts.cases ?? Number(process.env.BENCH_LATENESS_CASES ?? 1000);
  const loadBefore = loadavg();
  const receiver = new Receiver();
  await receiver.start();
  const server = new DevServer({ stateRoot: state.root });
  await server.start();
  try {
    // Warm-up on a separate store (default rules: nothing due for an hour): warms the isolate and
    // measures how fast this machine, right now, stores signed webhooks.
    const warm = await createStore(server.url, "bench warm-up");
    await connectCustom(warm);
    const warmStart = performance.now();
    await pool(
      Array.from({ length: WARMUP_POSTS }, (_, i) => i),
      POST_CONCURRENCY,
      async (i) => postEvent(warm, opened(`W-${i}`, Date.now())),
    );
    const warmupPostsPerSecond = WARMUP_POSTS / ((performance.now() - warmStart) / 1000);
    const leadSeconds = Math.min(MAX_LEAD_S, Math.max(MIN_LEAD_S, Math.ceil((cases / warmupPostsPerSecond) * 1.25 + 10)));

    const store: BenchStore = await createStore(server.url, "bench lateness");
    await connectCustom(store);
    await saveRules(store, rules(receiver.url, leadSeconds));

    const t0 = Date.now() + 500;
    const openAt = (i: number) => t0 + Math.floor((i * SPREAD_MS) / cases);
    const caseIds: (string | null)[] = new Array<string | null>(cases).fill(null);
    let postErrors = 0;
    let lastStoredAt = 0;
    const storedAt: number[] = new Array<number>(cases).fill(0);
    const postStart = Date.now();
    await pool(
      Array.from({ length: cases }, (_, i) => i),
      POST_CONCURRENCY,
      async (i) => {
        // Never post an opening before its own timestamp: events come from the past, not the future.
        const wait = openAt(i) - Date.now();
        if (wait > 0) await sleep(wait);
        for (let attempt = 0; attempt < 2; attempt++) {
          try {
            const res = await postEvent(store, opened(`L-${i}`, openAt(i)));
            if (res.status === 202) {
              caseIds[i] = res.body.caseId as string;
              storedAt[i] = Date.now();
              lastStoredAt = Math.max(lastStoredAt, storedAt[i]);
              return;
            }
          } catch {
            /* counted below */
          }
          postErrors += 1;
        }
      },
    );
    const postingMs = Date.now() - postStart;
    const firstDue = t0 + leadSeconds * 1000;
    const lastDue = openAt(cases - 1) + (leadSeconds + WARNINGS * STEP_S) * 1000;
    console.log(`bench: lateness: ${cases} cases stored in ${(postingMs / 1000).toFixed(1)} s; first timer due in ${((firstDue - Date.now()) / 1000).toFixed(1)} s, last in ${((lastDue - Date.now()) / 1000).toFixed(1)} s`);

    // The cases' own log of each firing (`case.timers_fired`, written by the alarm that stores
    // fired_at) says when everything has fired at no cost to the server. It loses lines when the
    // server is saturated, so it only ends the wait early and counts double firings; the figures
    // come from the case views. Every fired timer also sends one reminder to the receiver, which
    // loses nothing, so all of them arriving ends the wait too.
    const expected = storedCount(caseIds) * (WARNINGS + 1);
    const logged = new Map<string, number>();
    let duplicates = 0;
    let linesSeen = 0;
    const follow = () => {
      const lines = server.logs(Number.MAX_SAFE_INTEGER).split("\n");
      // The last line may still be incomplete: it is read on the next pass.
      for (; linesSeen < lines.length - 1; linesSeen++) {
        const line = lines[linesSeen]!;
        if (!line.includes('"case.timers_fired"') || !line.includes(store.storeId)) continue;
        try {
          const entry = JSON.parse(line.slice(line.indexOf("{"))) as { case: string; store: string; fired: { key: string; lateMs: number }[] };
          if (entry.store !== store.storeId) continue;
          for (const t of entry.fired) {
            const key = `${entry.case}|${t.key}`;
            if (logged.has(key)) duplicates += 1;
            else logged.set(key, t.lateMs);
          }
        } catch {
          /* not a complete JSON line */
        }
      }
    };
    while (Date.now() < lastDue + DRAIN_BOUND_MS) {
      follow();
      if ((logged.size >= expected || new Set(receiver.received.map((r) => r.id)).size >= expected) && Date.now() > lastDue) break;
      await sleep(3000);
    }
    follow();
    const drainedAt = Date.now();

    // Read every case back; a case with timers still pending, or whose read failed, is read again
    // until the bound.
    const readStart = Date.now();
    const readDeadline = lastDue + READBACK_BOUND_MS;
    const views = new Map<string, { fired: Map<string, number>; pendingDue: number[]; readAt: number; total: number; cancelled: number }>();
    let toRead = caseIds.filter((c): c is string => c !== null);
    let reads = 0;
    let failedReads = 0;
    const failures: Record<string, number> = {};
    while (toRead.length > 0 && Date.now() < readDeadline) {
      const again: string[] = [];
      await pool(toRead, READ_CONCURRENCY, async (caseId) => {
        if (Date.now() > readDeadline) return;
        reads += 1;
        try {
          const res = await call(store.url, "GET", `/v1/stores/${store.storeId}/cases/${encodeURIComponent(caseId)}`, { token: store.token, timeoutMs: 15_000 });
          if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
          const v = res.body as { timers: { done: TimerView[]; pending: TimerView[] } };
          const firedHere = new Map<string, number>();
          for (const t of v.timers.done) if (t.state === "fired" && t.lateByMs !== null) firedHere.set(t.key, t.lateByMs);
          views.set(caseId, {
            fired: firedHere,
            pendingDue: v.timers.pending.map((t) => Date.parse(t.dueAt)),
            readAt: Date.now(),
            total: v.timers.done.length + v.timers.pending.length,
            cancelled: v.timers.done.filter((t) => t.state === "cancelled").length,
          });
          if (v.timers.pending.length > 0) again.push(caseId);
        } catch (err) {
          failedReads += 1;
          const why = err instanceof Error && /timeout|aborted/i.test(`${err.name} ${err.message}`) ? "no answer within 15 s" : err instanceof Error ? err.message.slice(0, 80) : String(err);
          failures[why] = (failures[why] ?? 0) + 1;
          again.push(caseId);
        }
      });
      toRead = again;
      if (toRead.length > 0) await sleep(2000);
    }
    const readbackMs = Date.now() - readStart;

    // Did the runtime itself survive? (Under overload, local workerd has been seen to assert and crash.)
    const alive = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) }).then((r) => r.ok).catch(() => false);
    const output = server.logs(Number.MAX_SAFE_INTEGER).split("\n");
    const runtimeExceptions = output.filter((l) => l.startsWith("exception = "));
    const crash = output.find((l) => l.includes("*** Received signal")) ?? null;

    const late: number[] = [];
    let pendingAtRead = 0;
    let pendingLateAtLeastMs = Number.POSITIVE_INFINITY;
    let cancelled = 0;
    let casesWithAllTimers = 0;
    for (const v of views.values()) {
      late.push(...v.fired.values());
      pendingAtRead += v.pendingDue.length;
      for (const due of v.pendingDue) pendingLateAtLeastMs = Math.min(pendingLateAtLeastMs, v.readAt - due);
      cancelled += v.cancelled;
      if (v.total === WARNINGS + 1) casesWithAllTimers += 1;
    }
    late.sort((a, b) => a - b);
    let plannedLate = 0;
    for (let i = 0; i < cases; i++) {
      if (caseIds[i] === null) continue;
      for (let k = 0; k <= WARNINGS; k++) if (openAt(i) + (leadSeconds + k * STEP_S) * 1000 < storedAt[i]!) plannedLate += 1;
    }

    // Deliveries: give the queue a bounded moment to catch up with what fired.
    const deliveriesDeadline = Date.now() + 10_000;
    while (new Set(receiver.received.map((r) => r.id)).size < late.length && Date.now() < deliveriesDeadline) await sleep(500);
    const lag = receiver.received.filter((r) => r.firedAt !== null).map((r) => r.at - r.firedAt!).sort((a, b) => a - b);

    return {
      state,
      cases,
      timersPerCase: WARNINGS + 1,
      timersPlanned: expected,
      fired: late.length,
      duplicates,
      pendingAtRead,
      pendingLateAtLeastMs: pendingAtRead > 0 ? pendingLateAtLeastMs : Number.NaN,
      notObserved: Math.max(0, expected - late.length - pendingAtRead - cancelled),
      cancelled,
      casesRead: views.size,
      casesWithAllTimers,
      reads,
      failedReads,
      loggedFirings: logged.size,
      loggedLatenessMs: (() => {
        const l = [...logged.values()].sort((a, b) => a - b);
        return { p50: percentile(l, 50), p99: percentile(l, 99), max: l[l.length - 1] ?? Number.NaN };
      })(),
      readFailures: failures,
      serverAliveAtEnd: alive,
      runtimeExceptions: runtimeExceptions.length,
      firstRuntimeException: runtimeExceptions[0]?.slice(0, 200) ?? null,
      runtimeCrash: crash?.slice(0, 200) ?? null,
      drainedAfterLastDueMs: drainedAt - lastDue,
      latenessMs: {
        p50: percentile(late, 50),
        p99: percentile(late, 99),
        max: late[late.length - 1] ?? Number.NaN,
        min: late[0] ?? Number.NaN,
        mean: late.length ? late.reduce((a, b) => a + b, 0) / late.length : Number.NaN,
      },
      firedWithin1s: late.filter((l) => l < 1000).length,
      warmupPostsPerSecond,
      leadSeconds,
      postingMs,
      postsPerSecond: cases / (postingMs / 1000),
      postErrors,
      firstDueAfterPostingMs: firstDue - lastStoredAt,
      plannedLate,
      windowMs: lastDue - firstDue,
      readbackMs,
      deliveries: { received: new Set(receiver.received.map((r) => r.id)).size, p50: percentile(lag, 50), p99: percentile(lag, 99), max: lag[lag.length - 1] ?? Number.NaN },
      load: { before: loadBefore, after: loadavg() },
    };
  } finally {
    // For digging into a bad run: BENCH_LATENESS_LOG=path keeps everything wrangler printed (path.<cases>-cases).
    if (process.env.BENCH_LATENESS_LOG) writeFileSync(`${process.env.BENCH_LATENESS_LOG}.${cases}-cases`, server.logs(Number.MAX_SAFE_INTEGER));
    await server.dispose();
    await receiver.stop();
  }
}
