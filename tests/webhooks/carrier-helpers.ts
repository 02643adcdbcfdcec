/// <reference types="vite/client" />
/**
 * Test utilities for the commerce and carrier adapters: fixture bytes exactly as stored, verify
 * inputs, the schema → normalize pipeline intake runs, and a fast-check fuzz shared by all six.
 */
import fc from "fast-check";
import { expect } from "vitest";
import { z } from "zod";
import { NormalizedEvent } from "../../src/events/model";
import { sha256Hex, utf8 } from "../../src/lib/crypto";
import type { NormalizeResult, ProviderAdapter, ProviderConfig, VerifyInput } from "../../src/webhooks/adapter";

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
    .map((k) => k.slice("../fixtures/".length));
}

export async function fileSha256(bytes: Uint8Array): Promise<string> {
  return sha256Hex(bytes);
}

export function config(secrets: string[], options: Record<string, unknown> = {}, toleranceSeconds = 300): ProviderConfig {
  return { secrets, options, toleranceSeconds };
}

const refuseFetch: typeof fetch = () => Promise.reject(new Error("no network in this test"));

export function verifyInput(opts: {
  body: Uint8Array | string;
  headers?: Record<string, string>;
  config: ProviderConfig;
  now?: number;
  url?: string;
  fetch?: typeof fetch;
}): VerifyInput {
  return {
    rawBody: typeof opts.body === "string" ? utf8(opts.body) : opts.body,
    headers: new Headers(opts.headers ?? {}),
    url: new URL(opts.url ?? "https://promptly.example/hooks/store_1/provider"),
    config: opts.config,
    now: opts.now ?? Date.now(),
    fetch: opts.fetch ?? refuseFetch,
  };
}

/** A copy of `bytes` with one byte changed. */
export function flipByte(bytes: Uint8Array, index = Math.floor(bytes.length / 2)): Uint8Array {
  const copy = bytes.slice();
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

/** A signature string with one character changed to another character of the same alphabet. */
export function alterSignature(sig: string, index = sig.length - 3): string {
  const c = sig[index] ?? "a";
  const replacement = c === "a" ? "b" : c === "A" ? "B" : /[0-9]/.test(c) ? String((Number(c) + 1) % 10) : "a";
  return sig.slice(0, index) + replacement + sig.slice(index + 1);
}

export const RECEIVED_AT = Date.parse("2030-01-01T00:00:00Z");

/** What intake does after verification: JSON parse, schema, normalize; every event must fit the model. */
export async function runPipeline<S extends z.ZodType>(
  adapter: ProviderAdapter<S>,
  body: string | Record<string, unknown>,
  headers: Record<string, string> = {},
  cfg: ProviderConfig = config(["unused"]),
): Promise<NormalizeResult> {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const payload = adapter.schema.parse(JSON.parse(text));
  const result = await adapter.normalize({
    storeId: "store_1",
    payload,
    headers: new Headers(headers),
    rawBody: utf8(text),
    config: cfg,
    receivedAt: RECEIVED_AT,
  });
  if (result.type === "events") for (const e of result.events) NormalizedEvent.parse(e);
  return result;
}

export function eventsOf(result: NormalizeResult): NormalizedEvent[] {
  expect(result.type).toBe("events");
  return result.type === "events" ? result.events : [];
}

export async function onlyEvent<S extends z.ZodType>(
  adapter: ProviderAdapter<S>,
  body: string | Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<NormalizedEvent> {
  const events = eventsOf(await runPipeline(adapter, body, headers));
  expect(events).toHaveLength(1);
  return events[0] as NormalizedEvent;
}

/** The schema's issues as dotted paths, for "a body missing X fails with a path" assertions. */
export function issuePaths(schema: z.ZodType, value: unknown): string[] {
  const r = schema.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => i.path.join("."));
}

/** Deep-clones a fixture and applies an edit, so tests start from real payloads. */
export function edited<T extends Record<string, unknown>>(json: T, edit: (draft: T) => void): T {
  const copy = structuredClone(json);
  edit(copy);
  return copy;
}

/**
 * Random bodies and header values: verify must resolve (never throw) with ok=false for anything
 * not signed with the secret, and the schema must reject garbage with issues, never an exception.
 * Bodies that do pass the schema must normalize without throwing anything but a ZodError.
 */
export async function fuzzAdapter<S extends z.ZodType>(
  adapter: ProviderAdapter<S>,
  headerNames: string[],
  opts: { sampleBodies: string[]; fetch?: typeof fetch; options?: Record<string, unknown>; numRuns?: number } = { sampleBodies: [] },
): Promise<void> {
  const header = fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z0-9+/=,.:_-]{0,90}$/), fc.constant("t=1700000000,v1=00"), fc.constant("hmac-sha256-hex=00"));
  const body = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.jsonValue().map((v) => utf8(JSON.stringify(v) ?? "null")),
    fc.constantFrom(...(opts.sampleBodies.length > 0 ? opts.sampleBodies : ["{}"])).chain((s) =>
      fc.nat({ max: Math.max(0, s.length - 1) }).map((i) => flipByte(utf8(s), i)),
    ),
  );
  const headerValues = fc.array(fc.option(header, { nil: undefined }), { minLength: headerNames.length, maxLength: headerNames.length });

  await fc.assert(
    fc.asyncProperty(body, headerValues, async (raw, values) => {
      const headers: Record<string, string> = {};
      headerNames.forEach((name, i) => {
        const v = values[i];
        if (v !== undefined && /^[\t\x20-\x7e]*$/.test(v)) headers[name] = v;
      });
      const result = await adapter.verify(
        verifyInput({ body: raw, headers, config: config(["fuzz-secret"], opts.options ?? {}), url: "https://promptly.example/hooks/s/p?token=nope", ...(opts.fetch ? { fetch: opts.fetch } : {}) }),
      );
      expect(result.ok).toBe(false);

      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder().decode(raw));
      } catch {
        return;
      }
      const parsed = adapter.schema.safeParse(json);
      if (json === null || typeof json !== "object" || Array.isArray(json)) expect(parsed.success).toBe(false);
      if (parsed.success) {
        try {
          await adapter.normalize({ storeId: "s", payload: parsed.data, headers: new Headers(headers), rawBody: raw, config: config(["x"]), receivedAt: RECEIVED_AT });
        } catch (err) {
          expect(err).toBeInstanceOf(z.ZodError);
        }
      }
    }),
    { numRuns: opts.numRuns ?? 200 },
  );

  // Mutations of a real payload's structure: the schema answers with issues, never throws.
  await fc.assert(
    fc.property(fc.constantFrom(...(opts.sampleBodies.length > 0 ? opts.sampleBodies : ["{}"])), fc.jsonValue(), fc.nat(), (sample, junk, seed) => {
      const obj = JSON.parse(sample) as Record<string, unknown>;
      const keys = Object.keys(obj);
      const key = keys[seed % Math.max(1, keys.length)];
      if (key !== undefined) obj[key] = junk;
      const r = adapter.schema.safeParse(obj);
      expect(typeof r.success).toBe("boolean");
    }),
    { numRuns: opts.numRuns ?? 200 },
  );
}
