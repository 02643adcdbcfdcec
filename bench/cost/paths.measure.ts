/**
 * What one ingested event and one fired reminder cost in billable units, counted inside workerd
 * while the real code runs (never guessed): signed `custom` webhooks go through the Worker's own
 * fetch handler, the real case and registry objects store them, the real alarms fire, the real
 * queue consumer posts each reminder to a loopback receiver (bench/cost/collector.ts).
 *
 * Counting is done by wrapping, in this isolate (Durable Objects of the main Worker run in the
 * same isolate as this file), the runtime's own prototypes:
 * - `SqlStorage.prototype.exec`: every cursor is kept and its `rowsWritten` / `rowsRead` summed at
 *   the end of a window (the counters the runtime reports for billing), per object class;
 * - `DurableObjectStorage.prototype.setAlarm` / `deleteAlarm`;
 * - `DurableObjectNamespace.prototype.getByName` / `get`: the stubs they return count every method
 *   called on them (each one is an RPC session, one billed Durable Object request);
 * - `alarm()` of both object classes (each invocation is a billed request);
 * - KV `get`/`put`/`list`, the queue's `send`/`sendBatch` (messages), and the Worker's `queue`
 *   handler (consumer invocations).
 * Inspection done by this file itself (waiting for timers and deliveries) uses unwrapped calls,
 * so it is not counted.
 *
 * This is a measurement, not a test: it asserts only that each window measured what it claims
 * (the right number of timers fired and reminders delivered, no alarm inside an ingest window).
 */
import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { inject, it } from "vitest";
import { SupportCase } from "../../src/cases/support-case";
import { caseObjectName } from "../../src/events/model";
import worker from "../../src/index";
import { DEFAULT_RULES_INPUT, type RulesDocumentInput } from "../../src/rules/schema";
import { StoreRegistry } from "../../src/stores/store-registry";

type Kind = "case" | "registry";
type Fn = (...args: unknown[]) => unknown;

export interface Tally {
  rowsWritten: Record<Kind, number>;
  rowsRead: Record<Kind, number>;
  statements: Record<Kind, number>;
  setAlarm: Record<Kind, number>;
  deleteAlarm: Record<Kind, number>;
  alarms: Record<Kind, number>;
  rpc: Record<string, number>;
  /** Rows written per statement (its first words), to show where the rows go. */
  rowsWrittenBy: Record<string, number>;
  kvReads: number;
  kvWrites: number;
  queueMessages: number;
  consumerInvocations: number;
  workerRequests: number;
  elapsedMs: number;
}

const zero = (): Record<Kind, number> => ({ case: 0, registry: 0 });
const newTally = (): Tally => ({ rowsWritten: zero(), rowsRead: zero(), statements: zero(), setAlarm: zero(), deleteAlarm: zero(), alarms: zero(), rpc: {}, rowsWrittenBy: {}, kvReads: 0, kvWrites: 0, queueMessages: 0, consumerInvocations: 0, workerRequests: 0, elapsedMs: 0 });

let live: { tally: Tally; cursors: { kind: Kind; query: string; cursor: SqlStorageCursor<Record<string, SqlStorageValue>> }[]; started: number } | null = null;
let origExec: SqlStorage["exec"] | null = null;
type Namespace = DurableObjectNamespace<SupportCase> | DurableObjectNamespace<StoreRegistry>;
let rawGetByName: ((this: Namespace, name: string) => DurableObjectStub) | null = null;
const kinds = new WeakMap<object, Kind>();

/** Which class a storage belongs to: only the registry has the delivery log's table. */
function kindOf(sql: SqlStorage): Kind {
  let k = kinds.get(sql);
  if (!k) {
    k = origExec!.call(sql, `SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'deliveries'`).toArray().length > 0 ? "registry" : "case";
    kinds.set(sql, k);
  }
  return k;
}

/** "INSERT INTO timers", "UPDATE deliveries", "CREATE TABLE …" (migrations): enough to tell statements apart. */
function statementHead(query: string): string {
  const q = query.replace(/\s+/g, " ").trim();
  const m = /^(INSERT(?: OR \w+)? INTO \w+|UPDATE \w+|DELETE FROM \w+|CREATE \w+)/i.exec(q);
  return m ? m[1]! : q.slice(0, 40);
}

