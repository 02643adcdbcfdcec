/**
 * Everything a store is, read twice (before and after a fuzz or a sweep) and compared byte for
 * byte: what its admin sees over the API (store and tokens, rules and their ETag, versions,
 * audit log, providers, cases and each case view, deliveries, channel health), every row of
 * its registry's SQLite tables and of its cases' tables, and its KV rule keys.
 */
import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { caseObjectName } from "../../../src/events/model";
import { direct, type Answer } from "./send";

export interface StoreHandle {
  storeId: string;
  token: string;
}

function show(a: Answer): string {
  const etag = a.headers.get("etag");
  return `${a.status}${etag ? ` etag=${etag}` : ""} ${a.text}`;
}

/**
 * A case view is evaluated at the moment it is read: a running clock's used and remaining
 * business time move on by themselves while its calendar is open, without anything being
 * written. Those two numbers are masked on running clocks so that two reads of an unchanged
 * case compare equal at any hour (the case's own SQLite rows are compared exactly anyway).
 */
function showCase(a: Answer): string {
  let body: { clocks?: { status?: string; usedMs?: unknown; remainingMs?: unknown }[] };
  try {
    body = JSON.parse(a.text) as typeof body;
  } catch {
    return show(a);
  }
  for (const clock of body.clocks ?? []) {
    if (clock.status === "active") {
      clock.usedMs = "(running)";
      clock.remainingMs = "(running)";
    }
  }
  return `${a.status} ${JSON.stringify(body)}`;
}

/**
 * A refused delivery is not stored, but it is observed: Connections shows each provider's last
 * refused signature and last verified delivery (src/webhooks/provider-activity.ts, written in the
 * background). Those instants are masked; everything else about the provider compares exactly.
 */
function showProviders(a: Answer): string {
  let body: { providers?: Record<string, unknown>[] };
  try {
    body = JSON.parse(a.text) as typeof body;
  } catch {
    return show(a);
  }
  for (const p of body.providers ?? []) {
    p.lastReceivedAt = "(observed)";
    p.lastRefused = "(observed)";
  }
  return `${a.status} ${JSON.stringify(body)}`;
}

const ACTIVITY_COLUMNS = ["last_received_at", "last_refused_at", "last_refused_reason"];

async function get(store: StoreHandle, path: string): Promise<Answer> {
  return direct({ method: "GET", target: `/v1/stores/${store.storeId}${path}`, headers: [["authorization", `Bearer ${store.token}`]] });
}

/** Every table of a Durable Object's SQLite, in a stable order. */
async function dumpSql(stub: DurableObjectStub): Promise<Record<string, unknown[]>> {
  return runInDurableObject(stub, (_instance, state) => {
    const sql = state.storage.sql;
    const tables = sql.exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`).toArray();
    const out: Record<string, unknown[]> = {};
    for (const { name } of tables) out[name] = sql.exec(`SELECT * FROM "${name}" ORDER BY 1`).toArray();
    return out;
  });
}

export interface StoreSnapshot {
  api: Record<string, string>;
  registry: Record<string, unknown[]>;
  cases: Record<string, Record<string, unknown[]>>;
  kv: string[];
}

export async function snapshot(store: StoreHandle): Promise<StoreSnapshot> {
  const api: Record<string, string> = {};
  for (const path of ["", "/rules", "/rules/versions?limit=100", "/audit?limit=200", "/providers", "/cases?limit=200", "/deliveries?limit=100", "/channel-health"]) {
    api[path || "/"] = path === "/providers" ? showProviders(await get(store, path)) : show(await get(store, path));
  }
  const caseIds = (JSON.parse(api["/cases?limit=200"]!.replace(/^\d+ /, "")) as { cases?: { caseId: string }[] }).cases?.map((c) => c.caseId) ?? [];
  const cases: StoreSnapshot["cases"] = {};
  for (const caseId of caseIds) {
    api[`/cases/${caseId}`] = showCase(await get(store, `/cases/${encodeURIComponent(caseId)}`));
    cases[caseId] = await dumpSql(env.CASES.getByName(caseObjectName(store.storeId, caseId)));
  }
  const kv = (await env.RULES.list({ prefix: `rules:${store.storeId}:` })).keys.map((k) => k.name);
  const registry = await dumpSql(env.STORES.getByName(store.storeId));
  for (const row of (registry.providers ?? []) as Record<string, unknown>[]) for (const c of ACTIVITY_COLUMNS) if (c in row) row[c] = "(observed)";
  return { api, registry, cases, kv };
}

/** How many case objects exist in the whole namespace (a stored webhook creates one). */
export async function caseObjectCount(): Promise<number> {
  return (await listDurableObjectIds(env.CASES)).length;
}
