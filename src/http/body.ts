/**
 * Request bodies are read once, with a hard cap, before anything else looks at them. Webhook
 * signatures need the exact bytes; admin endpoints need JSON validated by a zod schema.
 */
import type { z } from "zod";
import { ApiError, validationError } from "./errors";

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
export async function readJson<S extends z.ZodType>(request: Request, schema: S, options: { optional?: boolean } = {}): Promise<z.infer<S>> {
  let value: unknown;
  if (options.optional) {
    const bytes = await readBodyBytes(request);
    if (bytes.byteLength > 0) requireJsonContentType(request);
    value = bytes.byteLength > 0 ? parseJsonBytes(bytes) : {};
  } else {
    requireJsonContentType(request);
    value = parseJsonBytes(await readBodyBytes(request));
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}