function begin(): void {
  live = { tally: newTally(), cursors: [], started: Date.now() };
}

function end(): Tally {
  const w = live!;
  live = null;
  for (const { kind, query, cursor } of w.cursors) {
    w.tally.rowsWritten[kind] += cursor.rowsWritten;
    if (cursor.rowsWritten > 0) {
      const key = `${kind}: ${statementHead(query)}`;
      w.tally.rowsWrittenBy[key] = (w.tally.rowsWrittenBy[key] ?? 0) + cursor.rowsWritten;
    }
    w.tally.rowsRead[kind] += cursor.rowsRead;
    w.tally.statements[kind] += 1;
  }
  w.tally.elapsedMs = Date.now() - w.started;
  return w.tally;
}

const NOT_RPC = new Set(["then", "id", "name", "constructor"]);

function countedStub<T extends object>(stub: T): T {
  return new Proxy(stub, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof prop !== "string" || NOT_RPC.has(prop) || typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (live) live.tally.rpc[prop] = (live.tally.rpc[prop] ?? 0) + 1;
        // Reflect.apply: on an RPC property, `.apply` would itself be read as a remote property.
        return Reflect.apply(value as Fn, target, args);
      };
    },
  });
}

function wrap(proto: object, name: string, before: (self: unknown, args: unknown[]) => void): void {
  const original = (proto as Record<string, Fn>)[name];
  if (typeof original !== "function") throw new Error(`cannot count ${name}: not a function on its prototype`);
  Object.defineProperty(proto, name, {
    configurable: true,
    writable: true,
    value: function (this: unknown, ...args: unknown[]) {
      if (live) before(this, args);
      return original.apply(this, args);
    },
  });
}

async function installMeters(): Promise<void> {
  const registry = env.STORES.getByName("bench-meter-install");
  await runInDurableObject(registry, async (_instance, state) => {
    const sqlProto = Object.getPrototypeOf(state.storage.sql) as SqlStorage;
    const exec = sqlProto.exec;
    origExec = exec;
    Object.defineProperty(sqlProto, "exec", {
      configurable: true,
      writable: true,
      value: function (this: SqlStorage, query: string, ...bindings: SqlStorageValue[]) {
        const cursor = exec.call(this, query, ...bindings);
        if (live) live.cursors.push({ kind: kindOf(this), query, cursor });
        return cursor;
      },
    });
    const storageProto = Object.getPrototypeOf(state.storage) as object;
    wrap(storageProto, "setAlarm", (self) => live!.tally.setAlarm[kindOf((self as DurableObjectStorage).sql)]++);
    wrap(storageProto, "deleteAlarm", (self) => live!.tally.deleteAlarm[kindOf((self as DurableObjectStorage).sql)]++);
  });
  const nsProto = Object.getPrototypeOf(env.CASES) as Record<string, Fn>;
  rawGetByName = nsProto.getByName as unknown as typeof rawGetByName;
  for (const name of ["getByName", "get"]) {
    const original = nsProto[name]!;
    Object.defineProperty(nsProto, name, {
      configurable: true,
      writable: true,
      value: function (this: unknown, ...args: unknown[]) {
        return countedStub(original.apply(this, args) as object);
      },
    });
  }
  wrap(SupportCase.prototype, "alarm", () => live!.tally.alarms.case++);
  wrap(StoreRegistry.prototype, "alarm", () => live!.tally.alarms.registry++);
  const kvProto = Object.getPrototypeOf(env.RULES) as object;
  for (const name of ["get", "getWithMetadata", "list"]) wrap(kvProto, name, () => live!.tally.kvReads++);
  for (const name of ["put", "delete"]) wrap(kvProto, name, () => live!.tally.kvWrites++);
  const queueProto = Object.getPrototypeOf(env.DELIVERY_QUEUE) as object;
  wrap(queueProto, "send", () => live!.tally.queueMessages++);
  wrap(queueProto, "sendBatch", (_self, args) => (live!.tally.queueMessages += (args[0] as unknown[]).length));
  const handlers = worker as unknown as Record<string, Fn>;
  const queue = handlers.queue!;
  handlers.queue = (...args: unknown[]) => {
    if (live) live.tally.consumerInvocations++;
    return queue(...args);
  };
}

