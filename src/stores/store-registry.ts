/**
 * StoreRegistry: one Durable Object per store, the single writer for everything store-wide.
 *
 * Store settings, admin tokens, provider secrets, rule versions and the audit log, the index that
 * lets a shipment find the open ticket of the same order or customer, and the delivery log all
 * live here, so writes are serialized (no lost updates) and reads right after a write see it.
 * Each concern keeps its SQL in its own module and migration group; this class is the thin RPC
 * surface the Worker calls.
 */
import { DurableObject } from "cloudflare:workers";
import type { ProviderId } from "../events/model";
import { applyMigrations } from "../lib/sql-migrations";
import type { ProviderConfig } from "../webhooks/adapter";
import { deleteProvider, openConfig, providerMigrations, readProviderConfig, recordIgnored, recordProviderActivity, sealConfig, summaries, upsertProvider, type ProviderSummary } from "../webhooks/provider-store";
import { secretBox } from "../lib/secret-box";
import type { StoreView } from "./schema";
import { insertStore, insertToken, readStore, revokeToken, storeId as getStoreId, storeMigrations, tokenIsLive, type RevokeOutcome } from "./store-data";
import { caseIndexed, caseIndexMigrations, casesActiveBetween, pinnedRulesVersions, findOpenTickets, listCases, openCaseIds, upsertCaseSummary, type CaseFilters, type CasePage, type CasePush, type LinkedTicket } from "./case-index";
import { caseObjectName, type CaseKey } from "../events/model";
import { caseAliasMigrations, learnAliases, markHandedOver, resolveAliases } from "./case-aliases";
import { deleteSession, deleteTokenSessions, findSession, insertSession, sessionMigrations, type SessionInfo } from "./sessions";
import { DeliveryLog, deliveryMigrations, rearmAfterFailedAlarm, type FinishInput, type FinishOutcome, type RecordOutcome, type RetryOutcome, type StartOutcome } from "../notify/delivery-log";
import type { DispatchPlan } from "../notify/plan";
import type { Reminder } from "../notify/reminder";
import type { ChannelHealthView, DeliveryPage, DeliveryState, DeliveryView } from "../notify/views";
import { applyOutcomePush, listCycles, outcomeMigrations, slaReport } from "../reports/outcome-sql";
import type { CyclePage, CyclesQuery, GroupField, SlaReport } from "../reports/schema";
import { applyPlaybookPush, playbookCases, playbookMigrations, playbookReport, shipmentCases, shipmentsReport } from "../reports/playbook-sql";
import type { PlaybookCasePage, PlaybookCasesQuery, PlaybookReport, ShipmentCasePage, ShipmentCasesQuery, ShipmentsReport } from "../reports/schema";
import { currentVersionNumber, recordAudit, RulesRegistry, rulesMigrations, type PruneOutcome, type AuditEntry, type RollbackOutcome, type SaveOutcome, type SaveRequest, type StoredRules, type VersionMeta } from "../rules-store/versions";
import { OutboundBudget } from "../notify/store-budget";

