/**
 * SupportCase: one SQLite-backed Durable Object per case (a ticket or conversation, or a
 * shipment), reached by typed RPC. It owns the case's events, the rules version it is pinned to,
 * its timers and its reminder outbox; everything else about the case (state, SLA clocks, which
 * timers it needs) is recomputed by the pure engine in ./engine.ts.
 *
 * The alarm loop: many timers, one alarm. After every change the object reconciles its timer
 * table with the engine's plan and sets the single alarm to the earliest pending timer (or
 * outbox retry), or deletes it when nothing is pending. The alarm handler takes `now` once,
 * re-plans (so a reply that landed a second earlier cancels the breach), fires each due timer
 * that is still planned by writing its reminder to the outbox in the same transaction that marks
 * the timer fired, hands the outbox to delivery, and sets the next alarm last.
 *
 * Why it is safe to run twice: a fired timer's key is never planned again and the outbox row is
 * keyed by the reminder id, so a repeated alarm adds nothing; a reminder that could not be handed
 * to delivery stays in the outbox and is retried on the next wake-up, never dropped.
 */
import { DurableObject } from "cloudflare:workers";
import { replayCase, type CaseReplay } from "../backtest/replay";
import { consoleCaseUrl } from "./case-link";
import { isOpen } from "../calendar/index";
import { API_SOURCE, caseIdOf, caseObjectName, type CaseKey, type Channel, NormalizedEvent, rekeyed } from "../events/model";
import { applyMigrations } from "../lib/sql-migrations";
import { dispatchReminder } from "../notify/dispatch";
import type { Reminder } from "../notify/reminder";
import type { RulesDocument } from "../rules/schema";
import { loadRules } from "../rules-store/kv";
import { lookUpCaseRequester, noteRequester, requesterToLookUp } from "../contacts/requester";
import { CasePush, indexPushNeeded, UPCOMING_CAP, type LinkedTicket } from "../stores/case-index";
import {
  addPin,
  cancelTimer,
  caseMigrations,
  caseSchema,
  firstEvent,
  dueTimerIds,
  forgetPins,
  forgetTimers,
  getMeta,
  insertEvent,
  insertNote,
  insertOutbox,
  insertTimer,
  markDispatched,
  markDispatchFailed,
  markTimerAttemptFailed,
  markTimerFired,
  nextWakeAt,
  readEvents,
  readNotes,
  readOutbox,
  readPins,
  readTimers,
  replanTimer,
  setMetas,
  timerKeys,
  upcomingTimers,
  type InsertOutcome,
  type TimerRow,
} from "./case-sql";
import { CaseEngine, displayZone, type Evaluation } from "./engine";
import { businessHoursOf, type RulesPin } from "./policy";
import type { PlannedTimer } from "./plan";
import { buildReminder } from "./reminder-text";
import { reminderLanguages } from "../rules/language";
import { cancelReason } from "./explain";
import { currentOwner } from "./ownership";
import { decideReminderAction, type ReminderAction } from "./reminder-actions";
import { caseView, type CaseObjectView } from "./view";
import { casePushOf, MISS_KINDS } from "./index-summary";
import type { CaseEvent } from "./state";
import { cycleRecords, outcomeDiff, type PushedOutcomes } from "../reports/outcomes";
import { playbookDiff, playbookRecords, shipmentEpisodes, type PushedPlaybook } from "../reports/playbook";
import { readCaseActivity } from "../reports/playbook-sql";

export interface IngestResult {
  caseId: string;
  results: InsertOutcome[];
}

/** Timer kinds that plan their next occurrence when they fire. */
const PERIODIC_KINDS: ReadonlySet<string> = new Set(["shipment.update_due"]);
/** Alarms are capped this far ahead: the platform's limit is not documented, and waking early costs one no-op. */
const MAX_ALARM_AHEAD_MS = 28 * 86_400_000;
/** After this many platform retries, the handler re-arms itself instead of throwing (retries stop at 6). */
const SELF_REARM_AFTER_RETRIES = 4;
const SELF_REARM_DELAY_MS = 30_000;
/** An alarm this far in the past with work still pending did not run: it is re-set. */
const STALE_ALARM_MS = 2_000;

export interface CallbackRequest {
  at: string;
  owner?: string | undefined;
  note?: string | undefined;
  phone?: string | undefined;
  actor: string;
}

/** Id prefix of the event that closes a stand-in case handed on to the case it names. */
const CONTINUED_IN = "continued-in:";

