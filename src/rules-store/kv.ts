/**
 * Rules in Workers KV: how case objects read them cheaply, and how the registry publishes them.
 *
 * Layout per store:
 *   `rules:<storeId>:v<N>`     the full version N, immutable (safe to cache for long)
 *   `rules:<storeId>:current`  `{ "version": N }`, the small pointer new cases start from
 *
 * The registry Durable Object is the only writer and the source of truth. KV is eventually
 * consistent (and caches negative lookups), so `loadRules` validates what it reads and falls
 * back to the registry when a key is missing or unreadable. KV allows one write per second per
 * key: version keys are written once each, and pointer writes are coalesced (a burst of saves
 * writes the pointer at most once a second, always with the newest version) and retried with
 * backoff on `429 Too Many Requests`.
 */
import { z } from "zod";
import { DEFAULT_RULES, RulesDocument } from "../rules/schema";
import { secretBox } from "../lib/secret-box";
import { openDocument } from "./sealed";
import type { SecretKeys } from "./versions";

export const versionKey = (storeId: string, version: number) => `rules:${storeId}:v${version}`;
export const pointerKey = (storeId: string) => `rules:${storeId}:current`;

const Pointer = z.object({ version: z.number().int().nonnegative() });
const StoredVersion = z.object({ version: z.number().int().positive(), document: z.unknown() });

/** Immutable version keys never change, so edge caches may keep them for an hour. */
const VERSION_CACHE_TTL_S = 3600;

export interface LoadedRules {
  version: number;
  document: RulesDocument;
  /**
   * Where the document came from: KV normally, the registry when KV had not caught up, the
   * code itself for version 0 (the starter rules are a constant, identical everywhere).
   */
  source: "kv" | "registry" | "builtin";
}

/**
 * Parsed versions, shared by every object and request in this isolate. A version never changes
 * once saved, so a parsed document is good for as long as the isolate lives; without this, each
 * fired reminder re-read and re-validated the whole document (a few percent of the runtime's CPU
 * with a thousand cases firing). Bounded: the oldest entry goes first.
 */
const PARSED_VERSIONS_MAX = 256;
const parsedVersions = new Map<string, RulesDocument>();

/** Drops this isolate's parsed copies of a store's versions (after a purge rewrote them). */
export function forgetParsedVersions(storeId: string): void {
  for (const key of [...parsedVersions.keys()]) if (key.startsWith(`rules:${storeId}:`)) parsedVersions.delete(key);
}

function remember(storeId: string, loaded: LoadedRules): LoadedRules {
  const key = versionKey(storeId, loaded.version);
  if (!parsedVersions.has(key)) {
    if (parsedVersions.size >= PARSED_VERSIONS_MAX) parsedVersions.delete(parsedVersions.keys().next().value!);
    parsedVersions.set(key, loaded.document);
  }
  return loaded;
}

/**
 * The store's rules: version `version` when given (a case's pinned version), else the current
 * one. Version 0 is the built-in starter document.
 */
export async function loadRules(env: Pick<Env, "RULES" | "STORES"> & SecretKeys, storeId: string, version?: number): Promise<LoadedRules> {
  let wanted = version;
  if (wanted === undefined) {
    const pointer = Pointer.safeParse(await env.RULES.get(pointerKey(storeId), "json").catch(() => null));
    if (!pointer.success) return loadRulesFromRegistry(env, storeId);
    wanted = pointer.data.version;
  }
  if (wanted === 0) return { version: 0, document: DEFAULT_RULES, source: "builtin" };
  // A cached document answers for the version KV named: `source` stays "kv", so a caller that
  // distrusts KV's pointer (see dispatch) still asks the registry.
  const known = parsedVersions.get(versionKey(storeId, wanted));
  if (known) return { version: wanted, document: known, source: "kv" };
  const raw = await env.RULES.get(versionKey(storeId, wanted), { type: "json", cacheTtl: VERSION_CACHE_TTL_S }).catch(() => null);
  const stored = StoredVersion.safeParse(raw);
  if (stored.success && stored.data.version === wanted) {
    // Validated on read too: an old version written by older code must still parse today.
    // Channel secrets are sealed in KV; a key that cannot open them leaves it to the registry.
    const opened = await secretBox(env).then((box) => openDocument(box, stored.data.document)).catch(() => null);
    const doc = RulesDocument.safeParse(opened);
    if (doc.success) return remember(storeId, { version: wanted, document: doc.data, source: "kv" });
  }
  return loadRulesFromRegistry(env, storeId, wanted);
}

