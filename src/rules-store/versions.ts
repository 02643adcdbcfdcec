/**
 * Rule versions and the store's audit log, inside the store's registry Durable Object.
 *
 * The registry is the single writer: reading the current version, checking If-Match, resolving
 * kept secrets, validating and inserting the next version happen in one synchronous stretch with
 * no await in between, so two admins saving at once cannot both win. Versions are immutable rows;
 * a rollback is a new version with an old document. KV gets a copy afterwards (see kv.ts).
 */
import type { ErrorIssue } from "../http/errors";
import type { Migration } from "../lib/sql-migrations";
import { storeId as storeIdOf } from "../stores/store-data";
import { diffRules, summarizeDiff, type DiffEntry } from "../rules/diff";
import { forgetParsedVersions, RulesKvPublisher, versionKey } from "./kv";
import { DEFAULT_RULES, RulesDocument, SECRET_MASK } from "../rules/schema";
import { restoreSecrets } from "../rules/secrets";
import type { AuditEntry, RulesAction, VersionMeta } from "./schema";
import { checkRules } from "../rules/validate";
import { documentBytes, RULES_LIMITS } from "../rules/limits";
import { secretBox, type SecretBox } from "../lib/secret-box";
import { openDocument, sealDocument } from "./sealed";
import { AUDIT_CHANGES_MAX_BYTES, AUDIT_PAGE_MAX_BYTES, boundChanges } from "./audit-bounds";

