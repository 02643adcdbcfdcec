/**
 * `RulesBacktest`: one object per store that runs that store's backtests, one at a time.
 *
 * Why its own object and not the store's registry: a backtest is a long job with its own state
 * (progress, a growing result, a draft of up to the document cap) that is read by polling. Kept in
 * the registry, every step of it would queue behind the store's webhooks, reminders and admin
 * writes on the one object that is already the store's hot spot. Here it costs the registry one
 * page read of the case index per step.
 *
 * How it runs: the object's own alarm drives it in steps. Each step reads the next page of case
 * ids that had events in the window from the registry's case index, asks each case object to
 * replay itself (`SupportCase.backtest`: the events never leave the case, and the case stores and
 * sends nothing), CASES_IN_FLIGHT at a time, adds the answers up (pure: aggregate.ts), saves the
 * cursor and the running totals, and sets the alarm for the next step at once. No request and no
 * step comes near a platform limit, whatever the store's size; a step that throws is retried by
 * the platform from the saved cursor. Results are kept KEEP_RESULTS_DAYS.
 */
import { DurableObject } from "cloudflare:workers";
import { caseObjectName } from "../events/model";
import { applyMigrations, type Migration } from "../lib/sql-migrations";
import type { RulesDocument } from "../rules/schema";
import { addReplay, byMetric, emptyTotals, type BacktestTotals } from "./aggregate";
import { KEEP_RESULTS_DAYS, type BacktestState, type BacktestView } from "./schema";

/** Case ids read from the index per step, and how many case objects replay at once. */
export const CASES_PER_STEP = 40;
export const CASES_IN_FLIGHT = 8;

const DAY_MS = 86_400_000;
/** The platform retries a throwing alarm a few times; from this retry on, the run is failed instead. */
const FAIL_AFTER_RETRIES = 3;

const migrations: Migration[] = [
  {
    id: 1,
    sql: `CREATE TABLE backtests (
            backtest_id TEXT PRIMARY KEY, store_id TEXT NOT NULL, state TEXT NOT NULL,
            draft TEXT NOT NULL, draft_version INTEGER NOT NULL,
            from_at INTEGER NOT NULL, to_at INTEGER NOT NULL, until_at INTEGER NOT NULL,
            created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
            cursor TEXT, cases_total INTEGER NOT NULL DEFAULT 0, cases_done INTEGER NOT NULL DEFAULT 0,
            totals TEXT NOT NULL, error TEXT)`,
  },
];

interface Row {
  backtest_id: string;
  store_id: string;
  state: BacktestState;
  draft: string;
  draft_version: number;
  from_at: number;
  to_at: number;
  until_at: number;
  created_at: number;
  updated_at: number;
  cursor: string | null;
  cases_total: number;
  cases_done: number;
  totals: string;
  error: string | null;
  [key: string]: SqlStorageValue;
}

export type StartOutcome = { started: true; backtestId: string } | { started: false; running: string };

const iso = (t: number) => new Date(t).toISOString();

