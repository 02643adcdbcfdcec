/**
 * Request bodies are read once, with a hard cap, before anything else looks at them. Webhook
 * signatures need the exact bytes; admin endpoints need JSON validated by a zod schema.
 */
import type { z } from "zod";
import { ApiError, formatPath, validationError, type ErrorIssue } from "./errors";

export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Reads the body as bytes, refusing more than `maxBytes` without buffering the excess: a
 * Content-Length over the cap is rejected up front, and a chunked body is cut off as it streams.
 */
export async function readBodyBytes(request: Request, maxBytes = MAX_BODY_BYTES): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return new Uint8Array(0);
  // With a Content-Length within the cap, HTTP framing bounds the body: read it in one go (the
  // chunk loop below cost a few percent of a webhook's CPU). Chunked bodies are counted as they come.
  if (declared !== null && /^\d+$/.test(declared)) {
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
    return bytes;
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, "body_too_large", `request body is larger than ${maxBytes} bytes`);
}

export function isJsonContentType(value: string | null): boolean {
  if (!value) return false;
  const mediaType = value.split(";")[0]!.trim().toLowerCase();
  return mediaType === "application/json" || mediaType.endsWith("+json");
}

/** Parses bytes as JSON, answering 400 `invalid_json` with the parser's reason. */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ApiError(400, "invalid_json", `body is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Own `__proto__` keys anywhere in a parsed body. JSON.parse makes `"__proto__"` an ordinary own
 * key, but almost nothing downstream treats it as one: zod drops it, an object spread or an
 * assignment sets the prototype instead, structured clone (every RPC to a Durable Object) throws.
 * No admin field or name is legitimately called that, so an admin body holding one is refused
 * here, once for every route, with the path of each.
 */
export function prototypeKeyIssues(value: unknown, maxDepth = 64): ErrorIssue[] {
  const issues: ErrorIssue[] = [];
  const stack: [unknown, (string | number)[]][] = [[value, []]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v !== "object" || v === null || path.length > maxDepth) continue;
    if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push([item, [...path, i]]));
      continue;
    }
    if (Object.hasOwn(v, "__proto__")) issues.push({ path: formatPath([...path, "__proto__"]), message: `"__proto__" is not allowed as a field or name` });
    for (const [k, child] of Object.entries(v)) if (k !== "__proto__") stack.push([child, [...path, k]]);
  }
  return issues.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * A route's own, smaller cap (a rules document) is a limit of the document, not of the transport:
 * it answers 400 with the limit at the root, like every other cap of that document, and is
 * checked before a byte is parsed.
 */
async function readCapped(request: Request, maxBytes: number | undefined): Promise<Uint8Array> {
  if (maxBytes === undefined) return readBodyBytes(request);
  try {
    return await readBodyBytes(request, maxBytes);
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== "body_too_large") throw err;
    const limit = `${maxBytes} bytes${maxBytes % 1024 === 0 ? ` (${maxBytes / 1024} KB)` : ""}`;
    throw new ApiError(400, "too_large", `the body is larger than ${limit}, the limit here; nothing was changed`, [{ path: "(root)", message: `at most ${limit}` }]);
  }
}

function requireJsonContentType(request: Request): void {
  if (!isJsonContentType(request.headers.get("content-type"))) {
    throw new ApiError(415, "unsupported_media_type", "send the body as application/json");
  }
}

/**
 * Reads, caps, type-checks and validates a JSON request body against a zod schema. With
 * `optional`, a request without body bytes is validated as `{}`, whatever its Content-Type.
 * Only the bytes tell whether a body came (a Request built in-process with an empty string has
 * no Content-Length), so an optional body is read before its type is checked: an oversized one
 * is 413 there, where a required one is 415 first.
 */
export async function readJson<S extends z.ZodType>(request: Request, schema: S, options: { optional?: boolean; maxBytes?: number } = {}): Promise<z.infer<S>> {
  let value: unknown;
  if (options.optional) {
    const bytes = await readCapped(request, options.maxBytes);
    if (bytes.byteLength > 0) requireJsonContentType(request);
    value = bytes.byteLength > 0 ? parseJsonBytes(bytes) : {};
  } else {
    requireJsonContentType(request);
    value = parseJsonBytes(await readCapped(request, options.maxBytes));
  }
  const proto = prototypeKeyIssues(value);
  if (proto.length > 0) throw new ApiError(400, "validation_failed", `request body is not valid: ${proto.length} problem(s)`, proto);
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}