export class SupportCase extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** Rules versions are immutable, so a version once read never needs reading again. */
  private readonly rulesCache = new Map<number, RulesDocument>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => {
      applyMigrations(ctx.storage, "case", caseMigrations, caseSchema);
    });
  }

  /** One atomic write. Undone writes must not leave the copies of timers and pins behind (see forgetTimers). */
  private transaction<T>(write: () => T): T {
    try {
      return this.ctx.storage.transactionSync(write);
    } catch (err) {
      forgetTimers(this.sql);
      forgetPins(this.sql);
      throw err;
    }
  }

  // ── identity ───────────────────────────────────────────────────────────────────────────────

  /** Set once by the first event and never changed, so it is read from storage once per object. */
  private knownIdentity: { storeId: string; caseId: string; key: CaseKey } | null = null;

  private identity(): { storeId: string; caseId: string; key: CaseKey } | null {
    if (this.knownIdentity) return this.knownIdentity;
    // Objects opened before the meta row went away keep their identity there.
    const storeId = getMeta(this.sql, "storeId");
    const caseId = getMeta(this.sql, "caseId");
    const key = getMeta(this.sql, "caseKey");
    if (storeId && caseId && key) return (this.knownIdentity = { storeId, caseId, key: JSON.parse(key) as CaseKey });
    const first = firstEvent(this.sql);
    this.knownIdentity = first ? { storeId: first.storeId, caseId: caseIdOf(first.caseKey), key: first.caseKey } : null;
    return this.knownIdentity;
  }

  // ── RPC: events in ─────────────────────────────────────────────────────────────────────────

  /**
   * Stores normalized events (deduplicated by provider event id), then re-plans the case.
   * Returns only after the events are durable: intake answers 2xx on that.
   */
  async ingest(events: NormalizedEvent[], hint: { rulesVersion?: number } = {}): Promise<IngestResult> {
    const now = Date.now();
    // Validated by intake (field paths for the provider's 400) or built by this object's own
    // actions; this RPC is reachable only from the Worker's own code.
    const checked = events;
    const first = checked[0];
    if (!first) throw new Error("ingest needs at least one event");
    const caseId = caseIdOf(first.caseKey);
    const known = this.identity();
    if (known && (known.caseId !== caseId || known.storeId !== first.storeId)) throw new Error(`events for ${first.storeId}/${caseId} sent to ${known.storeId}/${known.caseId}`);
    // A new case is pinned to the store's current rules version, asked of the registry (strongly
    // consistent) rather than the KV pointer, so a rule saved a second ago applies. Intake passes
    // it along when it read the provider config from the registry anyway (one call, not two).
    const pinVersion = known ? null : (hint.rulesVersion ?? (await this.env.STORES.getByName(first.storeId).currentRulesVersion()));
    let results: InsertOutcome[] = [];
    let namesRequester = false;
    this.transaction(() => {
      // The first event stored names the case (see identity); only the pin is written for it.
      if (!this.identity()) addPin(this.sql, pinVersion ?? 0, 0, now);
      results = checked.map((e) => insertEvent(this.sql, e, now));
      namesRequester = noteRequester(this.sql, checked.filter((_, i) => !results[i]!.duplicate));
    });
    checked.forEach((e, i) => {
      if (!results[i]!.duplicate) this.rememberEvent({ eventId: results[i]!.eventId, occurredAt: Date.parse(e.occurredAt), event: JSON.parse(JSON.stringify(e)) as NormalizedEvent, order: results[i]!.seq });
    });
    try {
      if (results.some((r) => !r.duplicate)) await this.refresh(now);
      else await this.rearm(now);
    } catch (err) {
      // The events are durable, which is what the provider's 2xx promises; planning is re-run on
      // the next event or wake-up, so a failure here must not make the provider retry forever.
      console.log(JSON.stringify({ msg: "case.refresh_failed", case: caseId, error: err instanceof Error ? err.message : String(err) }));
    }
    // Off the webhook's path: the provider's answer does not wait for the helpdesk's API. Only
    // events that name a requester cost the check (a failed lookup is retried by the next one).
    if (namesRequester && requesterToLookUp(this.sql, now) !== null) this.ctx.waitUntil(this.lookUpRequester());
    return { caseId, results };
  }

  private requesterLookup: Promise<void> | null = null;

  /**
   * Looks the ticket's requester up in the helpdesk's API (src/contacts) and records what it says
   * as an event. One at a time per case; a failure is logged and retried later, never thrown.
   */
  private lookUpRequester(): Promise<void> {
    this.requesterLookup ??= (async () => {
      const id = this.identity();
      if (!id) return;
      const event = await lookUpCaseRequester({ sql: this.sql, storeId: id.storeId, caseKey: id.key, now: Date.now(), rules: async () => (await loadRules(this.env, id.storeId)).document });
      if (event) await this.ingest([event]);
    })()
      .catch((err: unknown) => console.log(JSON.stringify({ msg: "case.contact_lookup_failed", case: this.identity()?.caseId ?? null, error: err instanceof Error ? err.message : String(err) })))
      .finally(() => {
        this.requesterLookup = null;
      });
    return this.requesterLookup;
  }

  /**
   * This case was opened under a stand-in key (a Shopify fulfillment event) before the store
   * learned which case the stand-in names. Returns its events re-keyed for that case, and closes
   * itself: its later events now go to the named case, so its own reminders would only mislead (a
   * parcel whose scans arrive elsewhere looks stuck here). Safe to repeat: the closing event has a
   * fixed id, and it is never handed on.
   */
  async continueIn(target: CaseKey): Promise<NormalizedEvent[]> {
    const id = this.identity();
    if (!id) return [];
    const targetId = caseIdOf(target);
    const handed = readEvents(this.sql)
      .map((e) => e.event)
      .filter((e) => !e.providerEventId.startsWith(CONTINUED_IN))
      .map((e) => rekeyed(e, target));
    const closing: NormalizedEvent = {
      storeId: id.storeId,
      provider: API_SOURCE,
      providerEventId: `${CONTINUED_IN}${targetId}`,
      occurredAt: new Date().toISOString(),
      caseKey: id.key,
      kind: "case.status_changed",
      status: "closed",
      rawStatus: `continued in ${targetId}`,
      body: `The store learned which case this stand-in names; this case's events and everything after them are in ${targetId}.`,
    };
    await this.ingest([closing]);
    return handed;
  }

  /** Applies a newer rules version from `at` on: clocks keep the business time already used. */
  async applyRules(version: number, at: number): Promise<boolean> {
    if (!this.identity()) return false;
    const pins = readPins(this.sql);
    if (pins.some((p) => p.version >= version)) return false;
    addPin(this.sql, version, at, Date.now());
    await this.refresh(Date.now());
    return true;
  }

  /** A late parcel of the same customer or order, noted on this ticket's timeline. */
  async noteLinkedShipment(note: { key: string; at: number; text: string; shipmentCaseId: string }): Promise<boolean> {
    if (!this.identity()) return false;
    return insertNote(this.sql, { at: note.at, kind: "linked_shipment", key: note.key, text: note.text, data: { shipmentCaseId: note.shipmentCaseId } });
  }

  // ── RPC: actions from the case API ─────────────────────────────────────────────────────────

  private async act(kind: NormalizedEvent["kind"], fields: Partial<NormalizedEvent>, actor: string): Promise<string | null> {
    const id = this.identity();
    if (!id) return null;
    const eventId = crypto.randomUUID();
    const event: NormalizedEvent = {
      storeId: id.storeId,
      provider: API_SOURCE,
      providerEventId: eventId,
      occurredAt: new Date().toISOString(),
      caseKey: id.key,
      kind,
      body: `by ${actor}`,
      ...fields,
    };
    await this.ingest([event]);
    return eventId;
  }

  async promiseCallback(req: CallbackRequest): Promise<{ callbackId: string; outsideHours: boolean } | null> {
    const callbackId = `cb_${crypto.randomUUID()}`;
    const ok = await this.act("case.callback_promised", { callback: { id: callbackId, at: req.at, ...(req.owner ? { owner: req.owner } : {}), ...(req.note ? { note: req.note } : {}), ...(req.phone ? { phone: req.phone } : {}) } }, req.actor);
    if (!ok) return null;
    return { callbackId, outsideHours: await this.outsideHours(Date.parse(req.at)) };
  }

  async completeCallback(callbackId: string, actor: string, note?: string): Promise<"done" | "not_found"> {
    const ev = await this.evaluation(Date.now());
    const cb = ev?.state.callbacks.find((c) => c.id === callbackId && c.doneAt === null);
    if (!cb) return "not_found";
    await this.act("case.callback_done", { callback: { id: callbackId, note: note ?? `done (${actor})` } }, actor);
    return "done";
  }

  async snooze(until: string, reason: string | undefined, actor: string): Promise<boolean> {
    return (await this.act("case.snoozed", { snoozeUntil: until, body: reason ?? `snoozed by ${actor}` }, actor)) !== null;
  }

  async resolve(note: string | undefined, actor: string): Promise<boolean> {
    return (await this.act("case.status_changed", { status: "solved", rawStatus: "resolved in Promptly", body: note ?? `resolved by ${actor}` }, actor)) !== null;
  }

  /**
   * An agent told the customer outside any helpdesk (a call about a late parcel): recorded as a
   * public agent reply from the case API, which is what ends a shipment's proactive-contact
   * target (and, on a ticket, counts as the reply it is).
   */
  async markContacted(req: { note?: string | undefined; channel?: Channel | undefined; actor: string }): Promise<{ contactedAt: string } | null> {
    const body = `contacted the customer${req.channel ? ` by ${req.channel}` : ""}${req.note ? `: ${req.note}` : ""} (by ${req.actor})`;
    const contactedAt = new Date().toISOString();
    const ok = await this.act("case.agent_reply", { occurredAt: contactedAt, body }, req.actor);
    return ok ? { contactedAt } : null;
  }

  // ── RPC: taking a case and acting on a fired reminder (Slack buttons, console, API) ───────

  /**
   * Stores an action under its own idempotency key (a Slack click: action + message + reminder),
   * so a second click is the same event and changes nothing. Null when the case does not exist.
   */
  private async actOnce(kind: NormalizedEvent["kind"], fields: Partial<NormalizedEvent>, actor: string, key: string): Promise<{ duplicate: boolean; at: string } | null> {
    const id = this.identity();
    if (!id) return null;
    const at = new Date().toISOString();
    const event: NormalizedEvent = { storeId: id.storeId, provider: API_SOURCE, providerEventId: key, occurredAt: at, caseKey: id.key, kind, body: `by ${actor}`, ...fields };
    const { results } = await this.ingest([event]);
    return { duplicate: results[0]?.duplicate === true, at };
  }

  /** Someone takes the case: the breaches so far stop escalating (src/cases/ownership.ts). */
  async acknowledge(req: { by: string; via: "api" | "console" | "slack"; note?: string | undefined; key?: string | undefined }): Promise<{ duplicate: boolean; at: string } | null> {
    const ack = { by: req.by, via: req.via, ...(req.note ? { note: req.note } : {}) };
    return this.actOnce("case.acknowledged", { acknowledgement: ack, body: req.note ?? `acknowledged by ${req.by}` }, req.by, req.key ?? crypto.randomUUID());
  }

  /**
   * A button on a fired reminder. "gone": no such case; "refused": the reminder no longer applies
   * (with why); "duplicate": this very click was already recorded.
   */
  async actOnReminder(req: { timerKey: string; action: Exclude<ReminderAction, "promise_callback">; by: string; via: "slack" | "console"; key: string }): Promise<{ outcome: "done" | "duplicate" | "refused" | "gone"; text: string; kind?: string }> {
    const id = this.identity();
    if (!id) return { outcome: "gone", text: "This case no longer exists in Promptly." };
    const now = Date.now();
    const row = readTimers(this.sql).find((t) => t.id === req.timerKey);
    if (!row || row.state !== "fired") return { outcome: "refused", text: "This reminder is not one this case sent (or it was superseded)." };
    if (this.sql.exec(`SELECT 1 FROM events WHERE event_id = ?`, `${API_SOURCE}:${req.key}`).toArray().length > 0) return { outcome: "duplicate", text: "Already recorded.", kind: row.kind };
    const ev = await this.evaluation(now);
    if (!ev) return { outcome: "gone", text: "This case no longer exists in Promptly." };
    const decision = decideReminderAction({ action: req.action, timer: row.spec, ev, by: req.by, via: req.via, now });
    if (decision.type === "refused") return { outcome: "refused", text: `Nothing changed: ${decision.reason}.`, kind: row.kind };
    const out = await this.actOnce(decision.kind, decision.fields, req.by, req.key);
    if (!out) return { outcome: "gone", text: "This case no longer exists in Promptly." };
    return { outcome: out.duplicate ? "duplicate" : "done", text: decision.summary, kind: row.kind };
  }

  /**
   * Whether `at` falls outside the business hours of the policy this case matches now (for a
   * warning, not a rejection); see `businessHoursOf` for which of its calendars that is.
   */
  private async outsideHours(at: number): Promise<boolean> {
    const ev = await this.evaluation(Date.now());
    const pins = await this.pins();
    if (!ev || pins.length === 0) return false;
    const span = ev.spans[ev.spans.length - 1];
    const doc = (span && pins.find((p) => p.version === span.version)?.document) ?? pins[pins.length - 1]!.document;
    const calendar = businessHoursOf(doc, span?.match?.policy ?? null);
    return calendar ? !isOpen(calendar, at) : false;
  }

  // ── RPC: reads ─────────────────────────────────────────────────────────────────────────────

  async view(): Promise<CaseObjectView | null> {
    const now = Date.now();
    const id = this.identity();
    if (!id) return null;
    const ev = await this.evaluation(now);
    if (!ev) return null;
    await this.rearm(now);
    const document = (await this.pins()).at(-1)?.document;
    return caseView({ now, storeId: id.storeId, caseId: id.caseId, evaluation: ev, events: readEvents(this.sql), timers: readTimers(this.sql), outbox: readOutbox(this.sql), notes: readNotes(this.sql), pins: readPins(this.sql), document });
  }

  /** The case's stored events as intake normalized them, oldest first: a dry-run of a draft on this real case. Reads only. */
  async storedEvents(): Promise<NormalizedEvent[] | null> {
    if (!this.identity()) return null;
    return readEvents(this.sql).map((e) => e.event);
  }

  /**
   * This case's part of a store's backtest (src/backtest/): its events replayed under the versions
   * it ran with and under a draft. Reads only: nothing is stored, planned or sent, and the events
   * never leave the object.
   */
  async backtest(req: { draft: RulesDocument; draftVersion: number; from: number; until: number }): Promise<CaseReplay | null> {
    const id = this.identity();
    if (!id) return null;
    const pins = await this.pins();
    if (pins.length === 0) return null;
    const events = readEvents(this.sql).map((e) => ({ eventId: e.eventId, occurredAt: e.occurredAt, event: e.event }));
    return replayCase({ storeId: id.storeId, caseId: id.caseId, events, pins, draft: req.draft, draftVersion: req.draftVersion, from: req.from, until: req.until });
  }

  // ── the engine, the plan and the alarm ─────────────────────────────────────────────────────

  private async pins(): Promise<RulesPin[]> {
    const id = this.identity();
    if (!id) return [];
    const out: RulesPin[] = [];
    for (const p of readPins(this.sql)) {
      let document = this.rulesCache.get(p.version);
      if (!document) {
        document = (await loadRules(this.env, id.storeId, p.version)).document;
        this.rulesCache.set(p.version, document);
      }
      out.push({ version: p.version, from: p.from, document });
    }
    return out;
  }

  /**
   * What is folded from the case's events. Events are only ever added, and only by this object,
   * so the log is read from storage once; after that each new event is folded onto the rest (see
   * CaseEngine) instead of every re-plan parsing and folding the whole log again. The engine keeps
   * no events in memory: a late event or another rules version has it read the log again.
   */
  private engine: CaseEngine | null = null;

  private caseEngine(): CaseEngine {
    this.engine ??= new CaseEngine(() => readEvents(this.sql).map((e) => ({ eventId: e.eventId, occurredAt: e.occurredAt, event: e.event, order: e.seq })));
    return this.engine;
  }

  /** After the event's row is stored (an engine not built yet reads it from storage when it is). */
  private rememberEvent(e: CaseEvent): void {
    this.engine?.add(e);
  }

  private async evaluation(now: number): Promise<Evaluation | null> {
    const pins = await this.pins();
    if (pins.length === 0) return null;
    const { fired, known } = timerKeys(this.sql);
    return this.caseEngine().evaluate({ pins, now, fired, known });
  }

  /** Makes the timer table match the plan (no await inside: one atomic write). */
  private reconcile(ev: Evaluation, now: number): void {
    const rows = new Map(readTimers(this.sql).map((t) => [t.id, t]));
    const planned = new Map(ev.timers.map((t) => [t.key, t]));
    this.transaction(() => {
      for (const t of planned.values()) {
        const row = rows.get(t.key);
        if (!row) insertTimer(this.sql, t, now);
        else if (row.state === "cancelled" || (row.state === "pending" && changed(row, t))) replanTimer(this.sql, t, now);
      }
      for (const row of rows.values()) {
        if (row.state === "pending" && !planned.has(row.id)) cancelTimer(this.sql, row.id, cancelReason(row, ev, now), now);
      }
    });
  }

  /** Re-plans after a change, fires what is already due, and re-arms. */
  private async refresh(now: number): Promise<void> {
    const ev = await this.evaluation(now);
    if (!ev) return;
    this.reconcile(ev, now);
    await this.pushSummary(ev, now);
    await this.rearm(now);
  }

  /**
   * The alarm: everything due fires, once. `alarmInfo` is optional (tests call it bare); when the
   * platform's retries run low the handler re-arms itself rather than let the alarm be dropped.
   */
  override async alarm(alarmInfo?: AlarmInvocationInfo): Promise<void> {
    const now = Date.now();
    try {
      await this.fireDue(now);
    } catch (err) {
      console.log(JSON.stringify({ msg: "case.alarm_failed", case: this.identity()?.caseId ?? null, retryCount: alarmInfo?.retryCount ?? 0, error: err instanceof Error ? err.message : String(err) }));
      if ((alarmInfo?.retryCount ?? 0) >= SELF_REARM_AFTER_RETRIES) {
        await this.ctx.storage.setAlarm(Date.now() + SELF_REARM_DELAY_MS);
        return;
      }
      throw err;
    }
    await this.rearm(Date.now());
  }

  /**
   * Takes up every timer due at `now`. A run that fails before firing them counts the attempt on
   * each (they stay pending, with the error) and throws, so the platform retries the alarm.
   */
  private async fireDue(now: number): Promise<void> {
    const id = this.identity();
    if (!id) return;
    const due = dueTimerIds(this.sql, now);
    try {
      await this.fireDueTimers(id, now);
    } catch (err) {
      if (due.length > 0) {
        const error = err instanceof Error ? err.message : String(err);
        this.transaction(() => markTimerAttemptFailed(this.sql, due, error, Date.now()));
      }
      throw err;
    }
  }

  private async fireDueTimers(id: { storeId: string; caseId: string }, now: number): Promise<void> {
    // A reminder that names the customer is worth one bounded lookup first (it never throws).
    if (requesterToLookUp(this.sql, now) !== null && dueTimerIds(this.sql, now).length > 0) await this.lookUpRequester();
    const ev = await this.evaluation(now);
    if (!ev) return;
    this.reconcile(ev, now);
    const pending = new Map(readTimers(this.sql).filter((t) => t.state === "pending" && t.dueAt <= now).map((t) => [t.id, t]));
    const due = ev.timers.filter((t) => t.dueAt <= now && pending.has(t.key));
    if (due.length > 0) {
      const pins = await this.pins();
      const doc = pins[pins.length - 1]!.document;
      const linked = ev.state.type === "shipment" ? await this.linkedTicket(id.storeId, ev) : undefined;
      const caseUrl = consoleCaseUrl(this.env.PUBLIC_BASE_URL, id.storeId, id.caseId);
      const reminders: { timer: PlannedTimer; reminder: Reminder }[] = due.map((timer) => ({
        timer,
        reminder: buildReminder({ storeId: id.storeId, caseId: id.caseId, state: ev.state, timer, firedAt: now, timeZone: displayZone(doc, timer), caseUrl, linkedTicket: linked, languages: reminderLanguages(doc, timer.channels) }),
      }));
      this.transaction(() => {
        for (const { timer, reminder } of reminders) {
          markTimerFired(this.sql, timer.key, now);
          insertOutbox(this.sql, timer.key, reminder, timer.dueAt, now);
        }
      });
      console.log(JSON.stringify({ msg: "case.timers_fired", case: id.caseId, store: id.storeId, fired: due.map((t) => ({ key: t.key, kind: t.kind, lateMs: now - t.dueAt })) }));
      if (linked) await this.noteOnLinkedTicket(id, linked, reminders.map((r) => r.reminder), now);
    }
    // A periodic timer (a shipment update) plans its next occurrence once it has fired; other
    // fired timers just leave the plan, so the first evaluation still describes the case.
    let after: Evaluation | null = ev;
    if (due.some((t) => PERIODIC_KINDS.has(t.kind))) {
      after = await this.evaluation(Date.now());
      if (after) this.reconcile(after, Date.now());
    }
    // Delivery and the index are independent: neither waits for the other.
    await Promise.all([this.flushOutbox(Date.now()), after ? this.pushSummary(after, Date.now()) : Promise.resolve()]);
  }

  /** Hands pending reminders to delivery; a failure stays in the outbox and is retried with backoff. */
  private async flushOutbox(now: number): Promise<void> {
    for (const row of readOutbox(this.sql, now)) {
      try {
        await dispatchReminder(this.env, row.reminder);
        markDispatched(this.sql, row.reminderId, Date.now());
      } catch (err) {
        const backoff = Math.min(300_000, 2000 * 2 ** Math.min(row.attempts, 8));
        markDispatchFailed(this.sql, row.reminderId, err instanceof Error ? err.message : String(err), Date.now() + backoff);
      }
    }
  }

  private async linkedTicket(storeId: string, ev: Evaluation): Promise<LinkedTicket | undefined> {
    const emails = ev.state.customer.email ? [ev.state.customer.email] : [];
    if (emails.length === 0 && ev.state.orderIds.length === 0) return undefined;
    try {
      const found = await this.env.STORES.getByName(storeId).findOpenTickets({ orderIds: ev.state.orderIds, emails });
      return found[0];
    } catch {
      // The reminder is worth more than the link: send it without.
      return undefined;
    }
  }

  private async noteOnLinkedTicket(id: { storeId: string; caseId: string }, linked: LinkedTicket, reminders: Reminder[], now: number): Promise<void> {
    for (const r of reminders) {
      try {
        await this.env.CASES.getByName(caseObjectName(id.storeId, linked.caseId)).noteLinkedShipment({ key: r.id, at: now, text: `${r.title}. ${r.nextAction}`, shipmentCaseId: id.caseId });
      } catch (err) {
        console.log(JSON.stringify({ msg: "case.link_note_failed", case: id.caseId, ticket: linked.caseId, error: err instanceof Error ? err.message : String(err) }));
      }
    }
  }

  /** What the index holds for this case, as last pushed (null before the first push, or in an older shape). */
  private indexedSummary(): CasePush | null {
    if (this.lastIndexed !== undefined) return this.lastIndexed;
    const raw = getMeta(this.sql, "indexed");
    let parsed: CasePush | null = null;
    try {
      const checked = raw === null ? null : CasePush.safeParse(JSON.parse(raw));
      parsed = checked?.success ? checked.data : null;
    } catch {
      parsed = null;
    }
    this.lastIndexed = parsed;
    return parsed;
  }

  /** Fingerprints of the outcome records the registry has taken (src/reports/outcomes.ts). */
  private pushedOutcomes(): PushedOutcomes {
    if (this.outcomesTaken !== undefined) return this.outcomesTaken;
    const raw = getMeta(this.sql, "outcomesPushed");
    try {
      this.outcomesTaken = raw === null ? {} : (JSON.parse(raw) as PushedOutcomes);
    } catch {
      this.outcomesTaken = {};
    }
    return this.outcomesTaken;
  }

  /** Read once per wake: every re-plan compares against it, and only this object writes it. */
  private outcomesTaken: PushedOutcomes | undefined;

  /** Fingerprints of the playbook records and delay episodes the registry has taken (src/reports/playbook.ts). */
  private pushedPlaybook(): PushedPlaybook {
    if (this.playbookTaken !== undefined) return this.playbookTaken;
    const raw = getMeta(this.sql, "playbookPushed");
    try {
      this.playbookTaken = raw === null ? { playbook: {}, shipments: {} } : (JSON.parse(raw) as PushedPlaybook);
    } catch {
      this.playbookTaken = { playbook: {}, shipments: {} };
    }
    return this.playbookTaken;
  }

  private playbookTaken: PushedPlaybook | undefined;

  /**
   * The playbook records and delay episodes that changed since the registry last took them. A
   * report must never cost the case its index push: if deriving them fails, the push goes without.
   */
  private playbookPush(caseId: string, ev: Evaluation, pins: readonly RulesPin[], now: number): ReturnType<typeof playbookDiff> {
    try {
      const dispute = this.firstDisputeSignal(pins);
      // The log is read only for what the case can have: a bad rating, a dispute, enough messages or reopenings to go in circles, a parcel.
      const circles = pins.at(-1)?.document.playbook.goingInCircles;
      const conversation = ev.state.type === "ticket" && circles !== undefined && (ev.state.customerMessages >= circles.customerMessages || ev.state.reopenings >= circles.reopenings);
      const activity = readCaseActivity(this.sql, { replies: dispute !== null || ev.state.ratings.some((r) => r.score === "bad"), shipment: ev.state.shipment !== null, conversation: conversation || dispute !== null });
      return playbookDiff(this.pushedPlaybook(), playbookRecords(caseId, ev.state, activity, pins, dispute), shipmentEpisodes(caseId, ev.state, activity, pins, now));
    } catch (err) {
      console.log(JSON.stringify({ msg: "case.playbook_outcomes_failed", case: caseId, error: err instanceof Error ? err.message : String(err) }));
      return { playbook: null, shipments: null, next: this.pushedPlaybook() };
    }
  }

  /** The first dispute signal under the latest rules, from the engine's playbook log of the latest evaluation. */
  private firstDisputeSignal(pins: readonly RulesPin[]): { at: number } | null {
    const rule = pins.at(-1)?.document.playbook.disputeRisk;
    const log = this.caseEngine().playbookLog();
    if (!rule?.enabled || !log) return null;
    try {
      return log.firstDisputeSignal(rule);
    } catch {
      // A log built under other pins (a rules version applied since): the next evaluation's log has it.
      return null;
    }
  }

  /** The last index push's sequence, kept after the first read (see pushSummary). */
  private indexSeq: number | undefined;

  /** What the last successful push sent, kept after the first read: only this object writes it. */
  private lastIndexed: CasePush | null | undefined;

  /**
   * Tells the store's index what this case looks like now (list views, linking), unless what the
   * index holds still reads right: a reminder firing on time is not a push.
   */
  /** The case's owner as the index shows it; the rules in force say whether an assignment counts. */
  private async ownerSummary(ev: Evaluation): Promise<NonNullable<CasePush["owner"]> | null> {
    if (ev.state.ownership.claims.length === 0) return null;
    const o = currentOwner(ev.state.ownership, (await this.pins()).at(-1)?.document ?? null);
    return o ? { by: o.by, at: new Date(o.at).toISOString(), via: o.via } : null;
  }

  private async pushSummary(ev: Evaluation, now: number): Promise<void> {
    const id = this.identity();
    if (!id) return;
    const upcoming = upcomingTimers(this.sql, UPCOMING_CAP).map((t) => ({ at: new Date(t.dueAt).toISOString(), kind: t.kind }));
    // A miss already reminded about is left out of the plan; only then is the plan asked again without what fired.
    const missFired = readTimers(this.sql).some((t) => t.state === "fired" && MISS_KINDS.has(t.kind));
    const owed = missFired ? (this.caseEngine().evaluate({ pins: await this.pins(), now })?.timers ?? []) : ev.timers;
    const summary: CasePush = { ...casePushOf({ caseId: id.caseId, ev, owed, upcoming, now }), owner: await this.ownerSummary(ev), rulesVersions: readPins(this.sql).map((p) => p.version) };
    // Reports: the SLA cycles that changed since the registry last took them ride on this push.
    const pins = await this.pins();
    const outcomes = outcomeDiff(this.pushedOutcomes(), cycleRecords(id.caseId, ev.state, ev.clocks, pins));
    // Playbook outcomes and delay episodes ride on the same push, changed-only like the cycles.
    const playbook = this.playbookPush(id.caseId, ev, pins, now);
    const reportPush =
      outcomes.push || playbook.playbook || playbook.shipments
        ? { ...(outcomes.push ?? { upsert: [], remove: [] }), ...(playbook.playbook ? { playbook: playbook.playbook } : {}), ...(playbook.shipments ? { shipments: playbook.shipments } : {}) }
        : null;
    if (reportPush === null && !indexPushNeeded(this.indexedSummary(), summary, now)) return;
    // The push's sequence only has to grow: the clock does, across restarts too, so it is written
    // once with what the push sent (one row) rather than before it as well. A push the registry
    // took but this object never heard back about is simply outgrown by the next one.
    this.indexSeq ??= Number(getMeta(this.sql, "indexSeq") ?? "0");
    const seq = Math.max(this.indexSeq + 1, now);
    this.indexSeq = seq;
    try {
      await this.env.STORES.getByName(id.storeId).indexCase(reportPush ? { ...summary, outcomes: reportPush } : summary, seq);
      setMetas(this.sql, {
        indexSeq: String(seq),
        indexed: JSON.stringify(summary),
        ...(outcomes.push ? { outcomesPushed: JSON.stringify(outcomes.next) } : {}),
        ...(playbook.playbook || playbook.shipments ? { playbookPushed: JSON.stringify(playbook.next) } : {}),
      });
      this.lastIndexed = summary;
      if (outcomes.push) this.outcomesTaken = outcomes.next;
      if (playbook.playbook || playbook.shipments) this.playbookTaken = playbook.next;
    } catch (err) {
      // The index is a view: the next change or wake-up pushes again.
      console.log(JSON.stringify({ msg: "case.index_failed", case: id.caseId, error: err instanceof Error ? err.message : String(err) }));
    }
  }

  /**
   * Sets the one alarm to the earliest pending timer or outbox retry, deletes it when nothing is
   * pending, and repairs an alarm that went missing or stale. Called last by every path.
   */
  private async rearm(now: number): Promise<void> {
    const next = nextWakeAt(this.sql);
    const current = await this.ctx.storage.getAlarm();
    if (next === null) {
      if (current !== null) await this.ctx.storage.deleteAlarm();
      return;
    }
    if (next <= now) {
      // Already due. An alarm set a moment ago runs at once; one that is later, missing, or stuck
      // in the past (the scheduler lost it: a crash, a restart) is set again.
      if (current === null || current > now || current < now - STALE_ALARM_MS) await this.ctx.storage.setAlarm(now);
      return;
    }
    const capped = next > now + MAX_ALARM_AHEAD_MS;
    const target = capped ? now + MAX_ALARM_AHEAD_MS : next;
    // A capped alarm is fine anywhere between now and the cap: it wakes early and re-arms.
    const fine = capped ? current !== null && current > now && current <= target : current === target;
    if (!fine) await this.ctx.storage.setAlarm(target);
  }
}

function changed(row: TimerRow, t: PlannedTimer): boolean {
  return row.dueAt !== t.dueAt || row.kind !== t.kind || row.why !== t.why || JSON.stringify(row.spec.channels) !== JSON.stringify(t.channels) || row.rule.version !== t.rule.version;
}
