/**
 * The shared signature check every HMAC provider uses: any live secret may match (rotation), the
 * hash is part of what matches, and imported keys being kept between deliveries never lets a
 * signature pass under a secret or hash it was not made with.
 */
import { describe, expect, it } from "vitest";
import { hmac, utf8 } from "../../src/lib/crypto";
import { hmacMatchesAnySecret } from "../../src/webhooks/common";

const body = utf8('{"id":"evt_1","status":"open"}');

describe("hmacMatchesAnySecret", () => {
  it("accepts a signature made with any of the live secrets, and only those", async () => {
    const signedWithNew = await hmac("SHA-256", "new-secret", body);
    expect(await hmacMatchesAnySecret("SHA-256", ["old-secret", "new-secret"], body, signedWithNew)).toBe(true);
    // The old secret alone (the key for it now imported and kept) does not accept it.
    expect(await hmacMatchesAnySecret("SHA-256", ["old-secret"], body, signedWithNew)).toBe(false);
    expect(await hmacMatchesAnySecret("SHA-256", [], body, signedWithNew)).toBe(false);
  });

  it("keeps the hash apart: the same secret under SHA-1 does not accept a SHA-256 signature, nor the reverse", async () => {
    const sha256Signature = await hmac("SHA-256", "shared", body);
    const sha1Signature = await hmac("SHA-1", "shared", body);
    expect(await hmacMatchesAnySecret("SHA-256", ["shared"], body, sha256Signature)).toBe(true);
    expect(await hmacMatchesAnySecret("SHA-1", ["shared"], body, sha1Signature)).toBe(true);
    expect(await hmacMatchesAnySecret("SHA-1", ["shared"], body, sha256Signature)).toBe(false);
    expect(await hmacMatchesAnySecret("SHA-256", ["shared"], body, sha1Signature)).toBe(false);
  });

  it("rejects a truncated, extended or altered signature and a changed body", async () => {
    const good = await hmac("SHA-256", "s3cret", body);
    expect(await hmacMatchesAnySecret("SHA-256", ["s3cret"], body, good.slice(0, 31))).toBe(false);
    expect(await hmacMatchesAnySecret("SHA-256", ["s3cret"], body, new Uint8Array([...good, 0]))).toBe(false);
    const altered = good.slice();
    altered[7] = altered[7]! ^ 1;
    expect(await hmacMatchesAnySecret("SHA-256", ["s3cret"], body, altered)).toBe(false);
    expect(await hmacMatchesAnySecret("SHA-256", ["s3cret"], utf8('{"id":"evt_1","status":"solved"}'), good)).toBe(false);
    expect(await hmacMatchesAnySecret("SHA-256", ["s3cret"], body, null)).toBe(false);
  });

  it("still checks correctly after more secrets than it keeps keys for have passed through", async () => {
    const first = await hmac("SHA-256", "secret-0", body);
    for (let i = 1; i <= 600; i++) await hmacMatchesAnySecret("SHA-256", [`secret-${i}`], body, first);
    expect(await hmacMatchesAnySecret("SHA-256", ["secret-0"], body, first)).toBe(true);
    expect(await hmacMatchesAnySecret("SHA-256", ["secret-600"], body, first)).toBe(false);
  });

  it("treats a secret given as bytes like the same secret given as text", async () => {
    const signature = await hmac("SHA-256", "bytes-or-text", body);
    expect(await hmacMatchesAnySecret("SHA-256", [utf8("bytes-or-text")], body, signature)).toBe(true);
    expect(await hmacMatchesAnySecret("SHA-256", [utf8("bytes-or-texT")], body, signature)).toBe(false);
  });
});