export class RulesBacktest extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      applyMigrations(ctx.storage, "backtests", migrations);
    });
  }

  private get sql(): SqlStorage {
    return this.ctx.storage.sql;
  }

  private row(id: string): Row | undefined {
    return this.sql.exec<Row>(`SELECT * FROM backtests WHERE backtest_id = ?`, id).toArray()[0];
  }

  private forgetExpired(now: number): void {
    this.sql.exec(`DELETE FROM backtests WHERE state IN ('done', 'failed', 'cancelled') AND updated_at < ?`, now - KEEP_RESULTS_DAYS * DAY_MS);
  }

  async start(req: { storeId: string; draft: RulesDocument; draftVersion: number; from: number; to: number }): Promise<StartOutcome> {
    const now = Date.now();
    this.forgetExpired(now);
    const running = this.sql.exec<{ backtest_id: string }>(`SELECT backtest_id FROM backtests WHERE state IN ('queued', 'running') LIMIT 1`).toArray()[0];
    if (running) return { started: false, running: running.backtest_id };
    const backtestId = `bt_${crypto.randomUUID().replaceAll("-", "")}`;
    this.sql.exec(
      `INSERT INTO backtests (backtest_id, store_id, state, draft, draft_version, from_at, to_at, until_at, created_at, updated_at, totals)
       VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?)`,
      backtestId,
      req.storeId,
      JSON.stringify(req.draft),
      req.draftVersion,
      req.from,
      req.to,
      Math.min(req.to, now),
      now,
      now,
      JSON.stringify(emptyTotals()),
    );
    await this.ctx.storage.setAlarm(now);
    return { started: true, backtestId };
  }

  async read(backtestId: string): Promise<BacktestView | null> {
    const row = this.row(backtestId);
    if (!row || row.updated_at < Date.now() - KEEP_RESULTS_DAYS * DAY_MS) return null;
    return viewOf(row);
  }

  async cancel(backtestId: string): Promise<BacktestView | null> {
    const row = this.row(backtestId);
    if (!row) return null;
    if (row.state === "queued" || row.state === "running") {
      this.sql.exec(`UPDATE backtests SET state = 'cancelled', updated_at = ? WHERE backtest_id = ?`, Date.now(), backtestId);
    }
    return viewOf(this.row(backtestId)!);
  }

  override async alarm(alarmInfo?: AlarmInvocationInfo): Promise<void> {
    const now = Date.now();
    this.forgetExpired(now);
    const row = this.sql.exec<Row>(`SELECT * FROM backtests WHERE state IN ('queued', 'running') ORDER BY created_at LIMIT 1`).toArray()[0];
    if (!row) {
      // Nothing to run: wake again when the oldest kept result expires.
      const oldest = this.sql.exec<{ t: number | null }>(`SELECT MIN(updated_at) AS t FROM backtests`).one().t;
      if (oldest !== null) await this.ctx.storage.setAlarm(oldest + KEEP_RESULTS_DAYS * DAY_MS + 1000);
      return;
    }
    try {
      await this.step(row);
    } catch (err) {
      // The registry or storage failed: the platform retries the alarm from the saved cursor;
      // after its retries are spent the run is failed, never left "running" forever.
      const message = err instanceof Error ? err.message : String(err);
      console.log(JSON.stringify({ msg: "backtest.step_failed", backtestId: row.backtest_id, error: message }));
      if ((alarmInfo?.retryCount ?? 0) >= FAIL_AFTER_RETRIES) {
        this.sql.exec(`UPDATE backtests SET state = 'failed', error = ?, updated_at = ? WHERE backtest_id = ?`, message.slice(0, 300), Date.now(), row.backtest_id);
        await this.ctx.storage.setAlarm(Date.now());
        return;
      }
      this.sql.exec(`UPDATE backtests SET error = ?, updated_at = ? WHERE backtest_id = ?`, message.slice(0, 300), Date.now(), row.backtest_id);
      throw err;
    }
  }

  /** One step: the next page of cases replayed and added up; the alarm set for the next. */
  private async step(row: Row): Promise<void> {
    const registry = this.env.STORES.getByName(row.store_id);
    if (row.state === "queued") {
      const total = await registry.casesActiveBetweenCount(row.from_at, row.until_at);
      this.sql.exec(`UPDATE backtests SET state = 'running', cases_total = ?, updated_at = ? WHERE backtest_id = ?`, total, Date.now(), row.backtest_id);
    }
    const page = await registry.casesActiveBetween(row.from_at, row.until_at, row.cursor, CASES_PER_STEP);
    const draft = JSON.parse(row.draft) as RulesDocument;
    const totals = JSON.parse(row.totals) as BacktestTotals;
    const queue = [...page];
    const replayOne = async (): Promise<void> => {
      for (let caseId = queue.shift(); caseId !== undefined; caseId = queue.shift()) {
        try {
          const replay = await this.env.CASES.getByName(caseObjectName(row.store_id, caseId)).backtest({
            draft,
            draftVersion: row.draft_version,
            from: row.from_at,
            until: row.until_at,
          });
          if (replay) addReplay(totals, replay);
        } catch (err) {
          totals.casesFailed += 1;
          console.log(JSON.stringify({ msg: "backtest.case_failed", backtestId: row.backtest_id, caseId, error: err instanceof Error ? err.message : String(err) }));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CASES_IN_FLIGHT, page.length) }, replayOne));

    // Cancelled while this step ran: keep what the admin asked for, drop the step.
    const now = Date.now();
    if (this.row(row.backtest_id)?.state !== "running") return void (await this.ctx.storage.setAlarm(now));
    const done = page.length < CASES_PER_STEP;
    this.sql.exec(
      `UPDATE backtests SET cursor = ?, cases_done = cases_done + ?, totals = ?, state = ?, error = NULL, updated_at = ? WHERE backtest_id = ?`,
      page.at(-1) ?? row.cursor,
      page.length,
      JSON.stringify(totals),
      done ? "done" : "running",
      now,
      row.backtest_id,
    );
    await this.ctx.storage.setAlarm(now);
  }
}

function viewOf(row: Row): BacktestView {
  const totals = JSON.parse(row.totals) as BacktestTotals;
  const finished = row.state === "done";
  return {
    backtestId: row.backtest_id,
    state: row.state,
    from: iso(row.from_at),
    to: iso(row.to_at),
    until: iso(row.until_at),
    createdAt: iso(row.created_at),
    // While it runs the index may still grow; a finished run counts exactly what it replayed.
    progress: { cases: finished ? row.cases_done : Math.max(row.cases_total, row.cases_done), done: row.cases_done },
    result: finished
      ? {
          casesReplayed: totals.casesReplayed,
          casesFailed: totals.casesFailed,
          byMetric: byMetric(totals),
          reminders: { current: totals.current.reminders, draft: totals.draft.reminders },
          changed: totals.changed,
          changedCount: totals.changedCount,
        }
      : null,
    error: row.error,
    expiresAt: iso(row.updated_at + KEEP_RESULTS_DAYS * DAY_MS),
  };
}
