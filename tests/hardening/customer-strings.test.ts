/**
 * Issue 22, item 4: customer-written strings are capped at intake and marked where cut, and the
 * case list stays small: 80 tickets with 300 KB subjects once made one page 24 MB.
 */
import { describe, expect, it } from "vitest";
import { call } from "../support/api";
import { connect } from "../webhooks/intake-harness";
import { capEventText, cutText, TEXT_CAPS } from "../../src/events/caps";
import { LIST_PAGE_MAX_BYTES } from "../../src/stores/case-index";
import type { NormalizedEvent } from "../../src/events/model";

describe("customer strings at intake", () => {
  it("80 signed tickets with 300 KB subjects: each accepted, stored cut with '…', and one case-list page stays small", async () => {
    const hook = await connect("custom");
    const huge = "Where is my order? ".repeat(16_000); // ~300 KB
    expect(huge.length).toBeGreaterThan(300_000);
    for (let i = 0; i < 80; i++) {
      const raw = JSON.stringify({
        providerEventId: `big-${i}`,
        occurredAt: new Date(Date.now() - 60_000 + i).toISOString(),
        caseKey: { type: "ticket", ticketId: `BIG-${i}` },
        kind: "case.opened",
        channel: "email",
        customer: { email: `c${i}@example.com`, name: "N".repeat(50_000) },
        subject: huge,
        tags: Array.from({ length: 500 }, (_, t) => `tag-${t}`),
      });
      const res = await hook.send(raw, { deliveryId: `msg_big_${i}` });
      expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(202);
    }
    const list = await call("GET", `/v1/stores/${hook.storeId}/cases?limit=200`, { token: hook.adminToken });
    expect(list.status).toBe(200);
    const size = JSON.stringify(list.body).length;
    expect(size).toBeLessThan(LIST_PAGE_MAX_BYTES + 10_000);
    expect(size).toBeLessThan(200_000); // 80 cases, each a few hundred bytes plus a 500-character subject
    expect(list.body.cases).toHaveLength(80);
    for (const c of list.body.cases as { subject: string; customerName: string }[]) {
      expect(c.subject.length).toBe(TEXT_CAPS.subject);
      expect(c.subject.endsWith("…")).toBe(true);
      expect(c.customerName.length).toBe(TEXT_CAPS.customerName);
    }
    // The case view carries the cut subject too.
    const view = await hook.readCase("ticket:custom:BIG-0");
    expect(view.status).toBe(200);
    expect(JSON.stringify(view.body).length).toBeLessThan(50_000);
    expect(view.body.subject.endsWith("…")).toBe(true);
    expect(view.body.truncated).toEqual(["customer.name", "subject", "tags"]);
  }, 120_000);
});

describe("capEventText", () => {
  const base: NormalizedEvent = {
    storeId: "st_1",
    provider: "custom",
    providerEventId: "e1",
    occurredAt: "2026-03-02T09:30:00Z",
    caseKey: { type: "ticket", provider: "custom", ticketId: "T-1" },
    kind: "case.opened",
  };

  it("names every field it cut in `truncated`, and leaves short text and the event alone", () => {
    expect(capEventText({ ...base, subject: "short" })).toEqual({ ...base, subject: "short" });
    const cut = capEventText({ ...base, subject: "s".repeat(600), callback: { note: "n".repeat(2000) }, rating: { score: "bad", comment: "c".repeat(5000) }, tags: ["t".repeat(150), "ok"] });
    expect(cut.truncated).toEqual(["subject", "tags", "rating.comment", "callback.note"]);
    expect(cut.subject).toHaveLength(TEXT_CAPS.subject);
    expect(cut.tags).toEqual([`${"t".repeat(TEXT_CAPS.tag - 1)}…`, "ok"]);
    expect(cut.rating?.score).toBe("bad");
  });

  it("never splits a surrogate pair", () => {
    const s = "a".repeat(8) + "😀".repeat(10);
    const out = cutText(s, 10);
    expect(out.length).toBeLessThanOrEqual(10);
    expect(out).toBe("a".repeat(8) + "…");
  });
});
