/**
 * Secrets at rest: channel credentials inside stored rules versions (registry and KV) and
 * provider signing secrets in the registry are sealed with AES-256-GCM under the Worker secret
 * `SECRETS_KEY` (base64 of 32 random bytes), so a copy of the registry's SQLite or of the KV
 * namespace alone does not give them away.
 *
 * A sealed value is `enc:v1:<key id>:<iv>:<ciphertext>` (base64url); the key id (the first 8 hex
 * digits of the key's SHA-256) says which key opens it, so a rotation can keep the old key in
 * `SECRETS_KEY_PREVIOUS` for reading while everything written from then on uses the new one.
 * Values stored before sealing existed have no prefix and are read as they are (they are sealed
 * at the next write). Without `SECRETS_KEY` (a local bench, say) values are stored as given.
 */
import { toHex } from "./crypto";

const PREFIX = "enc:v1:";

interface Key {
  id: string;
  key: CryptoKey;
}

function b64urlEncode(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function b64urlDecode(s: string): Uint8Array {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function importKey(b64: string, name: string): Promise<Key> {
  let raw: Uint8Array;
  try {
    raw = b64urlDecode(b64.trim());
  } catch {
    throw new Error(`${name} is not base64`);
  }
  if (raw.byteLength !== 32) throw new Error(`${name} must be base64 of 32 random bytes (it decodes to ${raw.byteLength})`);
  const id = toHex(await crypto.subtle.digest("SHA-256", raw)).slice(0, 8);
  return { id, key: await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]) };
}

export function isSealed(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(PREFIX);
}

export class SecretBox {
  private constructor(
    private readonly current: Key | null,
    private readonly keys: Map<string, Key>,
  ) {}

  static async fromEnv(env: { SECRETS_KEY?: string | undefined; SECRETS_KEY_PREVIOUS?: string | undefined }): Promise<SecretBox> {
    const current = env.SECRETS_KEY ? await importKey(env.SECRETS_KEY, "SECRETS_KEY") : null;
    const previous = env.SECRETS_KEY_PREVIOUS ? await importKey(env.SECRETS_KEY_PREVIOUS, "SECRETS_KEY_PREVIOUS") : null;
    const keys = new Map<string, Key>();
    for (const k of [previous, current]) if (k) keys.set(k.id, k);
    return new SecretBox(current, keys);
  }

  /** Whether values are sealed on write (a key is configured). */
  get sealing(): boolean {
    return this.current !== null;
  }

  async seal(plain: string): Promise<string> {
    if (!this.current || isSealed(plain)) return plain;
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, this.current.key, new TextEncoder().encode(plain)));
    return `${PREFIX}${this.current.id}:${b64urlEncode(iv)}:${b64urlEncode(ct)}`;
  }

  /** The plaintext; a value stored before sealing comes back as it is. Throws for an unknown key. */
  async open(stored: string): Promise<string> {
    if (!isSealed(stored)) return stored;
    const [id, iv, ct] = stored.slice(PREFIX.length).split(":");
    const key = id ? this.keys.get(id) : undefined;
    if (!key || !iv || !ct) throw new Error(`a stored secret is sealed with key ${String(id)}, which is neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS`);
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: b64urlDecode(iv) }, key.key, b64urlDecode(ct));
    return new TextDecoder().decode(plain);
  }
}

/** One box per isolate and key pair: importing keys costs a digest and an import per key. */
let cached: { k: string; box: Promise<SecretBox> } | null = null;
export function secretBox(env: { SECRETS_KEY?: string | undefined; SECRETS_KEY_PREVIOUS?: string | undefined }): Promise<SecretBox> {
  const k = `${env.SECRETS_KEY ?? ""}\u0000${env.SECRETS_KEY_PREVIOUS ?? ""}`;
  if (!cached || cached.k !== k) cached = { k, box: SecretBox.fromEnv(env) };
  return cached.box;
}
