/**
 * What `npm start` (scripts/start.mjs) tells a newcomer: the operator token as wrangler reads it
 * from .dev.vars, and whether the service answered at all. The health wait runs against the real
 * loopback receiver (tests/notify/support), scripted to answer like a service that is not up yet.
 */
import { describe, expect, it } from "vitest";
import { dotenvValue, notAnsweringMessage, readyBanner, waitForHealth } from "../../scripts/dev-start.mjs";
import { Sink } from "../notify/support/receiver";

describe("npm start: the operator token from .dev.vars", () => {
  it("reads the value wrangler will use, without the quotes around it", () => {
    expect(dotenvValue("OPERATOR_TOKEN='op_single'\n", "OPERATOR_TOKEN")).toBe("op_single");
    expect(dotenvValue('OPERATOR_TOKEN="op_double"\n', "OPERATOR_TOKEN")).toBe("op_double");
    expect(dotenvValue("OPERATOR_TOKEN=op_plain\n", "OPERATOR_TOKEN")).toBe("op_plain");
    expect(dotenvValue("  export OPERATOR_TOKEN = op_spaced   # mine\r\n", "OPERATOR_TOKEN")).toBe("op_spaced");
    expect(dotenvValue("OPERATOR_TOKEN='has # inside' # comment", "OPERATOR_TOKEN")).toBe("has # inside");
  });

  it("takes the last assignment, ignores comments and other keys, and says when there is none", () => {
    expect(dotenvValue("OPERATOR_TOKEN=old\nOTHER=1\nOPERATOR_TOKEN=new\n", "OPERATOR_TOKEN")).toBe("new");
    expect(dotenvValue("# OPERATOR_TOKEN=commented\nOPERATOR_TOKEN_2=x\n", "OPERATOR_TOKEN")).toBeUndefined();
    expect(dotenvValue("OPERATOR_TOKEN=\n", "OPERATOR_TOKEN")).toBe("");
  });

  it("prints the bare token in the banner's curl", () => {
    const token = dotenvValue("OPERATOR_TOKEN='op_abc123'", "OPERATOR_TOKEN")!;
    const banner = readyBanner({ url: "http://127.0.0.1:8787", token });
    expect(banner).toContain('-H "Authorization: Bearer op_abc123"');
    expect(banner).not.toContain("'op_abc123'");
  });

  it("opens with the console's URL, before the token and the curl", () => {
    const lines = readyBanner({ url: "http://127.0.0.1:8787", token: "op_abc123" }).split("\n").filter((l) => l.trim() && !l.startsWith("─"));
    expect(lines[0]).toBe(" Open the Promptly console:  http://127.0.0.1:8787/");
  });
});

describe("npm start: waiting for the service", () => {
  it("reports no answer when /healthz never answers 2xx, after every attempt", async () => {
    const sink = await Sink.create();
    await sink.setFallback({ status: 503, body: "starting" });
    expect(await waitForHealth(sink.url, { attempts: 3, intervalMs: 1 })).toBe(false);
    const asked = await sink.requests();
    expect(asked.map((r) => `${r.method} ${r.path}`)).toEqual(Array(3).fill("GET /healthz"));
  });

  it("reports the service up as soon as /healthz answers 2xx", async () => {
    const sink = await Sink.create();
    await sink.respondWith({ status: 503 }, { status: 503 });
    await sink.setFallback({ status: 200, body: '{"ok":true}' });
    expect(await waitForHealth(sink.url, { attempts: 10, intervalMs: 1 })).toBe(true);
    expect(await sink.requests()).toHaveLength(3);
  });

  it("says it did not answer, without claiming it is running", () => {
    const message = notAnsweringMessage({ url: "http://127.0.0.1:8787", waitedSeconds: 60 });
    expect(message).toContain("did NOT answer at http://127.0.0.1:8787/healthz within 60 s");
    expect(message).toContain("wrangler dev is still running");
    expect(message).not.toMatch(/is running at|Create your first store/);
  });
});
