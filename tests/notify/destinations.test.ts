/**
 * Which destinations a channel, a helpdesk baseUrl or a ShipEngine key set may name: every
 * spelling of a private host the URL parser accepts, with and without the loopback allowance.
 */
import { describe, expect, it } from "vitest";
import { checkDestination, channelDestinationIssues, destinationPolicy } from "../../src/notify/destinations";

const prod = { allowLoopback: false };
const dev = { allowLoopback: true };

describe("checkDestination", () => {
  const loopback = [
    "http://127.0.0.1:8080/hook",
    "https://127.0.0.1/hook",
    "http://[::1]/hook",
    "http://0x7f000001/hook",
    "http://2130706433/hook",
    "http://0177.0.0.1/hook",
    "http://127.1/hook",
    "http://127.255.255.254/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[0:0:0:0:0:ffff:7f00:1]/hook",
    "http://localhost:8787/hook",
    "http://LOCALHOST./hook",
    "http://api.localhost/hook",
  ];
  it.each(loopback)("refuses loopback %s in production, allows it when the deployment does", (url) => {
    const verdict = checkDestination(url, prod);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? "" : verdict.reason).toMatch(/loopback/);
    expect(checkDestination(url, dev)).toEqual({ ok: true });
  });

  const alwaysRefused: [string, RegExp][] = [
    ["http://10.0.0.5/hook", /10\.0\.0\.0\/8/],
    ["https://10.255.255.255/", /private network/],
    ["https://172.16.0.1/", /172\.16\.0\.0\/12/],
    ["https://172.31.255.254/", /172\.16\.0\.0\/12/],
    ["https://192.168.1.1/", /192\.168\.0\.0\/16/],
    ["http://169.254.169.254/latest/meta-data/", /link-local or cloud metadata/],
    ["http://0xa9fea9fe/", /link-local/],
    ["http://2852039166/", /link-local/],
    ["https://[fd00::1]/", /fc00::\/7/],
    ["https://[fd00:ec2::254]/", /fc00::\/7/],
    ["https://[fe80::1]/", /link-local/],
    ["https://[::ffff:10.0.0.1]/", /10\.0\.0\.0\/8/],
    ["https://[::ffff:169.254.169.254]/", /link-local/],
    ["https://[64:ff9b::a9fe:a9fe]/", /link-local/],
    ["https://0.0.0.0/", /unspecified/],
    ["https://[::]/", /unspecified/],
    ["https://100.64.0.1/", /carrier-grade NAT/],
    ["http://metadata.google.internal/computeMetadata/v1/", /metadata/],
    ["https://metadata/", /metadata/],
    ["https://db.internal/", /\*\.internal/],
    ["https://printer.local/", /\*\.local/],
    ["https://intranet/", /single-label/],
    ["https://127.0.0.1.nip.io/", /wildcard-DNS/],
    ["https://user:pass@hooks.example.com/", /user name or password/],
    ["https://user@hooks.example.com/", /user name or password/],
    ["http://user:pass@127.0.0.1/", /user name or password/],
    ["javascript:alert(1)", /http\(s\)/],
    ["data:text/html,hi", /http\(s\)/],
    ["file:///etc/passwd", /http\(s\)/],
    ["ftp://files.example.com/", /http\(s\)/],
  ];
  it.each(alwaysRefused)("refuses %s even when loopback is allowed", (url, why) => {
    for (const policy of [prod, dev]) {
      const verdict = checkDestination(url, policy);
      expect(verdict.ok).toBe(false);
      expect(verdict.ok ? "" : verdict.reason).toMatch(why);
    }
  });

  it("refuses plain http to a public host, in production and in development", () => {
    expect(checkDestination("http://hooks.example.com/x", prod)).toEqual({ ok: false, reason: "must use https" });
    expect(checkDestination("http://hooks.example.com/x", dev)).toEqual({ ok: false, reason: "must use https" });
  });

  it.each(["https://hooks.slack.com/services/T/B/x", "https://yourshop.zendesk.com", "https://8.8.8.8/", "https://172.32.0.1/", "https://[2606:4700::1111]/"])("accepts public https %s", (url) => {
    expect(checkDestination(url, prod)).toEqual({ ok: true });
  });

  it("never echoes the URL in its reason (a Slack URL is a credential)", () => {
    const verdict = checkDestination("https://user:s3cret@10.1.2.3/services/T0/B0/secretpath", prod);
    expect(JSON.stringify(verdict)).not.toMatch(/s3cret|secretpath|10\.1\.2\.3/);
  });

  it("reads the deployment setting strictly", () => {
    expect(destinationPolicy("true")).toEqual({ allowLoopback: true });
    expect(destinationPolicy("false")).toEqual({ allowLoopback: false });
    expect(destinationPolicy(undefined)).toEqual({ allowLoopback: false });
    expect(destinationPolicy("1")).toEqual({ allowLoopback: false });
  });
});

describe("channelDestinationIssues", () => {
  it("names the channel field of every refused destination", () => {
    const doc = {
      channels: {
        ok: { type: "webhook", url: "https://hooks.example.com/x", secret: "s" },
        meta: { type: "webhook", url: "http://169.254.169.254/", secret: "s" },
        slack: { type: "slack", webhookUrl: "https://192.168.0.10/services/x" },
        zd: { type: "zendesk_note", baseUrl: "http://[::1]:9000", email: "a@b.c", apiToken: "t" },
        kept: { type: "slack", webhookUrl: "********" },
      },
    };
    expect(channelDestinationIssues(doc, prod).map((i) => i.path.join("."))).toEqual(["channels.meta.url", "channels.slack.webhookUrl", "channels.zd.baseUrl"]);
    expect(channelDestinationIssues(doc, dev).map((i) => i.path.join("."))).toEqual(["channels.meta.url", "channels.slack.webhookUrl"]);
  });
});
