/**
 * JSON.stringify, for the fuzzers' hostile values: mutations nest bodies thousands deep and can
 * stack, and JSON.stringify recurses, so a deep enough value overflowed workerd's stack in the
 * test itself (a RangeError from the generator, not a finding about the Worker). The same text,
 * written with an explicit stack when the built-in gives up.
 */
type Frame = { kind: "array"; items: readonly unknown[]; i: number } | { kind: "object"; entries: [string, unknown][]; i: number };

export function jsonText(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
  }
  return iterativeJsonText(value);
}

/** What JSON.stringify writes for a JSON value (no toJSON, no replacer), without recursion. */
export function iterativeJsonText(value: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  const write = (v: unknown): void => {
    if (typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v))) out.push(JSON.stringify(v));
    else if (Array.isArray(v)) {
      out.push("[");
      stack.push({ kind: "array", items: v, i: 0 });
    } else if (v !== null && typeof v === "object") {
      out.push("{");
      stack.push({ kind: "object", entries: Object.entries(v).filter(([, x]) => x !== undefined && typeof x !== "function" && typeof x !== "symbol"), i: 0 });
    } else out.push("null");
  };
  write(value);
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.kind === "array") {
      if (f.i >= f.items.length) {
        out.push("]");
        stack.pop();
        continue;
      }
      if (f.i > 0) out.push(",");
      write(f.items[f.i++]);
    } else {
      if (f.i >= f.entries.length) {
        out.push("}");
        stack.pop();
        continue;
      }
      if (f.i > 0) out.push(",");
      const [k, v] = f.entries[f.i++]!;
      out.push(JSON.stringify(k), ":");
      write(v);
    }
  }
  return out.join("");
}
