/**
 * Helpers shared by provider adapters. Anything two adapters would otherwise each write lives here.
 */
import { sha256Hex, utf8 } from "../lib/crypto";
import type { VerifyResult } from "./adapter";

export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * Replay window for schemes that sign a timestamp: a delivery signed more than `toleranceSeconds`
 * away from now (either direction: clocks drift) is rejected as stale even if the signature is right.
 */
export function checkReplayWindow(signedAtMs: number, now: number, toleranceSeconds: number): VerifyResult {
  if (!Number.isFinite(signedAtMs)) return { ok: false, code: "bad_signature", message: "signature timestamp is not a number" };
  if (Math.abs(now - signedAtMs) > toleranceSeconds * 1000) {
    return { ok: false, code: "stale", message: `signed timestamp is outside the ±${toleranceSeconds}s replay window` };
  }
  return { ok: true, signedAtMs };
}

/**
 * A stable event id for providers that send none: a hash of what identifies the change
 * (for example ticket id + updated_at + status), so a retry of the same change dedupes and a
 * new change does not.
 */
export async function derivedEventId(parts: (string | number | undefined | null)[]): Promise<string> {
  return `h:${(await sha256Hex(utf8(parts.map((p) => (p === undefined || p === null ? "" : String(p))).join("\u001f")))).slice(0, 32)}`;
}

/** Parses a provider timestamp (ISO string, epoch seconds or epoch ms) into ISO-8601 UTC, or null. */
export function toIsoInstant(value: string | number | undefined | null): string | null {
  if (value === undefined || value === null || value === "") return null;
  let ms: number;
  if (typeof value === "number") ms = value < 1e11 ? value * 1000 : value;
  else if (/^\d+(\.\d+)?$/.test(value)) {
    const n = Number(value);
    ms = n < 1e11 ? n * 1000 : n;
  } else ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

export function header(headers: Headers, name: string): string | null {
  const v = headers.get(name);
  return v === null || v.trim() === "" ? null : v.trim();
}
