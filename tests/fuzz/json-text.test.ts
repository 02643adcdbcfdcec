import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { iterativeJsonText, jsonText } from "./support/json-text";

describe("the fuzzers' JSON writer", () => {
  it("writes exactly what JSON.stringify writes, for any JSON value", () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => iterativeJsonText(v) === JSON.stringify(v)), { numRuns: 500 });
    const withProto = JSON.parse('{"__proto__":{"polluted":1},"a":[1,null,"x"]}') as unknown;
    expect(iterativeJsonText(withProto)).toBe(JSON.stringify(withProto));
  });

  it("writes a value nested far deeper than JSON.stringify's stack allows, exactly", () => {
    // An index-like key ("0", as a mutation can add) sends JSON.stringify down its recursive path.
    let deep: unknown = "leaf";
    for (let i = 0; i < 200_000; i++) {
      if (i % 2) {
        const o = {};
        Object.defineProperty(o, "0", { value: deep, enumerable: true, writable: true, configurable: true });
        deep = o;
      } else deep = [deep];
    }
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(jsonText(deep)).toBe('{"0":['.repeat(100_000) + '"leaf"' + "]}".repeat(100_000));
  });
});
