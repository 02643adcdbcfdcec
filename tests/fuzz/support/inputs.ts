/**
 * The raw material of fuzzed requests: strings a client should never send but will, path
 * segments, query strings, Authorization values, content types, bodies and extra headers.
 * Everything here is a valid HTTP message (header values are ByteStrings without CR/LF/NUL);
 * what is wrong is its content.
 */
import fc from "fast-check";
import { jsonText } from "./json-text";

/** Text that goes wrong in parsers: unicode, controls, separators, encodings, numbers, names. */
export const junkText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 400, maxLength: 5000 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "", " ", "0", "-1", "1e3", "01", "9".repeat(20), "NaN", "null", "undefined", "true", "[]", "{}", "*", "..", "%", "%%", "\\", "'", '"', "<script>", "${x}",
      "st_0000000000000000", "st_ffffffffffffffff", "ST_0123456789ABCDEF", "prm.0000000000000000.x", "ticket:zendesk:1", "ticket:custom:F-1", "shipment:ups:1Z999",
      "zendesk", "Zendesk", "ZENDESK", "zendesk ", "__proto__", "constructor", "toString", "hasOwnProperty", "17track", "custom", "shipengine",
      "ıİ", "ß", "🙂", "é", "\u200b", "\ufeff", "\u0000", "\r\n", "a\tb", "∞", "٣", "𝟘",
    ),
  },
);

const HEX = "0123456789abcdef";
const hexString = (n: number) => fc.array(fc.constantFrom(...HEX.split("")), { minLength: n, maxLength: n }).map((a) => a.join(""));
const tokenSecret = fc.array(fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".split("")), { minLength: 43, maxLength: 43 }).map((a) => a.join(""));

/** A path segment on the wire: percent-encoded text, raw percent junk (bad escapes, overlong UTF-8), or very long. */
export const junkSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: junkText.map((t) => encodeURIComponent(t)) },
  { weight: 2, arbitrary: fc.constantFrom("%", "%zz", "%E0%A4%A", "%C0%AF", "%ED%A0%80", "%FF", "%00", "%2F", "%2f..%2f", "%252F", "%u0041", "a%", "%%41", "%F0%9F%99", "%0D%0A", "%20", "+") },
  { weight: 1, arbitrary: fc.tuple(junkText, fc.constantFrom("%", "%zz", "%E0%A4%A", "%C3")).map(([t, bad]) => encodeURIComponent(t) + bad) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1000, maxLength: 9000 }).map((t) => encodeURIComponent(t)) },
);

export interface Principals {
  /** The token that opens the store under test. */
  right: string;
  rightTokenId: string;
  other: string;
  revoked: string;
  operator: string;
}

export type AuthKind = "none" | "right" | "right-variant" | "other" | "revoked" | "operator" | "forged" | "malformed";

/** An Authorization header value (or none), and what kind of credential it is. */
export function authorization(p: Principals): fc.Arbitrary<{ kind: AuthKind; value: string | null }> {
  const is = (kind: AuthKind) => (value: string | null) => ({ kind, value });
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(is("none")(null)) },
    { weight: 10, arbitrary: fc.constant(is("right")(`Bearer ${p.right}`)) },
    // Spellings of the right token that the bearer syntax allows (scheme is case-insensitive, spaces around).
    { weight: 1, arbitrary: fc.constantFrom(`bearer ${p.right}`, `BEARER   ${p.right}`, `Bearer\t${p.right}`).map(is("right-variant")) },
    { weight: 2, arbitrary: fc.constant(is("other")(`Bearer ${p.other}`)) },
    { weight: 1, arbitrary: fc.constant(is("revoked")(`Bearer ${p.revoked}`)) },
    { weight: 1, arbitrary: fc.constant(is("operator")(`Bearer ${p.operator}`)) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        tokenSecret.map((s) => `Bearer prm.${p.rightTokenId}.${s}`),
        fc.tuple(hexString(16), tokenSecret).map(([id, s]) => `Bearer prm.${id}.${s}`),
        fc.nat({ max: p.right.length - 1 }).map((i) => `Bearer ${p.right.slice(0, i)}${p.right[i] === "A" ? "B" : "A"}${p.right.slice(i + 1)}`),
      ).map(is("forged")),
    },
    {
      weight: 3,
      arbitrary: fc.oneof(
        fc.constantFrom("", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", `Token ${p.right}`, `Bearer ${p.right}x`, `Bearer ${p.right} ${p.right}`, `Bearer "${p.right}"`, `${p.right}`, `Bearer ${p.right.toUpperCase()}`, "Bearer prm..", "Bearer prm.0.0"),
        fc.string({ unit: "binary-ascii", maxLength: 60 }).map((s) => `Bearer ${s}`),
        fc.string({ unit: "grapheme-ascii", minLength: 2000, maxLength: 9000 }).map((s) => `Bearer ${s}`),
      ).map(is("malformed")),
    },
  ).map((a) => ({ ...a, value: a.value === null ? null : headerSafe(a.value) }));
}

/** Keeps what a header value can portably hold (printable ASCII and tab) so the request itself is valid. */
export function headerSafe(v: string): string {
  return [...v].filter((c) => c === "\t" || (c >= " " && c <= "~")).join("");
}

