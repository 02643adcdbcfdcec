/**
 * Helpers for case tests inside workerd: a store with rules saved over the admin API, events
 * handed to the case object exactly as intake hands them, and reads of the case view.
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { caseIdOf, caseObjectName, type NormalizedEvent } from "../../src/events/model";
import type { RulesDocumentInput } from "../../src/rules/schema";
import { call, createStore } from "./api";

export const MIN = 60_000;
export const HOUR = 60 * MIN;

export interface TestStore {
  storeId: string;
  adminToken: string;
  tokenId: string;
}

/** A store whose current rules are `rules` (saved over the API: version 1). */
export async function storeWithRules(rules: RulesDocumentInput): Promise<TestStore & { version: number }> {
  const store = await createStore();
  const version = await saveRules(store, rules);
  return { ...store, version };
}

export async function saveRules(store: TestStore, rules: RulesDocumentInput, opts: { applyToOpenCases?: boolean } = {}): Promise<number> {
  const current = await call("GET", `/v1/stores/${store.storeId}/rules`, { token: store.adminToken });
  expect(current.status).toBe(200);
  const put = await call("PUT", `/v1/stores/${store.storeId}/rules${opts.applyToOpenCases ? "?applyToOpenCases=true" : ""}`, {
    token: store.adminToken,
    body: rules,
    headers: { "if-match": current.headers.get("etag")! },
  });
  if (put.status !== 200) throw new Error(`saving rules failed: ${put.status} ${JSON.stringify(put.body)}`);
  return put.body.version as number;
}

let counter = 0;

/** A ticket event for the custom provider (the case key and id are unique per test unless given). */
export function ticketEvent(storeId: string, ticketId: string, kind: NormalizedEvent["kind"], at: number, extra: Partial<NormalizedEvent> = {}): NormalizedEvent {
  counter += 1;
  return {
    storeId,
    provider: "custom",
    providerEventId: `ev-${ticketId}-${counter}-${kind}`,
    occurredAt: new Date(at).toISOString(),
    caseKey: { type: "ticket", provider: "custom", ticketId },
    kind,
    ...extra,
  };
}

export function shipmentEvent(storeId: string, trackingNumber: string, kind: NormalizedEvent["kind"], at: number, extra: Partial<NormalizedEvent> = {}): NormalizedEvent {
  counter += 1;
  return {
    storeId,
    provider: "aftership",
    providerEventId: `sh-${trackingNumber}-${counter}-${kind}`,
    occurredAt: new Date(at).toISOString(),
    caseKey: { type: "shipment", carrier: "ups", trackingNumber },
    kind,
    ...extra,
    shipment: { carrier: "ups", trackingNumber, ...(extra.shipment ?? {}) },
  };
}

export function caseStub(storeId: string, event: NormalizedEvent) {
  return env.CASES.getByName(caseObjectName(storeId, caseIdOf(event.caseKey)));
}

export async function ingest(events: NormalizedEvent[]) {
  return caseStub(events[0]!.storeId, events[0]!).ingest(events);
}

export async function readCase(store: TestStore, caseId: string) {
  const res = await call("GET", `/v1/stores/${store.storeId}/cases/${encodeURIComponent(caseId)}`, { token: store.adminToken });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/**
 * Waits until the case shows `predicate` true. Timers due now fire on the object's real alarm
 * (workerd runs it at once); this only waits for that, bounded, and fails with the last view.
 */
export async function waitForCase<T>(store: TestStore, caseId: string, predicate: (view: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = (await readCase(store, caseId)) as T;
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`case ${caseId} never matched; last view: ${JSON.stringify(last, null, 1).slice(0, 4000)}`);
}

export interface TimerLike {
  key: string;
  kind: string;
  state: string;
  dueAt: string;
  firedAt: string | null;
  cancelledBecause: string | null;
}
export interface ViewLike {
  timers: { pending: TimerLike[]; done: TimerLike[] };
  clocks: { metric: string; status: string; dueAt: string | null; usedMs: number }[];
  timeline: { reminders: { reminderId: string; kind: string; title: string; nextAction: string; outbox: string; channels: string[] }[]; events: { kind: string; stale: boolean }[]; notes: { text: string }[] };
  [key: string]: unknown;
}

export const fired = (v: ViewLike, kind: string) => v.timers.done.filter((t) => t.kind === kind && t.state === "fired");
export const pending = (v: ViewLike, kind: string) => v.timers.pending.filter((t) => t.kind === kind);
export const cancelled = (v: ViewLike, kind: string) => v.timers.done.filter((t) => t.kind === kind && t.state === "cancelled");