/** A stub that bypasses the counters, for this file's own inspection. */
function rawStub(ns: Namespace, name: string): DurableObjectStub {
  return rawGetByName!.call(ns, name);
}

async function unmeteredRows<T>(ns: Namespace, name: string, query: string, ...bindings: SqlStorageValue[]): Promise<T[]> {
  return runInDurableObject(rawStub(ns, name), (_i, state) => origExec!.call(state.storage.sql, query, ...bindings).toArray() as T[]);
}

// ── the Worker's HTTP surface, exactly as a user calls it ────────────────────────────────────

const OPERATOR = "bench-operator-token";
const BASE = "http://promptly.test";
const CUSTOM_SECRET = `whsec_${btoa("promptly-cost-bench-secret-0123456789")}`;
const HOOK_SECRET = `whsec_${btoa("promptly-cost-bench-hook-secret-9876543210")}`;

async function api(method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await exports.default.fetch(new Request(BASE + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) }));
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
}

async function storeWith(rules: RulesDocumentInput): Promise<{ storeId: string; token: string }> {
  const created = await api("POST", "/v1/stores", { token: OPERATOR, body: { name: "cost bench" } });
  if (created.status !== 201) throw new Error(`create store: ${created.status} ${JSON.stringify(created.body)}`);
  const s = { storeId: created.body.storeId as string, token: created.body.adminToken as string };
  const current = await api("GET", `/v1/stores/${s.storeId}/rules`, { token: s.token });
  const saved = await api("PUT", `/v1/stores/${s.storeId}/rules`, { token: s.token, body: rules, headers: { "if-match": current.headers.get("etag") ?? "" } });
  if (saved.status !== 200) throw new Error(`save rules: ${saved.status} ${JSON.stringify(saved.body)}`);
  const provider = await api("PUT", `/v1/stores/${s.storeId}/providers/custom`, { token: s.token, body: { secrets: [CUSTOM_SECRET] } });
  if (provider.status !== 200) throw new Error(`connect custom: ${provider.status} ${JSON.stringify(provider.body)}`);
  return s;
}

