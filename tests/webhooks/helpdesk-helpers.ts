/// <reference types="vite/client" />
/**
 * Test utilities for the helpdesk adapters and `custom`: fixture bytes exactly as stored, verify
 * inputs, the schema → normalize pipeline intake runs, and a fast-check fuzz shared by all nine.
 */
import fc from "fast-check";
import { expect } from "vitest";
import { z } from "zod";
import { NormalizedEvent, type EventKind } from "../../src/events/model";
import { sha256Hex, utf8 } from "../../src/lib/crypto";
import type { NormalizeResult, ProviderAdapter, ProviderConfig, VerifyInput } from "../../src/webhooks/adapter";
import { alterSignature, flipByte, RECEIVED_AT } from "./carrier-helpers";

const FIXTURES = import.meta.glob("../fixtures/**/*.json", { query: "?raw", import: "default", eager: true }) as Record<string, string>;

/** A fixture as stored: signature vectors cover these exact bytes. */
export function fixture(path: string): { text: string; bytes: Uint8Array; json: Record<string, unknown> } {
  const text = FIXTURES[`../fixtures/${path}`];
  if (text === undefined) throw new Error(`no fixture ${path}`);
  return { text, bytes: utf8(text), json: JSON.parse(text) as Record<string, unknown> };
}

/** Every fixture of a provider directory, so a newly vendored file cannot be forgotten. */
export function fixturePaths(dir: string): string[] {
  return Object.keys(FIXTURES)
    .filter((k) => k.startsWith(`../fixtures/${dir}/`))
    .map((k) => k.slice("../fixtures/".length))
    .sort();
}

export const sha256 = (bytes: Uint8Array) => sha256Hex(bytes);

export function cfg(secrets: string[], options: Record<string, unknown> = {}, toleranceSeconds = 300): ProviderConfig {
  return { secrets, options, toleranceSeconds };
}

export function verifyInput(opts: { body: Uint8Array | string; headers?: Record<string, string>; config: ProviderConfig; now?: number; url?: string }): VerifyInput {
  return {
    rawBody: typeof opts.body === "string" ? utf8(opts.body) : opts.body,
    headers: new Headers(opts.headers ?? {}),
    url: new URL(opts.url ?? "https://promptly.example/hooks/store_1/provider"),
    config: opts.config,
    now: opts.now ?? Date.now(),
    fetch: () => Promise.reject(new Error("no network in this test")),
  };
}

// Byte and signature tampering, and the fixed receive time, are the same for every adapter.
export { alterSignature, flipByte, RECEIVED_AT };

/** What intake does after verification: JSON parse, schema, normalize; every event must fit the model. */
export async function pipeline<S extends z.ZodType>(
  adapter: ProviderAdapter<S>,
  body: string | object,
  headers: Record<string, string> = {},
  options: Record<string, unknown> = {},
): Promise<NormalizeResult> {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const payload = adapter.schema.parse(JSON.parse(text));
  const result = await adapter.normalize({ storeId: "store_1", payload, headers: new Headers(headers), rawBody: utf8(text), config: cfg(["unused"], options), receivedAt: RECEIVED_AT });
  if (result.type === "events") for (const e of result.events) NormalizedEvent.parse(e);
  return result;
}

export function eventsOf(result: NormalizeResult): NormalizedEvent[] {
  if (result.type !== "events") throw new Error(`expected events, got ${result.type}: ${result.type === "ignored" ? result.reason : ""}`);
  return result.events;
}

export function kinds(result: NormalizeResult): EventKind[] {
  return eventsOf(result).map((e) => e.kind);
}

export function byKind(result: NormalizeResult, kind: EventKind): NormalizedEvent {
  const e = eventsOf(result).find((x) => x.kind === kind);
  if (!e) throw new Error(`no ${kind} in ${kinds(result).join(", ")}`);
  return e;
}

/** The schema's issues as dotted paths, for "a body missing X fails with a path" assertions. */
export function issuePaths(schema: z.ZodType, value: unknown): string[] {
  const r = schema.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => i.path.join("."));
}

export function edited<T>(json: T, edit: (draft: T) => void): T {
  const copy = structuredClone(json);
  edit(copy);
  return copy;
}

/**
 * Random bodies and header values: verify resolves (never throws) with ok=false for anything not
 * signed with the secret; the schema rejects garbage with issues, never an exception; a mutated
 * real payload that still passes the schema normalizes into events that fit the model.
 */
export async function fuzzAdapter<S extends z.ZodType>(
  adapter: ProviderAdapter<S>,
  headerNames: string[],
  samples: string[],
  extraHeaders: Record<string, string> = {},
): Promise<void> {
  const header = fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z0-9+/=,.:_ -]{0,90}$/), fc.constant("sha1=00"), fc.constant("v1,AAAA"), fc.constant("1700000000"));
  const body = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.jsonValue().map((v) => utf8(JSON.stringify(v) ?? "null")),
    fc.constantFrom(...samples).chain((s) => fc.nat({ max: Math.max(0, s.length - 1) }).map((i) => flipByte(utf8(s), i))),
  );
  const values = fc.array(fc.option(header, { nil: undefined }), { minLength: headerNames.length, maxLength: headerNames.length });
  await fc.assert(
    fc.asyncProperty(body, values, async (raw, vals) => {
      const headers: Record<string, string> = {};
      headerNames.forEach((name, i) => {
        const v = vals[i];
        if (v !== undefined && /^[\t\x20-\x7e]*$/.test(v)) headers[name] = v;
      });
      const input = verifyInput({ body: raw, headers, config: cfg(["fuzz-secret"]), url: "https://promptly.example/hooks/s/p?token=nope" });
      expect((await adapter.verify(input)).ok).toBe(false);
      if (adapter.preVerify) expect(await adapter.preVerify(input)).toBeNull();
      if (adapter.testPing) expect(await adapter.testPing(input)).toBeNull();
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder().decode(raw));
      } catch {
        return;
      }
      const parsed = adapter.schema.safeParse(json);
      if (json === null || typeof json !== "object" || Array.isArray(json)) expect(parsed.success).toBe(false);
    }),
    { numRuns: 200 },
  );
  // Structural mutations of real payloads: the schema answers, and what passes normalizes cleanly.
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...samples), fc.jsonValue(), fc.nat(), fc.nat(), async (sample, junk, seedA, seedB) => {
      const obj = JSON.parse(sample) as Record<string, unknown>;
      const keys = Object.keys(obj);
      const key = keys[seedA % Math.max(1, keys.length)];
      if (key !== undefined) {
        const inner = obj[key];
        if (inner !== null && typeof inner === "object" && !Array.isArray(inner) && seedB % 2 === 0) {
          const innerKeys = Object.keys(inner);
          const k2 = innerKeys[seedB % Math.max(1, innerKeys.length)];
          if (k2 !== undefined) (inner as Record<string, unknown>)[k2] = junk;
        } else obj[key] = junk;
      }
      const r = adapter.schema.safeParse(obj);
      if (!r.success) {
        expect(r.error.issues.length).toBeGreaterThan(0);
        return;
      }
      const result = await adapter.normalize({ storeId: "s", payload: r.data, headers: new Headers(extraHeaders), rawBody: utf8(JSON.stringify(obj)), config: cfg(["x"], { callbackTag: "callback" }), receivedAt: RECEIVED_AT });
      if (result.type === "events") for (const e of result.events) NormalizedEvent.parse(e);
      else expect(["ignored", "ping"]).toContain(result.type);
    }),
    { numRuns: 200 },
  );
}
