/**
 * The pure decisions behind delivery, without bindings: when a reminder waits for quiet hours,
 * how long a retry waits, how a receiver's answer is classified, and how lateness reads.
 */
import { describe, expect, it } from "vitest";
import { classifyHttp, parseRetryAfter } from "../../src/notify/channels/channel";
import { signingKey } from "../../src/notify/channels/webhook";
import { backoffSeconds, retryDelaySeconds } from "../../src/notify/consumer";
import { planDispatch, quietUntil } from "../../src/notify/plan";
import { digestText, lateness } from "../../src/notify/render";
import { RulesDocument } from "../../src/rules/schema";
import { reminder } from "./support/store";

const doc = RulesDocument.parse({
  calendars: { office: { timeZone: "Europe/Istanbul", week: { mon: [["09:00", "18:00"]], tue: [["09:00", "18:00"]], wed: [["09:00", "18:00"]], thu: [["09:00", "18:00"]], fri: [["09:00", "18:00"]] } } },
  quietHours: { calendar: "office" },
  channels: { ops: { type: "slack", webhookUrl: "https://hooks.slack.com/services/T/B/x" } },
});

// Tuesday 2026-03-03 02:30 in Istanbul (UTC+3) is 2026-03-02 23:30 UTC; it opens at 09:00 local = 06:00 UTC.
const NIGHT = Date.parse("2026-03-02T23:30:00Z");
const OPENING = Date.parse("2026-03-03T06:00:00Z");

describe("quiet hours decision", () => {
  it("holds a normal reminder fired at night until the next opening", () => {
    const r = reminder("st_x", { urgency: "normal", firedAt: new Date(NIGHT).toISOString(), channels: ["ops"] });
    expect(quietUntil(r, doc, NIGHT)).toBe(OPENING);
  });

  it("never holds an urgent reminder, one fired in open hours, or one whose night is already over", () => {
    expect(quietUntil(reminder("st_x", { urgency: "urgent", firedAt: new Date(NIGHT).toISOString() }), doc, NIGHT)).toBeNull();
    const noon = Date.parse("2026-03-03T09:00:00Z");
    expect(quietUntil(reminder("st_x", { urgency: "normal", firedAt: new Date(noon).toISOString() }), doc, noon)).toBeNull();
    // Re-dispatched after the opening (a crash overnight): sent now rather than held for a night that has passed.
    expect(quietUntil(reminder("st_x", { urgency: "normal", firedAt: new Date(NIGHT).toISOString() }), doc, OPENING + 60_000)).toBeNull();
  });

  it("treats a 24/7 quiet-hours calendar as no quiet hours", () => {
    const always = RulesDocument.parse({ quietHours: { calendar: "24/7" } });
    expect(quietUntil(reminder("st_x", { urgency: "normal", firedAt: new Date(NIGHT).toISOString() }), always, NIGHT)).toBeNull();
  });

  it("plans one delivery per distinct channel, with unknown names marked for the log", () => {
    const plan = planDispatch(reminder("st_x", { channels: ["ops", "ops", "gone"] }), { version: 7, document: doc }, NIGHT);
    expect(plan.channels).toEqual([
      { name: "ops", type: "slack", skip: null },
      { name: "gone", type: null, skip: null },
    ]);
    expect(plan.rulesVersion).toBe(7);
  });
});

describe("which channels a reminder applies to", () => {
  const notes = RulesDocument.parse({
    channels: {
      ops: { type: "slack", webhookUrl: "https://hooks.slack.com/services/T/B/x" },
      zd: { type: "zendesk_note", baseUrl: "https://shop.zendesk.com", email: "a@b.c", apiToken: "t" },
      hs: { type: "helpscout_note", appId: "app", appSecret: "s" },
    },
  });
  const rules = { version: 2, document: notes };
  const plan = (overrides: Parameters<typeof reminder>[1]) => planDispatch(reminder("st_x", { channels: ["ops", "zd", "hs"], ...overrides }), rules, NIGHT).channels;

  it("skips a note channel for a shipment with no open ticket, with the reason, and keeps Slack", () => {
    const shipment = plan({ caseId: "shipment:ups:1Z999", ticket: undefined, source: { provider: "aftership", trackingNumber: "1Z999" } });
    expect(shipment).toEqual([
      { name: "ops", type: "slack", skip: null },
      { name: "zd", type: "zendesk_note", skip: "Zendesk note channel: this case is not a Zendesk ticket (it is a shipment, and no open ticket of the same order or customer was found to note it on)" },
      { name: "hs", type: "helpscout_note", skip: "Help Scout note channel: this case is not a Help Scout ticket (it is a shipment, and no open ticket of the same order or customer was found to note it on)" },
    ]);
  });

  it("notes only on a ticket of the channel's own helpdesk: the case's own, or a shipment's linked one", () => {
    const custom = plan({ caseId: "ticket:custom:D-1", ticket: { caseId: "ticket:custom:D-1", provider: "custom", ticketId: "D-1" } });
    expect(custom.map((c) => c.skip)).toEqual([
      null,
      "Zendesk note channel: this case is not a Zendesk ticket (it is custom ticket #D-1)",
      "Help Scout note channel: this case is not a Help Scout ticket (it is custom ticket #D-1)",
    ]);
    const linked = plan({ caseId: "shipment:ups:1Z999", ticket: { caseId: "ticket:helpscout:77", provider: "helpscout", ticketId: "77" } });
    expect(linked.map((c) => c.skip)).toEqual([null, "Zendesk note channel: this case is not a Zendesk ticket (its linked ticket is helpscout ticket #77)", null]);
  });
});