async function sign(id: string, timestamp: string, body: string): Promise<string> {
  const secret = Uint8Array.from(atob(CUSTOM_SECRET.slice("whsec_".length)), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${id}.${timestamp}.${body}`)));
  return `v1,${btoa(String.fromCharCode(...mac))}`;
}

/** One signed delivery to POST /hooks/:store/custom, counted as one Worker request. */
async function postEvent(storeId: string, id: string, event: Record<string, unknown>): Promise<string> {
  const body = JSON.stringify(event);
  const timestamp = String(Math.floor(Date.now() / 1000));
  if (live) live.tally.workerRequests++;
  const res = await exports.default.fetch(
    new Request(`${BASE}/hooks/${storeId}/custom`, {
      method: "POST",
      headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": await sign(id, timestamp, body) },
      body,
    }),
  );
  const answer = (await res.json()) as { caseId?: string };
  if (res.status !== 202 || !answer.caseId) throw new Error(`webhook: ${res.status} ${JSON.stringify(answer)}`);
  return answer.caseId;
}

const ticket = (ticketId: string, kind: string, extra: Record<string, unknown> = {}) => ({ occurredAt: new Date().toISOString(), caseKey: { type: "ticket", ticketId }, kind, ...extra });

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

// ── the rules being costed ───────────────────────────────────────────────────────────────────

function starterRules(hookUrl: string): RulesDocumentInput {
  // The starter document every store gets, with one webhook channel told about everything.
  return { ...DEFAULT_RULES_INPUT, channels: { team: { type: "webhook", url: hookUrl, secret: HOOK_SECRET } }, policies: DEFAULT_RULES_INPUT.policies!.map((p) => ({ ...p, notify: ["team"] })) };
}

/** The same shape (two targets with one warning each, one escalation level) in seconds, so its six timers fire during the run. */
function fastRules(hookUrl: string): RulesDocumentInput {
  const all = (d: string) => ({ urgent: d, high: d, normal: d, low: d });
  return {
    channels: { team: { type: "webhook", url: hookUrl, secret: HOOK_SECRET } },
    policies: [
      {
        name: "Everything",
        when: {},
        targets: { firstReply: { calendar: "24/7", byPriority: all("10s"), warnings: ["2s"] }, resolution: { calendar: "24/7", byPriority: all("14s"), warnings: ["2s"] } },
        notify: ["team"],
        escalations: [{ level: 1, after: "1s", message: "Still overdue: a lead should take it or reassign it." }],
      },
    ],
  };
}

// ── the measurement ──────────────────────────────────────────────────────────────────────────

it("counts billable units per ingested event and per fired reminder", async () => {
  const collector = `http://127.0.0.1:${inject("costCollectorPort")}`;
  const hookUrl = `${collector}/hook`;
  await installMeters();

  // Calibration: what the runtime's rows-written counter reports for one row, with and without indexes.
  const calibration = await runInDurableObject(rawStub(env.CASES, "bench:calibration"), (_i, state) => {
    const x = (q: string, ...b: SqlStorageValue[]) => origExec!.call(state.storage.sql, q, ...b);
    x(`CREATE TABLE cal_rowid (id INTEGER PRIMARY KEY, v INTEGER)`);
    x(`CREATE TABLE cal_text_pk (id TEXT PRIMARY KEY, v INTEGER)`);
    x(`CREATE TABLE cal_text_pk_index (id TEXT PRIMARY KEY, v INTEGER)`);
    x(`CREATE INDEX cal_v ON cal_text_pk_index (v)`);
    return {
      insertRowid: x(`INSERT INTO cal_rowid (id, v) VALUES (1, 1)`).rowsWritten,
      insertTextPk: x(`INSERT INTO cal_text_pk (id, v) VALUES ('a', 1)`).rowsWritten,
      insertTextPkAndIndex: x(`INSERT INTO cal_text_pk_index (id, v) VALUES ('a', 1)`).rowsWritten,
      updateIndexedColumn: x(`UPDATE cal_text_pk_index SET v = 2 WHERE id = 'a'`).rowsWritten,
      updateOtherColumnRowid: x(`UPDATE cal_rowid SET v = 2 WHERE id = 1`).rowsWritten,
    };
  });

  const fast = await storeWith(fastRules(hookUrl));
  const starter = await storeWith(starterRules(hookUrl));
  // Warm the isolate once on a case that is not measured (the starter store: nothing due for an hour).
  await postEvent(starter.storeId, "warm-starter", ticket("WARM", "case.opened", { status: "open", priority: "normal", channel: "email" }));
  await sleep(500);

  const windows: Record<string, Tally> = {};

  // A: a new case on the fast store; its timers are due 8–15 s later (the alarm path, window C).
  begin();
  const fastCase = await postEvent(fast.storeId, "fast-open", ticket("F-1", "case.opened", { status: "open", priority: "urgent", channel: "chat", subject: "Where is my order?", customer: { email: "ana@example.com" } }));
  windows.newCaseShortTargets = end();
  if (windows.newCaseShortTargets.alarms.case > 0) throw new Error("an alarm fired inside the ingest window: the machine is too slow for this measurement");

  // C: everything that happens until all six timers fired and every reminder was delivered.
  begin();
  const before = (await (await fetch(`${collector}/__delivered`)).json()) as { delivered: number };
  const fastObject = caseObjectName(fast.storeId, fastCase);
  const timerStates = async () => {
    const rows = await unmeteredRows<{ state: string; n: number }>(env.CASES, fastObject, `SELECT state, COUNT(*) AS n FROM timers GROUP BY state`);
    return Object.fromEntries(rows.map((r) => [r.state, r.n])) as Record<string, number | undefined>;
  };
  const planned = (await timerStates()).pending ?? 0;
  let fired = 0;
  await until("every timer fired", async () => {
    const states = await timerStates();
    fired = states.fired ?? 0;
    return fired > 0 && (states.pending ?? 0) === 0;
  });
  await until(
    "every reminder delivered",
    async () => (await unmeteredRows<{ n: number }>(env.STORES, fast.storeId, `SELECT COUNT(*) AS n FROM deliveries WHERE state = 'delivered' AND reminder_id LIKE ?`, `${fastCase}:%`))[0]!.n === fired,
  );
  await sleep(1500);
  windows.alarmPath = end();
  const after = (await (await fetch(`${collector}/__delivered`)).json()) as { delivered: number };
  const pendingAfter = (await unmeteredRows<{ n: number }>(env.CASES, fastObject, `SELECT COUNT(*) AS n FROM timers WHERE state = 'pending'`))[0]!.n;

  // B: a ticket's life on the starter rules (nothing due for an hour), one window per event.
  const id = "S-1";
  // Each event is stamped when it is sent, so they happen in this order.
  const events: [string, string, () => Record<string, unknown>][] = [
    ["newCase", "s-open", () => ticket(id, "case.opened", { status: "open", priority: "normal", channel: "email", subject: "Parcel not arrived", customer: { email: "ayse@example.com" }, body: "Hi, where is my parcel?" })],
    ["customerMessage", "s-msg-1", () => ticket(id, "case.customer_message", { body: "Any news?" })],
    ["agentReply", "s-reply-1", () => ticket(id, "case.agent_reply", { body: "Checking with the carrier now." })],
    ["customerMessageAfterReply", "s-msg-2", () => ticket(id, "case.customer_message", { body: "Thanks, still waiting." })],
  ];
  let lastEvent: { id: string; event: Record<string, unknown> } | null = null;
  for (const [name, eventId, make] of events) {
    const event = make();
    begin();
    await postEvent(starter.storeId, eventId, event);
    await sleep(300);
    windows[name] = end();
    lastEvent = { id: eventId, event };
  }
  // The same delivery again (a provider retry): deduplicated by its webhook-id.
  begin();
  await postEvent(starter.storeId, lastEvent!.id, lastEvent!.event);
  await sleep(300);
  windows.duplicateDelivery = end();
  const starterObject = caseObjectName(starter.storeId, `ticket:custom:${id}`);
  const starterView = await api("GET", `/v1/stores/${starter.storeId}/cases/${encodeURIComponent(`ticket:custom:${id}`)}`, { token: starter.token });
  const fastReminders = await unmeteredRows<{ reminder_id: string; state: string }>(env.STORES, fast.storeId, `SELECT reminder_id, state FROM deliveries ORDER BY seq`);
  const starterTimers = await unmeteredRows<{ state: string; n: number }>(env.CASES, starterObject, `SELECT state, COUNT(*) AS n FROM timers GROUP BY state`);

  const result = {
    measuredAt: new Date().toISOString(),
    calibration,
    alarmPath: { timersPlannedAtIngest: planned, timersFired: fired, timersStillPending: pendingAfter, remindersDelivered: after.delivered - before.delivered },
    starterCaseTimers: Object.fromEntries(starterTimers.map((r) => [r.state, r.n])),
    starterCaseClocks: (starterView.body as { clocks?: unknown }).clocks ?? null,
    fastStoreDeliveries: fastReminders,
    rpcClasses: Object.fromEntries(
      [...new Set(Object.values(windows).flatMap((w) => Object.keys(w.rpc)))].map((m) => [m, m in SupportCase.prototype ? "case" : m in StoreRegistry.prototype ? "registry" : "unknown"]),
    ),
    windows,
  };
  if (result.alarmPath.remindersDelivered < fired) throw new Error(`only ${result.alarmPath.remindersDelivered} of ${fired} reminders reached the receiver`);
  const sent = await fetch(`${collector}/__result`, { method: "POST", body: JSON.stringify(result, null, 2) });
  if (sent.status !== 204) throw new Error(`collector refused the result: ${sent.status}`);
});
