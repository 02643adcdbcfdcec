/**
 * Byte-level crypto helpers used by webhook verification, admin tokens and outbound signing.
 * Everything here is WebCrypto only (no nodejs_compat), and every secret comparison is
 * constant-time.
 */

const encoder = new TextEncoder();

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

/** Returns null for anything that is not even-length hex, so callers fail verification cleanly. */
export function fromHex(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function toBase64(bytes: ArrayBuffer | Uint8Array): string {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let s = "";
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
}

/** Accepts standard and URL-safe base64, with or without padding; null when malformed. */
export function fromBase64(b64: string): Uint8Array | null {
  const normalized = b64.trim().replace(/-/g, "+").replace(/_/g, "/");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(normalized)) return null;
  try {
    const bin = atob(normalized.padEnd(Math.ceil(normalized.length / 4) * 4, "="));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

export function toBase64Url(bytes: ArrayBuffer | Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export type HmacHash = "SHA-1" | "SHA-256" | "SHA-512";

/**
 * Imported HMAC keys by hash and key material. Profiles of webhook intake showed an importKey per
 * delivery costing about as much as the HMAC itself, while a store's signing secrets change
 * rarely. The key is the secret itself, so a cached key only ever serves that same secret (no
 * store can reach another's), keys are non-extractable, and the oldest go first past the bound,
 * so rotated-out secrets age away.
 */
const importedHmacKeys = new Map<string, CryptoKey>();
const HMAC_KEYS_KEPT = 512;

async function hmacKey(hash: HmacHash, key: Uint8Array | string): Promise<CryptoKey> {
  const id = `${hash}:${typeof key === "string" ? `s:${key}` : `b:${toBase64(key)}`}`;
  const kept = importedHmacKeys.get(id);
  if (kept) return kept;
  const imported = await crypto.subtle.importKey("raw", typeof key === "string" ? utf8(key) : key, { name: "HMAC", hash }, false, ["sign", "verify"]);
  importedHmacKeys.set(id, imported);
  if (importedHmacKeys.size > HMAC_KEYS_KEPT) importedHmacKeys.delete(importedHmacKeys.keys().next().value!);
  return imported;
}

export async function hmac(hash: HmacHash, key: Uint8Array | string, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(hash, key), data));
}

/**
 * True when `signature` is the HMAC of `data` under `key`. WebCrypto's HMAC verify compares in
 * constant time (workerd computes the MAC and compares it with BoringSSL's CRYPTO_memcmp); only
 * a length mismatch answers early, and the length of an HMAC is public.
 */
export async function hmacVerify(hash: HmacHash, key: Uint8Array | string, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  return crypto.subtle.verify("HMAC", await hmacKey(hash, key), signature, data);
}

export async function sha256(data: Uint8Array | string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", typeof data === "string" ? utf8(data) : data));
}

export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  return toHex(await sha256(data));
}

/**
 * Constant-time equality of two byte strings of any length. Both sides are hashed first so
 * `timingSafeEqual` always compares 32 bytes and the length of the secret is not leaked.
 */
export async function constantTimeEqual(a: Uint8Array | string, b: Uint8Array | string): Promise<boolean> {
  const [ha, hb] = await Promise.all([sha256(a), sha256(b)]);
  return crypto.subtle.timingSafeEqual(ha, hb);
}

/**
 * True when `expected` equals any of the `candidates`, checking all of them (no early exit) so
 * the time taken does not say which secret matched.
 */
export async function anyConstantTimeEqual(expected: Uint8Array | string, candidates: (Uint8Array | string)[]): Promise<boolean> {
  const results = await Promise.all(candidates.map((c) => constantTimeEqual(expected, c)));
  return results.some(Boolean);
}

export function randomToken(bytes = 32): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}