export const rulesMigrations: Migration[] = [
  {
    id: 1,
    sql: `CREATE TABLE rule_versions (
            version INTEGER PRIMARY KEY, document TEXT NOT NULL, author TEXT NOT NULL,
            created_at INTEGER NOT NULL, summary TEXT NOT NULL, action TEXT NOT NULL,
            based_on INTEGER NOT NULL, applied_to_open_cases INTEGER NOT NULL DEFAULT 0);
          CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL,
            action TEXT NOT NULL, subject TEXT NOT NULL, from_version INTEGER, to_version INTEGER,
            summary TEXT NOT NULL, changes TEXT);
          CREATE INDEX audit_at ON audit (at, id);
          CREATE TABLE rules_kv_state (id INTEGER PRIMARY KEY CHECK (id = 1), published INTEGER NOT NULL);`,
  },
  {
    // Per version, whether its immutable KV key is written: a failed publish of an older version
    // is caught up even after a newer one moved the pointer past it.
    id: 2,
    sql: `ALTER TABLE rule_versions ADD COLUMN kv_written INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    // Version retention: keep the last N (null keeps every version).
    id: 3,
    sql: `CREATE TABLE rules_settings (id INTEGER PRIMARY KEY CHECK (id = 1), keep_last INTEGER);`,
  },
];

/**
 * A version superseded less than this long ago may still be handed to a new case (intake's
 * 5-second config copy, KV's eventually consistent pointer) before the case reports its pin.
 */
export const RETENTION_GRACE_MS = 10 * 60_000;

export interface PruneOutcome {
  keepLast: number | null;
  pruned: number[];
  /** Why nothing could be pruned yet, when that is the case. */
  waiting: string | null;
}

/** How many unpublished versions one catch-up writes (newest first matter most: open cases pin them). */
const CATCH_UP_LIMIT = 50;

export type { AuditEntry, RulesAction, VersionMeta };

export interface StoredRules extends VersionMeta {
  /** Unmasked: only ever leaves the Worker through maskSecrets. */
  document: RulesDocument;
}

interface VersionRow {
  version: number;
  document: string;
  author: string;
  created_at: number;
  summary: string;
  action: string;
  based_on: number;
  applied_to_open_cases: number;
  [key: string]: SqlStorageValue;
}

function meta(r: VersionRow): VersionMeta {
  return {
    version: r.version,
    author: r.author,
    createdAt: new Date(r.created_at).toISOString(),
    summary: r.summary,
    action: r.action as RulesAction,
    basedOn: r.based_on,
    appliedToOpenCases: r.applied_to_open_cases === 1,
  };
}

/** Version 0 is the built-in starter document every store has before its first save. */
export const STARTER_VERSION: StoredRules = {
  version: 0,
  author: "promptly",
  createdAt: new Date(0).toISOString(),
  summary: "starter rules",
  action: "default",
  basedOn: 0,
  appliedToOpenCases: false,
  document: DEFAULT_RULES,
};

export function currentVersionNumber(sql: SqlStorage): number {
  return sql.exec<{ v: number | null }>(`SELECT MAX(version) AS v FROM rule_versions`).one().v ?? 0;
}

/** The stored row's document as written: channel secrets sealed (for KV, which stores the same). */
export function readStoredDocument(sql: SqlStorage, version: number): unknown {
  const row = sql.exec<{ document: string }>(`SELECT document FROM rule_versions WHERE version = ?`, version).toArray()[0];
  return row ? (JSON.parse(row.document) as unknown) : null;
}

export async function readVersion(sql: SqlStorage, box: SecretBox, version: number): Promise<StoredRules | null> {
  if (version === 0) return STARTER_VERSION;
  const row = sql.exec<VersionRow>(`SELECT * FROM rule_versions WHERE version = ?`, version).toArray()[0];
  if (!row) return null;
  // Stored documents were valid when saved; parsing again fills defaults added since.
  return { ...meta(row), document: RulesDocument.parse(await openDocument(box, JSON.parse(row.document))) };
}

export async function readCurrent(sql: SqlStorage, box: SecretBox): Promise<StoredRules> {
  return (await readVersion(sql, box, currentVersionNumber(sql))) ?? STARTER_VERSION;
}

/** Newest first; `before` pages backwards. */
export function listVersions(sql: SqlStorage, limit: number, before?: number): VersionMeta[] {
  const rows = sql
    .exec<VersionRow>(
      `SELECT version, '' AS document, author, created_at, summary, action, based_on, applied_to_open_cases
         FROM rule_versions WHERE version < ? ORDER BY version DESC LIMIT ?`,
      before ?? Number.MAX_SAFE_INTEGER,
      limit,
    )
    .toArray()
    .map(meta);
  // The starter version is listed last so "roll back to the starter rules" is discoverable.
  if (rows.length < limit && (before === undefined || before > 0)) {
    const { document: _document, ...starter } = STARTER_VERSION;
    rows.push(starter);
  }
  return rows;
}


interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  subject: string;
  from_version: number | null;
  to_version: number | null;
  summary: string;
  changes: string | null;
  [key: string]: SqlStorageValue;
}

/** Appends to the store's audit log; other concerns may record their own admin actions here. */
export function recordAudit(
  sql: SqlStorage,
  entry: { at: number; actor: string; action: string; subject: string; fromVersion?: number | null; toVersion?: number | null; summary: string; changes?: DiffEntry[] | null },
): void {
  sql.exec(
    `INSERT INTO audit (at, actor, action, subject, from_version, to_version, summary, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    entry.at,
    entry.actor,
    entry.action,
    entry.subject,
    entry.fromVersion ?? null,
    entry.toVersion ?? null,
    entry.summary.length > 1000 ? `${entry.summary.slice(0, 999)}…` : entry.summary,
    entry.changes ? JSON.stringify(boundChanges(entry.changes, entry.toVersion)) : null,
  );
}

/**
 * Newest first; `before` is an audit id for paging backwards. A page ends at `limit` entries or
 * at AUDIT_PAGE_MAX_BYTES, whichever comes first (always at least one entry); `more` says
 * whether older entries remain. Entries written before entries were bounded are bounded on read.
 */
export function listAudit(sql: SqlStorage, limit: number, before?: number): { entries: AuditEntry[]; more: boolean } {
  const entries: AuditEntry[] = [];
  let used = 0;
  let more = false;
  for (const r of sql.exec<AuditRow>(`SELECT * FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?`, before ?? Number.MAX_SAFE_INTEGER, limit + 1)) {
    if (entries.length === limit) {
      more = true;
      break;
    }
    const changes = r.changes === null ? null : r.changes.length > AUDIT_CHANGES_MAX_BYTES ? boundChanges(JSON.parse(r.changes) as DiffEntry[], r.to_version) : (JSON.parse(r.changes) as DiffEntry[]);
    const entry: AuditEntry = {
      id: r.id,
      at: new Date(r.at).toISOString(),
      actor: r.actor,
      action: r.action,
      subject: r.subject,
      fromVersion: r.from_version,
      toVersion: r.to_version,
      summary: r.summary,
      changes,
    };
    const cost = JSON.stringify(entry).length;
    if (entries.length > 0 && used + cost > AUDIT_PAGE_MAX_BYTES) {
      more = true;
      break;
    }
    entries.push(entry);
    used += cost;
  }
  return { entries, more };
}

export interface SaveRequest {
  /** The document as the admin sent it (unvalidated; may hold "********" for kept secrets). */
  input: unknown;
  /** From If-Match: the version the admin edited. */
  expectedVersion: number;
  author: string;
  summary?: string | undefined;
  action: RulesAction;
  applyToOpenCases: boolean;
  now: number;
  /** The deployment's ALLOW_LOOPBACK_DESTINATIONS, from the route (validation has no env). */
  allowLoopbackDestinations?: boolean | undefined;
}

export type SaveOutcome =
  | { type: "saved"; saved: StoredRules; previous: number; changes: DiffEntry[] }
  | { type: "conflict"; current: number }
  | { type: "invalid"; issues: ErrorIssue[] };

/**
 * Checks If-Match, resolves kept secrets against the current version, validates, and inserts the
 * next version plus its audit entry, all in one synchronous transaction.
 */
export async function saveVersion(storage: DurableObjectStorage, box: SecretBox, req: SaveRequest): Promise<SaveOutcome> {
  const sql = storage.sql;
  const current = await readCurrent(sql, box);
  if (req.expectedVersion !== current.version) return { type: "conflict", current: current.version };
  const restored = restoreSecrets(req.input, current.version === 0 ? null : current.document);
  const checked = checkRules(restored.input, [], { allowLoopback: req.allowLoopbackDestinations === true });
  const issues = [...restored.issues, ...(checked.ok ? [] : checked.issues)];
  if (!checked.ok || issues.length > 0) return { type: "invalid", issues };
  const document = checked.document;
  // Again on what is stored: defaults, restored and sealed secrets make it larger than the body was.
  const documentJson = JSON.stringify(await sealDocument(box, document));
  const size = documentBytes(documentJson);
  if (size > RULES_LIMITS.documentBytes) {
    return { type: "invalid", issues: [{ path: "(root)", message: `the saved document would be ${size} bytes; a rules document is at most ${RULES_LIMITS.documentBytes} bytes (256 KB)` }] };
  }
  const changes = diffRules(current.document, document);
  const version = current.version + 1;
  const summary = req.summary?.trim() || summarizeDiff(changes);
  // Opening and sealing secrets awaited WebCrypto, so another save may have landed meanwhile:
  // If-Match is checked again inside the write, where nothing else can run.
  let raced = false;
  storage.transactionSync(() => {
    if (currentVersionNumber(sql) !== current.version) {
      raced = true;
      return;
    }
    sql.exec(
      `INSERT INTO rule_versions (version, document, author, created_at, summary, action, based_on, applied_to_open_cases) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      version,
      documentJson,
      req.author,
      req.now,
      summary,
      req.action,
      current.version,
      req.applyToOpenCases ? 1 : 0,
    );
    recordAudit(sql, {
      at: req.now,
      actor: req.author,
      action: `rules.${req.action}`,
      subject: "rules",
      fromVersion: current.version,
      toVersion: version,
      summary,
      changes,
    });
  });
  if (raced) return { type: "conflict", current: currentVersionNumber(sql) };
  const row = sql.exec<VersionRow>(`SELECT * FROM rule_versions WHERE version = ?`, version).one();
  return { type: "saved", saved: { ...meta(row), document }, previous: current.version, changes };
}

export type RollbackOutcome = SaveOutcome | { type: "not_found" };

/** The Worker secrets that seal channel secrets at rest (see src/lib/secret-box.ts). */
export interface SecretKeys {
  SECRETS_KEY?: string | undefined;
  SECRETS_KEY_PREVIOUS?: string | undefined;
}

/**
 * The rules concern inside the registry object: the class's RPC methods delegate here. After a
 * save, the version is published to KV before the RPC returns; a failed publish is caught up
 * on a later call (any read or save), and case objects fall back to the registry meanwhile, so
 * a KV outage never loses or hides a version.
 */
export class RulesRegistry {
  private publisher: RulesKvPublisher | null = null;
  private catchUp: Promise<void> | null = null;
  /** Saves still publishing: their rows look unpublished until they finish, so catch-up waits. */
  private publishing = 0;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly kv: KVNamespace,
    private readonly keys: SecretKeys = {},
  ) {}

  private box(): Promise<SecretBox> {
    return secretBox(this.keys);
  }

  async read(version?: number): Promise<StoredRules | null> {
    this.kickCatchUp();
    const box = await this.box();
    return version === undefined ? readCurrent(this.storage.sql, box) : readVersion(this.storage.sql, box, version);
  }

  versions(limit: number, before?: number): { current: number; versions: VersionMeta[] } {
    return { current: currentVersionNumber(this.storage.sql), versions: listVersions(this.storage.sql, limit, before) };
  }

  audit(limit: number, before?: number): { entries: AuditEntry[]; more: boolean } {
    return listAudit(this.storage.sql, limit, before);
  }

  async save(req: Omit<SaveRequest, "now">): Promise<SaveOutcome> {
    const outcome = await saveVersion(this.storage, await this.box(), { ...req, now: Date.now() });
    if (outcome.type === "saved") {
      await this.publishQuietly(outcome.saved.version);
      this.kickCatchUp();
    }
    return outcome;
  }

  /** A new version whose document equals version `to` (secrets included, as they were then). */
  async rollback(req: { to: number; expectedVersion?: number | undefined; author: string; applyToOpenCases?: boolean | undefined; allowLoopbackDestinations?: boolean | undefined }): Promise<RollbackOutcome> {
    const sql = this.storage.sql;
    const target = await readVersion(sql, await this.box(), req.to);
    if (!target) return { type: "not_found" };
    const current = currentVersionNumber(sql);
    return this.save({
      input: target.document,
      expectedVersion: req.expectedVersion ?? current,
      author: req.author,
      summary: `rolled back to version ${req.to}`,
      action: "rollback",
      applyToOpenCases: req.applyToOpenCases ?? false,
      allowLoopbackDestinations: req.allowLoopbackDestinations,
    });
  }

  /**
   * Removes one channel secret from every stored version but the current one (whose value is the
   * live credential: replace a leaked secret with a PUT first, then purge). The value becomes the
   * mask, which reads back as it always did and which a rollback cannot turn back into the old
   * secret: restoring a version with a mask takes the current version's secret, or refuses. Each
   * rewritten version is written to KV again; the purge is audited.
   */
  async purgeSecret(req: { channel: string; field: string; author: string }): Promise<{ versions: number[] }> {
    const sql = this.storage.sql;
    const current = currentVersionNumber(sql);
    const purged: { version: number; json: string }[] = [];
    for (const row of sql.exec<{ version: number; document: string }>(`SELECT version, document FROM rule_versions WHERE version <> ? ORDER BY version`, current).toArray()) {
      const doc = JSON.parse(row.document) as { channels?: Record<string, Record<string, unknown>> };
      const channels = doc.channels;
      if (!channels || !Object.hasOwn(channels, req.channel)) continue;
      const channel = channels[req.channel]!;
      if (!Object.hasOwn(channel, req.field) || typeof channel[req.field] !== "string" || channel[req.field] === SECRET_MASK) continue;
      channel[req.field] = SECRET_MASK;
      purged.push({ version: row.version, json: JSON.stringify(doc) });
    }
    const now = Date.now();
    this.storage.transactionSync(() => {
      for (const p of purged) sql.exec(`UPDATE rule_versions SET document = ?, kv_written = 0 WHERE version = ?`, p.json, p.version);
      recordAudit(sql, {
        at: now,
        actor: req.author,
        action: "rules.purge_secret",
        subject: `channels.${req.channel}.${req.field}`,
        summary: purged.length === 0 ? `no stored version besides the current one held channels.${req.channel}.${req.field}` : `purged channels.${req.channel}.${req.field} from ${purged.length} version(s): ${purged.map((p) => p.version).join(", ")}`,
      });
    });
    const publisher = this.kvPublisher();
    if (publisher) {
      for (const p of purged) {
        try {
          await publisher.putVersion(p.version, JSON.parse(p.json) as unknown);
          sql.exec(`UPDATE rule_versions SET kv_written = 1 WHERE version = ?`, p.version);
        } catch (err) {
          // Left unwritten: the catch-up rewrites it on the next read or save.
          console.log(JSON.stringify({ msg: "rules.purge_kv_failed", storeId: storeIdOf(sql), version: p.version, error: err instanceof Error ? err.message : String(err) }));
        }
      }
      forgetParsedVersions(publisher.storeIdOf());
    }
    return { versions: purged.map((p) => p.version) };
  }

  retention(): number | null {
    return this.storage.sql.exec<{ keep_last: number | null }>(`SELECT keep_last FROM rules_settings WHERE id = 1`).toArray()[0]?.keep_last ?? null;
  }

  async setRetention(keepLast: number | null, author: string, pins: { versions: Set<number>; complete: boolean }): Promise<PruneOutcome> {
    const sql = this.storage.sql;
    this.storage.transactionSync(() => {
      sql.exec(`INSERT INTO rules_settings (id, keep_last) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET keep_last = excluded.keep_last`, keepLast);
      recordAudit(sql, { at: Date.now(), actor: author, action: "rules.retention", subject: "rules", summary: keepLast === null ? "keep every rules version" : `keep the current version, every pinned version and the last ${keepLast}` });
    });
    return this.prune(pins);
  }

  /**
   * Deletes old versions the retention setting lets go: never the current one, one a case is
   * pinned to, one of the last `keepLast`, or one superseded within RETENTION_GRACE_MS. Waits
   * while some indexed case has not reported its pins. Deleted from the registry and KV; audited.
   */
  async prune(pins: { versions: Set<number>; complete: boolean }, now = Date.now()): Promise<PruneOutcome> {
    const sql = this.storage.sql;
    const keepLast = this.retention();
    if (keepLast === null) return { keepLast, pruned: [], waiting: null };
    if (!pins.complete) return { keepLast, pruned: [], waiting: "some cases have not reported which rules versions they use yet; old versions are kept until they do" };
    const current = currentVersionNumber(sql);
    const rows = sql.exec<{ version: number; created_at: number }>(`SELECT version, created_at FROM rule_versions ORDER BY version`).toArray();
    const pruned: number[] = [];
    rows.forEach((r, i) => {
      const successor = rows[i + 1];
      if (r.version === current || r.version > current - keepLast || pins.versions.has(r.version)) return;
      if (!successor || successor.created_at > now - RETENTION_GRACE_MS) return;
      pruned.push(r.version);
    });
    if (pruned.length === 0) return { keepLast, pruned, waiting: null };
    this.storage.transactionSync(() => {
      for (const v of pruned) sql.exec(`DELETE FROM rule_versions WHERE version = ?`, v);
      recordAudit(sql, { at: now, actor: "system", action: "rules.prune", subject: "rules", summary: `pruned ${pruned.length} old version(s) (keep last ${keepLast}): ${pruned.join(", ")}` });
    });
    const publisher = this.kvPublisher();
    if (publisher) {
      for (const v of pruned) {
        try {
          await this.kv.delete(versionKey(publisher.storeIdOf(), v));
        } catch (err) {
          console.log(JSON.stringify({ msg: "rules.prune_kv_failed", storeId: storeIdOf(sql), version: v, error: err instanceof Error ? err.message : String(err) }));
        }
      }
      forgetParsedVersions(publisher.storeIdOf());
    }
    return { keepLast, pruned, waiting: null };
  }

  /** The version the KV pointer was last written with, and the versions whose key is not in KV yet. */
  kvState(): { pointer: number; unwritten: number[] } {
    const sql = this.storage.sql;
    return {
      pointer: sql.exec<{ published: number }>(`SELECT published FROM rules_kv_state WHERE id = 1`).toArray()[0]?.published ?? 0,
      unwritten: sql
        .exec<{ version: number }>(`SELECT version FROM rule_versions WHERE kv_written = 0 ORDER BY version DESC LIMIT ?`, CATCH_UP_LIMIT)
        .toArray()
        .map((r) => r.version),
    };
  }

  private kvPublisher(): RulesKvPublisher | null {
    const storeId = storeIdOf(this.storage.sql);
    if (storeId === null) return null;
    return (this.publisher ??= new RulesKvPublisher(this.kv, storeId));
  }

  /** The version key, then the pointer; failures are logged and left for the catch-up. */
  private async publishQuietly(version: number): Promise<void> {
    const publisher = this.kvPublisher();
    if (!publisher) return;
    const sql = this.storage.sql;
    this.publishing++;
    try {
      // KV gets the row's document as stored: secrets sealed there too.
      await publisher.putVersion(version, readStoredDocument(sql, version));
      sql.exec(`UPDATE rule_versions SET kv_written = 1 WHERE version = ?`, version);
      await publisher.advancePointer(version);
      sql.exec(
        `INSERT INTO rules_kv_state (id, published) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET published = MAX(published, excluded.published)`,
        version,
      );
    } catch (err) {
      console.log(JSON.stringify({ msg: "rules.kv_publish_failed", storeId: storeIdOf(sql), version, error: err instanceof Error ? err.message : String(err) }));
    } finally {
      this.publishing--;
    }
  }

  /** Writes every version key an earlier publish missed, then moves the pointer if it lags. */
  private kickCatchUp(): void {
    if (this.catchUp || this.publishing > 0) return;
    const sql = this.storage.sql;
    const current = currentVersionNumber(sql);
    const { pointer, unwritten } = this.kvState();
    if (current === 0 || (pointer >= current && unwritten.length === 0)) return;
    this.catchUp = (async () => {
      const publisher = this.kvPublisher();
      if (!publisher) return;
      for (const version of unwritten.filter((v) => v !== current)) {
        const stored = readStoredDocument(sql, version);
        if (stored === null) continue;
        try {
          await publisher.putVersion(version, stored);
          sql.exec(`UPDATE rule_versions SET kv_written = 1 WHERE version = ?`, version);
        } catch (err) {
          console.log(JSON.stringify({ msg: "rules.kv_catch_up_failed", storeId: storeIdOf(sql), version, error: err instanceof Error ? err.message : String(err) }));
          return;
        }
      }
      if (pointer < current) publisher.forgetPointer();
      if (pointer < current || unwritten.includes(current)) await this.publishQuietly(current);
    })().finally(() => {
      this.catchUp = null;
    });
  }
}
