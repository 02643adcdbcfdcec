/** JSON values: what can cross an RPC boundary or be stored as JSON text without loss. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * Provider and channel options: flat values only. Flat keeps them readable in the admin API and
 * lets them cross Durable Object RPC with precise types (recursive JSON types are too deep for it).
 */
export type OptionValue = string | number | boolean | null | string[];
export type Options = Record<string, OptionValue>;