describe("retry timing", () => {
  it("honours Retry-After in seconds or as an HTTP date, capped at the queue's 12 hours", () => {
    const now = Date.parse("2026-03-02T14:00:00Z");
    expect(parseRetryAfter("7", now)).toBe(7);
    expect(parseRetryAfter("Mon, 02 Mar 2026 14:02:00 GMT", now)).toBe(120);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(retryDelaySeconds(1, 10, 7)).toBe(7);
    expect(retryDelaySeconds(1, 10, 0)).toBe(1);
    expect(retryDelaySeconds(1, 10, 999_999)).toBe(43_200);
  });

  it("backs off exponentially from the base, with jitter, up to an hour", () => {
    expect(backoffSeconds(1, 10, () => 0.5)).toBe(10);
    expect(backoffSeconds(4, 10, () => 0.5)).toBe(80);
    expect(backoffSeconds(30, 10, () => 0.5)).toBe(3600);
    expect(backoffSeconds(3, 10, () => 0)).toBe(32);
    expect(backoffSeconds(3, 10, () => 1)).toBe(48);
  });
});

describe("classifying answers", () => {
  const answer = (status: number, headers: Record<string, string> = {}, body = "") => ({ status, headers: new Headers(headers), body });

  it("delivers on 2xx, retries 408/429/5xx, and treats redirects and other 4xx as permanent", () => {
    expect(classifyHttp(answer(204))).toEqual({ outcome: "delivered" });
    expect(classifyHttp(answer(429, { "retry-after": "30" }, "rate_limited"))).toEqual({ outcome: "retry", error: "HTTP 429: rate_limited", retryAfterSeconds: 30 });
    expect(classifyHttp(answer(502)).outcome).toBe("retry");
    expect(classifyHttp(answer(408)).outcome).toBe("retry");
    expect(classifyHttp(answer(403, {}, "action_prohibited"))).toEqual({ outcome: "permanent", error: "HTTP 403: action_prohibited" });
    const moved = classifyHttp(answer(301, { location: "https://elsewhere.example/hook" }));
    expect(moved.outcome).toBe("permanent");
    expect(moved.outcome !== "delivered" && moved.error).toContain("https://elsewhere.example/hook");
  });
});

describe("wording and keys", () => {
  it("says how late a reminder is in words", () => {
    expect(lateness(-15 * 60_000)).toBe("due in 15 min");
    expect(lateness(5_000)).toBe("due now");
    expect(lateness(4 * 60_000)).toBe("4 min late");
    expect(lateness(125 * 60_000)).toBe("2 h 5 min late");
    expect(lateness(3 * 86_400_000)).toBe("3 d late");
  });

  it("says in a digest how late each reminder is when the digest is read, not when it fired", () => {
    const r = reminder("st_x", { title: "Update owed", dueAt: "2026-03-03T01:00:00.000Z", firedAt: "2026-03-03T01:00:00.000Z", lateByMs: 0 });
    expect(digestText([r], "2026-03-03T08:00:00.000Z", "k")).toContain("1. Update owed: due 2026-03-03 01:00 UTC (7 h late)");
  });

  it("decodes whsec_ secrets as base64 and uses other secrets as raw bytes", () => {
    expect(Array.from(signingKey("whsec_AQID"))).toEqual([1, 2, 3]);
    expect(new TextDecoder().decode(signingKey("not-base64!"))).toBe("not-base64!");
  });
});