export const headerValue: fc.Arbitrary<string> = fc.oneof(fc.string({ unit: "binary-ascii", maxLength: 80 }), junkText).map(headerSafe);

export const contentType: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "application/problem+json", "application/vnd.promptly+json; v=1") },
  { weight: 1, arbitrary: fc.constant(null) },
  {
    weight: 2,
    arbitrary: fc.constantFrom("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "text/json", "application/jsonp", "json", "", "*/*", "application/json5", "application/octet-stream"),
  },
  { weight: 1, arbitrary: headerValue },
);

export interface WireBody {
  bytes: string | Uint8Array | undefined;
  /** The JSON value the bytes encode, when they are exactly JSON.stringify of one. */
  json?: { value: unknown };
}

const encoder = new TextEncoder();

/** Copied with set(), not spread into an array literal: a large body spread element by element overflowed workerd's stack in CI. */
function wrapInInvalidUtf8(json: Uint8Array): Uint8Array {
  const out = new Uint8Array(json.length + 3);
  out.set([0xc3, 0x28], 0);
  out.set(json, 2);
  out[out.length - 1] = 0xff;
  return out;
}

/** The ways a body can fail to be the JSON a route wants: not JSON at all, or JSON of the wrong shape. */
export function body(shaped: fc.Arbitrary<unknown>): fc.Arbitrary<WireBody> {
  const asJson = (value: unknown): WireBody => {
    const text = jsonText(value);
    return text === undefined ? { bytes: undefined } : { bytes: text, json: { value: JSON.parse(text) as unknown } };
  };
  return fc.oneof(
    { weight: 8, arbitrary: shaped.map(asJson) },
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(asJson) },
    { weight: 1, arbitrary: fc.constant<WireBody>({ bytes: undefined }) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.constantFrom("", " ", "{", "}", "[", "{\"a\":", "nul", "NaN", "{'a':1}", "{\"a\":1,}", "\ufeff{}", "{}{}", "[1,]", "1e999999", "\"\\ud800\"", "{\"__proto__\":{\"polluted\":1}}", "name=x&secrets=y", "<xml/>"),
        fc.string({ unit: "binary", maxLength: 200 }),
        shaped.map((v) => (jsonText(v) ?? "").slice(0, -1)),
        shaped.map((v) => `${jsonText(v) ?? ""} trailing`),
      ).map((bytes) => ({ bytes })),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ bytes })) },
    // Invalid UTF-8 around otherwise valid JSON.
    { weight: 1, arbitrary: shaped.map((v) => ({ bytes: wrapInInvalidUtf8(encoder.encode(jsonText(v) ?? "null")) })) },
  );
}

/** Over the 1 MiB cap: rare, because each one is a megabyte through the Worker. */
export const hugeBody: fc.Arbitrary<WireBody> = fc.constantFrom(1024 * 1024 + 1, 2 * 1024 * 1024).map((n) => ({ bytes: `{"name":"${"x".repeat(n)}"}` }));

/** A query string (with its "?"), mixing the route's own keys with junk, duplicates and bad escapes. */
export function queryString(keys: string[], valueFor: (key: string) => fc.Arbitrary<string>): fc.Arbitrary<string> {
  const known = keys.length > 0 ? fc.constantFrom(...keys).chain((k) => fc.tuple(fc.constant(k), fc.oneof(valueFor(k), junkText))) : null;
  const junkPair = fc.tuple(junkText, junkText);
  const pair = known ? fc.oneof({ weight: 3, arbitrary: known }, { weight: 1, arbitrary: junkPair }) : junkPair;
  const encoded = fc.array(pair, { maxLength: 4 }).map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&"));
  const raw = fc.constantFrom("%", "a=%zz", "=&=&", "&&&", "limit", "limit=", "limit=1&limit=x", "cursor=%E0%A4%A", "state[]=open", "__proto__=1", "a=1#frag", "?", "x=" + "y".repeat(3000));
  return fc.oneof({ weight: 2, arbitrary: fc.constant("") }, { weight: 6, arbitrary: encoded.map((q) => (q ? `?${q}` : "")) }, { weight: 1, arbitrary: raw.map((q) => `?${q}`) });
}

/** Extra request headers: conditional requests, forwarding headers, provider signature names with junk. */
export const extraHeaders: fc.Arbitrary<[string, string][]> = fc.array(
  fc.tuple(
    fc.oneof(
      fc.constantFrom("if-match", "if-none-match", "cf-ray", "x-forwarded-for", "x-request-id", "accept", "accept-encoding", "origin", "cookie", "x-http-method-override", "x-promptly-token", "webhook-id", "webhook-signature", "webhook-timestamp", "x-zendesk-webhook-signature", "x-hub-signature"),
      fc.stringMatching(/^[a-z][a-z0-9-]{0,24}$/),
    ),
    fc.oneof(headerValue, fc.constantFrom('"v0"', '"v1"', '"v2"', "W/\"v1\"", "v1", "1", "*", '"v999999999"', '"v-1"', '"v1", "v2"')),
  ),
  { maxLength: 3 },
);