/**
 * Straight from the registry (strongly consistent): version `version`, else the current one. For
 * callers that found KV's copy behind, e.g. a channel saved a moment ago missing from it.
 */
export async function loadRulesFromRegistry(env: Pick<Env, "STORES">, storeId: string, version?: number): Promise<LoadedRules> {
  const found = await env.STORES.getByName(storeId).rulesRead(version);
  if (!found) throw new Error(`rules version ${String(version)} of store ${storeId} does not exist`);
  return remember(storeId, { version: found.version, document: RulesDocument.parse(found.document), source: "registry" });
}

// -------------------------------------------------------------------------------------------
// Publishing (runs inside the registry Durable Object).

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isRateLimited(err: unknown): boolean {
  return err instanceof Error && /429|too many requests/i.test(err.message);
}

/** `put` with exponential backoff on KV's per-key rate limit (1 write/s/key). */
export async function putWithRetry(kv: KVNamespace, key: string, value: string, attempts = 5, firstDelayMs = 1000): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await kv.put(key, value);
      return;
    } catch (err) {
      if (attempt >= attempts || !isRateLimited(err)) throw err;
      await sleep(firstDelayMs * 2 ** (attempt - 1) + Math.floor(Math.random() * 250));
    }
  }
}

/**
 * Publishes saved versions to KV from the registry. One instance per registry object: it
 * remembers when the pointer was last written, so saves in quick succession share one pointer
 * write (with the newest version) instead of tripping the per-key limit.
 */
export class RulesKvPublisher {
  private wanted = 0;
  private written = 0;
  private lastPointerWrite = 0;
  private running: Promise<void> | null = null;

  constructor(
    private readonly kv: KVNamespace,
    private readonly storeId: string,
    private readonly minIntervalMs = 1000,
  ) {}

  storeIdOf(): string {
    return this.storeId;
  }

  /** Writes the immutable key of one version (catch-up writes old ones without moving the pointer). */
  async putVersion(version: number, document: unknown): Promise<void> {
    await putWithRetry(this.kv, versionKey(this.storeId, version), JSON.stringify({ version, document }));
  }

  /** Writes the immutable version key, then makes sure the pointer reaches at least `version`. */
  async publish(version: number, document: unknown): Promise<void> {
    await this.putVersion(version, document);
    await this.advancePointer(version);
  }

  /**
   * Resolves once the pointer names `version` or newer. Callers arriving within a second of the
   * last pointer write wait for one shared write that carries the newest version.
   */
  async advancePointer(version: number): Promise<void> {
    this.wanted = Math.max(this.wanted, version);
    while (this.written < version) {
      this.running ??= this.flushPointer().finally(() => {
        this.running = null;
      });
      await this.running;
    }
  }

  /**
   * Forgets which pointer version this instance wrote, so the next advance writes it again. The
   * registry calls this when its durable record says the pointer is behind: that record, not
   * this object's memory, decides.
   */
  forgetPointer(): void {
    this.written = 0;
  }

  private async flushPointer(): Promise<void> {
    const wait = this.lastPointerWrite + this.minIntervalMs - Date.now();
    if (wait > 0) await sleep(wait);
    // Read `wanted` after the wait: saves that arrived meanwhile ride on this one write.
    const version = this.wanted;
    await putWithRetry(this.kv, pointerKey(this.storeId), JSON.stringify({ version }));
    this.lastPointerWrite = Date.now();
    this.written = Math.max(this.written, version);
  }
}