export class StoreRegistry extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  /**
   * Whether this object holds a store. Anyone can name a store id (an unsigned webhook, a forged
   * token), and the object for it comes into being just by being addressed: so the schema is
   * only created when a store is, and an object that never held one answers "no" without writing.
   */
  private holdsStore = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => {
      const found = this.sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'store'`).toArray().length > 0;
      if (found) this.migrate();
    });
  }

  private migrate(): void {
    applyMigrations(this.ctx.storage, "store", storeMigrations);
    applyMigrations(this.ctx.storage, "providers", providerMigrations);
    applyMigrations(this.ctx.storage, "rules", rulesMigrations);
    applyMigrations(this.ctx.storage, "deliveries", deliveryMigrations);
    applyMigrations(this.ctx.storage, "case-index", caseIndexMigrations);
    applyMigrations(this.ctx.storage, "case-aliases", caseAliasMigrations);
    applyMigrations(this.ctx.storage, "sessions", sessionMigrations);
    applyMigrations(this.ctx.storage, "reports", [...outcomeMigrations, ...playbookMigrations].sort((a, b) => a.id - b.id));
    this.holdsStore = true;
  }

  /** Creates the store with its first admin token; false when this object already holds a store. */
  async createStore(input: { storeId: string; name: string; tokenId: string; tokenHash: string }): Promise<StoreView | null> {
    if (!this.holdsStore) this.migrate();
    const now = Date.now();
    let created = false;
    this.ctx.storage.transactionSync(() => {
      created = insertStore(this.sql, input.storeId, input.name, now);
      if (created) insertToken(this.sql, { tokenId: input.tokenId, tokenHash: input.tokenHash, label: "initial", createdBy: "operator" }, now);
    });
    return created ? readStore(this.sql) : null;
  }

  async getStore(): Promise<StoreView | null> {
    if (!this.holdsStore) return null;
    return readStore(this.sql);
  }

  /** Whether `tokenHash` is a live admin token of this store (false for a store that does not exist). */
  async authenticate(tokenId: string, tokenHash: string): Promise<boolean> {
    if (!this.holdsStore) return false;
    return tokenIsLive(this.sql, tokenId, tokenHash);
  }

  async addAdminToken(input: { tokenId: string; tokenHash: string; label: string | null; createdBy: string }): Promise<void> {
    insertToken(this.sql, input, Date.now());
  }

  async revokeAdminToken(tokenId: string): Promise<RevokeOutcome> {
    let outcome: RevokeOutcome = "not_found";
    this.ctx.storage.transactionSync(() => {
      outcome = revokeToken(this.sql, tokenId, Date.now());
      // A revoked token's console sessions end with it.
      if (outcome === "revoked") deleteTokenSessions(this.sql, tokenId);
    });
    return outcome;
  }

  // ── Console sessions (src/stores/sessions.ts) ─────────────────────────────────────────────

  /** Checks the admin token and opens a session in one call; null when the token is not live. */
  async openSession(tokenId: string, tokenHash: string, sessionHash: string): Promise<SessionInfo | null> {
    if (!this.holdsStore || !tokenIsLive(this.sql, tokenId, tokenHash)) return null;
    return insertSession(this.sql, sessionHash, tokenId, Date.now());
  }

  async sessionByHash(sessionHash: string): Promise<SessionInfo | null> {
    if (!this.holdsStore) return null;
    return findSession(this.sql, sessionHash, Date.now());
  }

  async closeSession(sessionHash: string): Promise<boolean> {
    if (!this.holdsStore) return false;
    return deleteSession(this.sql, sessionHash);
  }

  // ── Providers (webhook intake) ────────────────────────────────────────────────────────────

  async putProvider(provider: ProviderId, config: ProviderConfig): Promise<ProviderSummary> {
    return upsertProvider(this.sql, provider, await sealConfig(await secretBox(this.env), config), Date.now());
  }

  /** Includes secrets: only intake, inside the Worker, calls this. */
  async providerConfig(provider: string): Promise<ProviderConfig | null> {
    if (!this.holdsStore) return null;
    return openConfig(await secretBox(this.env), readProviderConfig(this.sql, provider));
  }

  /**
   * What intake needs in one call: the provider's config, and the rules version a case opened by
   * this delivery is pinned to (strongly consistent, so a rule saved a second ago applies).
   */
  async intakeContext(provider: string): Promise<{ config: ProviderConfig; rulesVersion: number } | null> {
    if (!this.holdsStore) return null;
    const box = await secretBox(this.env);
    // The version is read after the await: opening the secrets lets other requests run first.
    const config = await openConfig(box, readProviderConfig(this.sql, provider));
    return config ? { config, rulesVersion: currentVersionNumber(this.sql) } : null;
  }

  async listProviders(): Promise<ProviderSummary[]> {
    return summaries(this.sql);
  }

  /** Write-through of intake's per-isolate activity (src/webhooks/provider-activity.ts). */
  async providerActivity(provider: string, activity: { receivedAt?: number; refused?: { at: number; reason: string } }): Promise<void> {
    if (this.holdsStore) recordProviderActivity(this.sql, provider, activity);
  }

  async removeProvider(provider: string): Promise<boolean> {
    return deleteProvider(this.sql, provider);
  }

  async recordIgnoredDelivery(provider: string, providerEventId: string, reason: string): Promise<{ duplicate: boolean }> {
    return { duplicate: recordIgnored(this.sql, provider, providerEventId, reason, Date.now()) };
  }

  // ── Rules (src/rules-store/versions.ts): versions, audit, KV publishing ───────────────────

  private rulesConcern: RulesRegistry | undefined;
  private rules(): RulesRegistry {
    return (this.rulesConcern ??= new RulesRegistry(this.ctx.storage, this.env.RULES, this.env));
  }

  /** Version `version` (0 = starter rules), or the current one; unmasked, for use inside the Worker. */
  async rulesRead(version?: number): Promise<StoredRules | null> {
    return this.rules().read(version);
  }

  async rulesVersions(limit: number, before?: number): Promise<{ current: number; versions: VersionMeta[] }> {
    return this.rules().versions(limit, before);
  }

  /** Validates and saves the next version if `expectedVersion` is still current, then publishes it to KV. */
  async rulesSave(req: Omit<SaveRequest, "now">): Promise<SaveOutcome> {
    const outcome = await this.rules().save(req);
    if (outcome.type === "saved") await this.rules().prune(pinnedRulesVersions(this.sql));
    return outcome;
  }

  async rulesRetention(): Promise<number | null> {
    return this.rules().retention();
  }

  async rulesSetRetention(keepLast: number | null, author: string): Promise<PruneOutcome> {
    return this.rules().setRetention(keepLast, author, pinnedRulesVersions(this.sql));
  }

  async rulesRollback(req: { to: number; expectedVersion?: number; author: string; applyToOpenCases?: boolean; allowLoopbackDestinations?: boolean }): Promise<RollbackOutcome> {
    return this.rules().rollback(req);
  }

  /** Replaces one channel secret with the mask in every stored version but the current one (registry and KV), audited. */
  async rulesPurgeSecret(req: { channel: string; field: string; author: string }): Promise<{ versions: number[] }> {
    return this.rules().purgeSecret(req);
  }

  async auditLog(limit: number, before?: number): Promise<{ entries: AuditEntry[]; more: boolean }> {
    return this.rules().audit(limit, before);
  }

  /** A person acted on a case (took it, snoozed a warning, called, promised a callback: Slack, console, API). */
  async recordCaseAction(entry: { actor: string; action: string; caseId: string; summary: string }): Promise<void> {
    if (!this.holdsStore) return;
    recordAudit(this.sql, { at: Date.now(), actor: entry.actor, action: entry.action, subject: entry.caseId, summary: entry.summary });
  }

  // ── Case index (src/stores/case-index.ts): lists, linking shipments to tickets ─────────────

  /** The rules version new cases are pinned to (strongly consistent, unlike the KV pointer). */
  async currentRulesVersion(): Promise<number> {
    return currentVersionNumber(this.sql);
  }

  /** A case's latest summary; older pushes (lower `seq`) are ignored. */
  async indexCase(summary: CasePush, seq: number): Promise<boolean> {
    const outcomes = summary.outcomes;
    if (!outcomes) return upsertCaseSummary(this.sql, summary, seq, Date.now());
    // The outcomes are taken with the summary or not at all: the same sequence guard covers both.
    return this.ctx.storage.transactionSync(() => {
      const taken = upsertCaseSummary(this.sql, summary, seq, Date.now());
      if (taken) {
        applyOutcomePush(this.sql, summary.caseId, outcomes);
        applyPlaybookPush(this.sql, summary.caseId, outcomes);
      }
      return taken;
    });
  }

  // ── Reports (src/reports/) ─────────────────────────────────────────────────────────────────

  async slaReport(q: { from: number; to: number; groupBy: GroupField[] }): Promise<SlaReport> {
    return slaReport(this.sql, q, Date.now());
  }

  async reportCycles(q: Omit<CyclesQuery, "from" | "to"> & { from: number; to: number }): Promise<CyclePage> {
    return listCycles(this.sql, q, Date.now());
  }

  async playbookReport(q: { from: number; to: number }): Promise<PlaybookReport> {
    return playbookReport(this.sql, q, Date.now());
  }

  async playbookCases(q: Omit<PlaybookCasesQuery, "from" | "to"> & { from: number; to: number }): Promise<PlaybookCasePage> {
    return playbookCases(this.sql, q, Date.now());
  }

  async shipmentsReport(q: { from: number; to: number }): Promise<ShipmentsReport> {
    return shipmentsReport(this.sql, q);
  }

  async shipmentCases(q: Omit<ShipmentCasesQuery, "from" | "to"> & { from: number; to: number }): Promise<ShipmentCasePage> {
    return shipmentCases(this.sql, q);
  }

  /**
   * Remembers stand-in keys for a case (see case-aliases.ts). Returns the stand-ins whose own case
   * (opened before they were named) still has to hand its events over.
   */
  async learnCaseAliases(caseKey: CaseKey, aliases: CaseKey[], asOf: number): Promise<string[]> {
    if (!this.holdsStore) return [];
    return learnAliases(this.sql, caseKey, aliases, asOf, Date.now());
  }

  async standInHandedOver(aliasCaseId: string, caseId: string): Promise<void> {
    if (!this.holdsStore) return;
    markHandedOver(this.sql, aliasCaseId, caseId);
  }

  /** The real key behind each stand-in case id the store has learned one for. */
  async resolveCaseAliases(aliasCaseIds: string[]): Promise<Record<string, CaseKey>> {
    if (!this.holdsStore) return {};
    return resolveAliases(this.sql, aliasCaseIds);
  }

  async hasCase(caseId: string): Promise<boolean> {
    return caseIndexed(this.sql, caseId);
  }

  /** Case ids with events between `from` and `to` (opened by `to`, last event from `from` on), in id order after `after`: a backtest's pages. */
  async casesActiveBetween(from: number, to: number, after: string | null, limit: number): Promise<string[]> {
    return casesActiveBetween(this.sql, from, to, after, limit);
  }

  async casesActiveBetweenCount(from: number, to: number): Promise<number> {
    return casesActiveBetween(this.sql, from, to, null, null).length;
  }

  async listCases(opts: { filters?: CaseFilters | undefined; cursor?: string | undefined; limit: number }): Promise<CasePage> {
    return listCases(this.sql, { ...opts, now: Date.now() });
  }

  async findOpenTickets(q: { orderIds: string[]; emails: string[] }): Promise<LinkedTicket[]> {
    return findOpenTickets(this.sql, q);
  }

  /**
   * Applies a saved rules version to every open case from now on. Cases keep the business time
   * they already used. One RPC per open case, in order: fine for the hundreds of open cases a
   * store has; a store with far more would move this fan-out to a queue.
   */
  async applyRulesToOpenCases(version: number): Promise<{ cases: number }> {
    const storeId = getStoreId(this.sql);
    if (storeId === null) return { cases: 0 };
    const at = Date.now();
    let cases = 0;
    for (const caseId of openCaseIds(this.sql)) {
      if (await this.env.CASES.getByName(caseObjectName(storeId, caseId)).applyRules(version, at)) cases += 1;
    }
    return { cases };
  }

  // ── Deliveries (src/notify/delivery-log.ts): reminders out, attempts, health, quiet hours ───

  private deliveryLog: DeliveryLog | undefined;
  private deliveries(): DeliveryLog {
    const staleSeconds = Number(this.env.DELIVERY_STALE_AFTER_SECONDS);
    return (this.deliveryLog ??= new DeliveryLog(this.ctx.storage, this.env.DELIVERY_QUEUE, Number.isFinite(staleSeconds) && staleSeconds > 0 ? staleSeconds * 1000 : undefined));
  }

  /** Records a reminder's deliveries once per channel and hands the pending ones to the queue. */
  async deliveriesRecord(plan: DispatchPlan): Promise<RecordOutcome> {
    return this.deliveries().record(plan);
  }

  /**
   * Claims a queue batch's deliveries of this store for one send each, in order (one call per
   * store per batch, not per message: this object is the store's hot spot); skips delivered, dead
   * and in-flight ones.
   */
  async deliveryStartBatch(deliveryIds: string[], leaseMs: number): Promise<StartOutcome[]> {
    const now = Date.now();
    const starts = this.deliveries().startMany(deliveryIds, leaseMs, now);
    // The store's outbound cap (src/notify/store-budget.ts): a claimed delivery over it gives its
    // claim back and waits for its turn; it is never dropped.
    const held: string[] = [];
    const outcomes = starts.map((start, i): StartOutcome => {
      if (start.action !== "send") return start;
      const verdict = this.outboundBudget().take(deliveryIds[i]!, now);
      if (verdict.send) return start;
      held.push(deliveryIds[i]!);
      return { action: "wait", seconds: verdict.waitSeconds, reason: `over the store's limit of ${this.outboundBudget().perWindow} outbound requests per minute` };
    });
    if (held.length > 0) this.deliveries().releaseClaims(held);
    return outcomes;
  }

  private budget: OutboundBudget | undefined;
  private outboundBudget(): OutboundBudget {
    return (this.budget ??= new OutboundBudget(OutboundBudget.perMinuteFrom(this.env.STORE_DELIVERIES_PER_MINUTE)));
  }

  /** Records the attempts of a batch's claimed deliveries, one outcome per input, in order. */
  async deliveryFinishBatch(inputs: FinishInput[]): Promise<FinishOutcome[]> {
    return this.deliveries().finishMany(inputs);
  }

  async deliveryDeadLetter(deliveryId: string): Promise<{ state: DeliveryState | null }> {
    return this.deliveries().deadLetter(deliveryId, Date.now());
  }

  async deliveriesList(q: { state?: DeliveryState | undefined; limit: number; cursor?: number | undefined }): Promise<DeliveryPage> {
    return this.deliveries().list(q);
  }

  /** Every delivery of these reminders, for a case's timeline. */
  async deliveriesForReminders(reminderIds: string[]): Promise<DeliveryView[]> {
    return this.deliveries().forReminders(reminderIds);
  }

  /** Posted messages of these reminders that can be rewritten after an action (Slack app channels). */
  async deliveryReceipts(reminderIds: string[]): Promise<{ channel: string; receipt: string; reminder: Reminder }[]> {
    return this.deliveries().receiptsFor(reminderIds);
  }

  async deliveryRetry(id: number, actor: string): Promise<RetryOutcome> {
    return this.deliveries().retry(id, actor, Date.now());
  }

  async channelHealth(): Promise<ChannelHealthView[]> {
    return this.deliveries().health();
  }

  /**
   * The registry's only alarm: quiet-hours releases and the delivery log's safety net. A run that
   * fails is retried by the platform, which gives up after a few retries: when those run low the
   * handler re-arms itself instead, so held digests and lost hand-overs are never dropped.
   * `alarmInfo` is optional (tests call it bare).
   */
  override async alarm(alarmInfo?: AlarmInvocationInfo): Promise<void> {
    try {
      await this.deliveries().onAlarm(Date.now());
    } catch (err) {
      const retryCount = alarmInfo?.retryCount ?? 0;
      const rearmAt = rearmAfterFailedAlarm(retryCount, Date.now());
      console.log(JSON.stringify({ msg: "deliveries.alarm_failed", retryCount, rearmAt, error: err instanceof Error ? err.message : String(err) }));
      if (rearmAt === null) throw err;
      await this.ctx.storage.setAlarm(rearmAt);
    }
  }
}
