/**
 * The server modules the console takes its API types from (src/) also hold their SQL helpers,
 * whose signatures name a few Worker runtime types. They come from workers-types' importable
 * module here, not its globals, which clash with the DOM's.
 */
declare global {
  type SqlStorage = import("@cloudflare/workers-types/index.ts").SqlStorage;
  type SqlStorageValue = import("@cloudflare/workers-types/index.ts").SqlStorageValue;
  type DurableObjectStorage = import("@cloudflare/workers-types/index.ts").DurableObjectStorage;
}
export {};
