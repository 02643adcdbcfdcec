/**
 * Provider configuration per store (inside the store's registry object): the live secret(s),
 * the replay tolerance and provider options. Secrets are write-only: only `readProviderConfig`
 * (used by intake inside the Worker) returns them; listings never do.
 */
import type { Options } from "../lib/json";
import type { Migration } from "../lib/sql-migrations";
import type { ProviderId } from "../events/model";
import type { ProviderConfig } from "./adapter";
import type { SecretBox } from "../lib/secret-box";

export const providerMigrations: Migration[] = [
  {
    id: 1,
    sql: `CREATE TABLE providers (
            provider TEXT PRIMARY KEY, secrets TEXT NOT NULL, tolerance_seconds INTEGER NOT NULL,
            options TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
          CREATE TABLE ignored_deliveries (
            provider TEXT NOT NULL, provider_event_id TEXT NOT NULL, reason TEXT NOT NULL,
            received_at INTEGER NOT NULL, PRIMARY KEY (provider, provider_event_id));`,
  },
  {
    // Ignored deliveries are kept only as long as a provider may retry them (see IGNORED_KEEP_MS).
    id: 2,
    sql: `CREATE INDEX ignored_deliveries_age ON ignored_deliveries (received_at);`,
  },
  {
    // What Connections shows per provider (see provider-activity.ts for how rarely it is written).
    id: 3,
    sql: `ALTER TABLE providers ADD COLUMN last_received_at INTEGER;
          ALTER TABLE providers ADD COLUMN last_refused_at INTEGER;
          ALTER TABLE providers ADD COLUMN last_refused_reason TEXT;`,
  },
];

/**
 * How long an ignored delivery is remembered. It only has to outlast the providers' retries (the
 * longest documented is AfterShip's, about 68 hours); a copy arriving later is simply ignored again.
 */
export const IGNORED_KEEP_MS = 7 * 24 * 3_600_000;

export interface ProviderSummary {
  provider: ProviderId;
  secretsConfigured: number;
  toleranceSeconds: number;
  options: Options;
  createdAt: string;
  updatedAt: string;
  /** The last verified delivery (accurate to about a minute: see provider-activity.ts). */
  lastReceivedAt: string | null;
  /** The last delivery refused at the signature check, and why. */
  lastRefused: { at: string; reason: string } | null;
}

interface ProviderRow {
  provider: string;
  secrets: string;
  tolerance_seconds: number;
  options: string;
  created_at: number;
  updated_at: number;
  last_received_at: number | null;
  last_refused_at: number | null;
  last_refused_reason: string | null;
  [key: string]: SqlStorageValue;
}

export function upsertProvider(sql: SqlStorage, provider: ProviderId, config: ProviderConfig, now: number): ProviderSummary {
  sql.exec(
    `INSERT INTO providers (provider, secrets, tolerance_seconds, options, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (provider) DO UPDATE SET secrets = excluded.secrets, tolerance_seconds = excluded.tolerance_seconds,
       options = excluded.options, updated_at = excluded.updated_at`,
    provider,
    JSON.stringify(config.secrets),
    config.toleranceSeconds,
    JSON.stringify(config.options),
    now,
    now,
  );
  return summaries(sql).find((p) => p.provider === provider)!;
}

export function readProviderConfig(sql: SqlStorage, provider: string): ProviderConfig | null {
  const row = sql.exec<ProviderRow>(`SELECT * FROM providers WHERE provider = ?`, provider).toArray()[0];
  if (!row) return null;
  return { secrets: JSON.parse(row.secrets) as string[], toleranceSeconds: row.tolerance_seconds, options: JSON.parse(row.options) as Record<string, unknown> };
}

export function summaries(sql: SqlStorage): ProviderSummary[] {
  return sql
    .exec<ProviderRow>(`SELECT * FROM providers ORDER BY provider`)
    .toArray()
    .map((r) => ({
      provider: r.provider as ProviderId,
      secretsConfigured: (JSON.parse(r.secrets) as string[]).length,
      toleranceSeconds: r.tolerance_seconds,
      options: JSON.parse(r.options) as Options,
      createdAt: new Date(r.created_at).toISOString(),
      updatedAt: new Date(r.updated_at).toISOString(),
      lastReceivedAt: r.last_received_at === null ? null : new Date(r.last_received_at).toISOString(),
      lastRefused: r.last_refused_at === null ? null : { at: new Date(r.last_refused_at).toISOString(), reason: r.last_refused_reason ?? "" },
    }));
}

export function deleteProvider(sql: SqlStorage, provider: string): boolean {
  return sql.exec(`DELETE FROM providers WHERE provider = ?`, provider).rowsWritten > 0;
}

/**
 * Records a well-formed delivery we do not act on; true when it was seen before (within
 * IGNORED_KEEP_MS). Each call also forgets a bounded batch of expired ones, so the table stays
 * the size of a retry window without a sweep.
 */
export function recordIgnored(sql: SqlStorage, provider: string, providerEventId: string, reason: string, now: number): boolean {
  sql.exec(`DELETE FROM ignored_deliveries WHERE rowid IN (SELECT rowid FROM ignored_deliveries WHERE received_at < ? LIMIT 100)`, now - IGNORED_KEEP_MS);
  const before = sql.exec(`INSERT OR IGNORE INTO ignored_deliveries (provider, provider_event_id, reason, received_at) VALUES (?, ?, ?, ?)`, provider, providerEventId, reason, now).rowsWritten;
  return before === 0;
}

/** The config as stored: each signing secret sealed at rest (src/lib/secret-box.ts). */
export async function sealConfig(box: SecretBox, config: ProviderConfig): Promise<ProviderConfig> {
  return { ...config, secrets: await Promise.all(config.secrets.map((secret) => box.seal(secret))) };
}

/** The config as intake uses it; secrets stored before sealing existed pass as they are. */
export async function openConfig(box: SecretBox, config: ProviderConfig | null): Promise<ProviderConfig | null> {
  return config ? { ...config, secrets: await Promise.all(config.secrets.map((secret) => box.open(secret))) } : null;
}

/** Never moves a time backwards: write-throughs from several isolates may arrive out of order. */
export function recordProviderActivity(sql: SqlStorage, provider: string, activity: { receivedAt?: number | undefined; refused?: { at: number; reason: string } | undefined }): void {
  if (activity.receivedAt !== undefined) {
    sql.exec(`UPDATE providers SET last_received_at = ? WHERE provider = ? AND (last_received_at IS NULL OR last_received_at < ?)`, activity.receivedAt, provider, activity.receivedAt);
  }
  if (activity.refused) {
    const { at, reason } = activity.refused;
    sql.exec(`UPDATE providers SET last_refused_at = ?, last_refused_reason = ? WHERE provider = ? AND (last_refused_at IS NULL OR last_refused_at < ?)`, at, reason.slice(0, 300), provider, at);
  }
}
