/**
 * The Reports page in Chromium against the real `wrangler dev`. Past-dated, signed `custom`
 * webhooks build the month tests/e2e/reports.test.ts computes by hand (Berlin office hours,
 * Mon–Fri 09:00–17:00, holiday Thursday 2026-11-05; first reply 2 h, next reply 1 h):
 * - R-A: opened Wed 11-04 16:00, replied Fri 10:00: first reply met in exactly 2 h.
 * - R-B: opened Mon 11-02 09:00, replied 12:00: first reply missed (3 h); next reply met in 30 min.
 * - R-C: first reply met in 45 min (11-09); a next reply owed since Tue 11-10 11:00, never given:
 *   missed, still open.
 * - R-D: reply-and-solve on Fri 11-13 after 60 min: one met first-reply cycle.
 * A lead picks November, reads the figures, drills into the one miss and opens its case.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request, waitFor } from "../e2e/support/http";
import { configureProvider, createStore, CUSTOM_SECRET, postCustom, saveRules, type E2EStore } from "../e2e/support/store";
import { DevServer } from "../e2e/support/wrangler";
import { launch, newPage, PHONE, screenshot, signIn } from "./support/browser";

const at = (local: string): string => new Date(Date.parse(`2026-${local}+01:00`)).toISOString();
const RULES = {
  calendars: {
    office: { timeZone: "Europe/Berlin", week: Object.fromEntries(["mon", "tue", "wed", "thu", "fri"].map((d) => [d, [["09:00", "17:00"]]])), holidays: ["2026-11-05"] },
  },
  policies: [
    {
      name: "Email",
      when: { channels: ["email"] },
      targets: { firstReply: { calendar: "office", byPriority: { normal: "2h" } }, nextReply: { calendar: "office", byPriority: { normal: "1h" } } },
    },
  ],
};

/** The cells of a table row, as the lead reads them (whitespace folded). */
const cells = (page: Page, selector: string) =>
  page.locator(`${selector} > *`).evaluateAll((els) => els.map((e) => (e.textContent ?? "").replace(/\s+/g, " ").trim()));

async function pickRange(page: Page, from: string, to: string, by: "Weekly" | "Daily" = "Weekly"): Promise<void> {
  await page.getByLabel("From", { exact: true }).fill(from);
  await page.getByLabel("To", { exact: true }).fill(to);
  await page.getByLabel("Over time", { exact: true }).selectOption({ label: by });
  await page.getByRole("button", { name: "Show", exact: true }).click();
}

describe("the Reports page in Chromium", () => {
  const server = new DevServer();
  let store: E2EStore;
  let browser: Browser;

  beforeAll(async () => {
    await server.start();
    browser = await launch();
    store = await createStore(server.url, "Lumen Lamps");
    await saveRules(store, RULES);
    await configureProvider(store, "custom", { secrets: [CUSTOM_SECRET] });
    const post = async (ticketId: string, kind: string, when: string, extra: Record<string, unknown> = {}) => {
      const res = await postCustom(store, { occurredAt: at(when), caseKey: { type: "ticket", ticketId }, kind, ...extra });
      expect(res.status, server.logs()).toBe(202);
    };
    const facts = (assignee: string) => ({ status: "open", priority: "normal", channel: "email", assignee });
    await post("R-A", "case.opened", "11-04T16:00", facts("ana"));
    await post("R-A", "case.agent_reply", "11-06T10:00");
    await post("R-B", "case.opened", "11-02T09:00", facts("bo"));
    await post("R-B", "case.agent_reply", "11-02T12:00");
    await post("R-B", "case.customer_message", "11-03T09:00");
    await post("R-B", "case.agent_reply", "11-03T09:30");
    await post("R-C", "case.opened", "11-09T09:00", facts("ana"));
    await post("R-C", "case.agent_reply", "11-09T09:45");
    await post("R-C", "case.customer_message", "11-10T11:00", { sequence: 3 });
    await post("R-C", "case.agent_reply", "11-10T11:00", { sequence: 2 });
    await post("R-D", "case.opened", "11-13T09:00", facts("bo"));
    await post("R-D", "case.agent_reply", "11-13T10:00", { sequence: 1 });
    await post("R-D", "case.status_changed", "11-13T10:00", { status: "solved", sequence: 2 });
    // The cases push their cycles to the registry on their own; wait until all six are there.
    await waitFor(async () => {
      const res = await request(store.url, "GET", `/v1/stores/${store.storeId}/reports/sla?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z`, { token: store.token });
      const rows = res.body.rows as { cycles: number; openMissed: number }[];
      return rows.reduce((n, r) => n + r.cycles + r.openMissed, 0) === 6 ? rows : undefined;
    }, 30_000);
  });
  afterAll(async () => {
    await browser?.close();
    await server.dispose();
  });

  it("shows November's figures per metric, over time and by policy × priority, and drills into the miss down to its case", async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, server.url, store.storeId, store.token);
    await page.getByRole("link", { name: "Reports" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Reports");
    // The default range is the last 30 days, with the zone said.
    expect(await page.locator("#r-zone").textContent()).toContain("Europe/Berlin");

    await pickRange(page, "2026-11-01T00:00", "2026-12-01T00:00");
    await expect.poll(() => new URL(page.url()).searchParams.get("from")).toBe("2026-10-31T23:00:00.000Z");
    expect(await page.getByTestId("range").textContent()).toMatch(/Sun 1 Nov, 00:00 (CET|GMT\+1) → Tue 1 Dec, 00:00 (CET|GMT\+1)/);

    // Per metric, as computed by hand: first reply 3 of 4 met (45 min, 1 h, 2 h met; 3 h missed).
    const metrics = 'section[aria-labelledby="h-metrics"] tbody tr';
    await expect.poll(() => cells(page, `${metrics}[data-row="first_reply||"]`)).toEqual(["First reply", "75% of 4", "3", "1", "0", "0", "1h 00m", "3h 00m"]);
    expect(await cells(page, `${metrics}[data-row="next_reply||"]`)).toEqual(["Next reply", "100% of 1", "1", "0", "1", "0", "30m", "30m"]);

    // Weekly from Sunday 1 November: B's miss and next reply in the first week, C's and D's first replies in the second.
    const trend = "table.trend-table tbody tr";
    await expect.poll(() => cells(page, `${trend}:nth-child(1)`)).toEqual(["1 Nov–7 Nov", "50% (1 of 2)", "100% (1 of 1)"]);
    expect(await page.locator(trend).count()).toBe(5);
    expect(await cells(page, `${trend}:nth-child(2)`)).toEqual(["8 Nov–14 Nov", "100% (2 of 2)", "nothing finished"]);
    expect(await cells(page, `${trend}:nth-child(3)`)).toEqual(["15 Nov–21 Nov", "nothing finished", "nothing finished"]);
    expect(await page.locator("svg.bars").count()).toBe(2);

    const byPolicy = 'section[aria-labelledby="h-policy"] tbody tr';
    await expect.poll(() => cells(page, `${byPolicy}[data-row="first_reply|Email|normal"]`)).toEqual(["First reply", "Email", "normal", "75% of 4", "3", "1", "0", "0", "1h 00m", "3h 00m"]);
    await screenshot(page, "reports");

    // The one miss, behind its number: R-B, 3 h used of 2 h.
    await page.locator(`${byPolicy}[data-row="first_reply|Email|normal"] td.missed button`).click();
    const drill = page.locator("#drill");
    await expect.poll(() => drill.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-case-id")))).toEqual(["ticket:custom:R-B"]);
    expect(await drill.locator("h2").textContent()).toBe("Cycles behind: First reply · Email · normal · missed");
    expect(await drill.locator("tbody tr").textContent()).toContain("3h 00m of 2h 00m");

    // Week two's first replies: C and D, both met.
    await page.locator(`${trend}:nth-child(2) td[data-metric="first_reply"] button`).click();
    await expect.poll(() => drill.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-case-id")))).toEqual(["ticket:custom:R-C", "ticket:custom:R-D"]);

    // Missed and still open is counted as of now: C's unanswered next reply.
    await page.locator(`${metrics}[data-row="next_reply||"] td.open-missed button`).click();
    await expect.poll(() => drill.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-case-id")))).toEqual(["ticket:custom:R-C"]);
    expect(await drill.locator("tbody tr").textContent()).toContain("missed, still open");
    await screenshot(page, "reports-drill");

    // The CSV link carries the same range, and its rows are the table's.
    const href = await page.getByRole("link", { name: /Download CSV/ }).getAttribute("href");
    expect(href).toContain("format=csv");
    expect(href).toContain(`from=${encodeURIComponent("2026-10-31T23:00:00.000Z")}`);
    const csv = (await page.evaluate(async (u) => (await fetch(u)).text(), href!)).trim().split("\r\n");
    expect(csv[0]).toBe("metric,policy,priority,cycles,met,missed,attainment,medianUsedMs,p90UsedMs,openMissed,inProgress");
    expect(csv).toContain("first_reply,Email,normal,4,3,1,0.75,3600000,10800000,0,0");

    // Click-through: the cycle's case page.
    await drill.getByRole("link", { name: "ticket:custom:R-C" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/cases/${encodeURIComponent("ticket:custom:R-C")}`);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toContain("R-C");
    await page.goBack();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Reports");
    await expect.poll(() => cells(page, `${metrics}[data-row="first_reply||"]`)).toEqual(["First reply", "75% of 4", "3", "1", "0", "0", "1h 00m", "3h 00m"]);

    // Daily: B's miss on Monday 2 November, its next reply on the 3rd, A's first reply on the 6th.
    await pickRange(page, "2026-11-01T00:00", "2026-12-01T00:00", "Daily");
    await expect.poll(() => page.locator(trend).count()).toBe(30);
    expect(await cells(page, `${trend}:nth-child(2)`)).toEqual(["2 Nov", "0% (0 of 1)", "nothing finished"]);
    expect(await cells(page, `${trend}:nth-child(3)`)).toEqual(["3 Nov", "nothing finished", "100% (1 of 1)"]);
    expect(await cells(page, `${trend}:nth-child(6)`)).toEqual(["6 Nov", "100% (1 of 1)", "nothing finished"]);
    // Over 92 days, daily turns weekly rather than asking for a hundred reports.
    await pickRange(page, "2026-08-01T00:00", "2026-12-01T00:00", "Daily");
    await expect.poll(() => page.locator(".note").textContent()).toContain("daily figures are shown for ranges up to 92 days");
    await expect.poll(() => page.locator(trend).count()).toBe(18);
    await context.close();
  });

  it("says what to do next when nothing finished in the range, and works at 360 px", async () => {
    const { context, page } = await newPage(browser, PHONE);
    await signIn(page, server.url, store.storeId, store.token);
    await page.goto(`${server.url}/reports`);
    await pickRange(page, "2026-10-01T00:00", "2026-10-31T00:00", "Daily");
    await expect.poll(() => page.locator(".empty").textContent()).toContain("No finished cycles in this range yet.");
    expect(await page.locator(".empty").textContent()).toContain("Widen the range");
    // The running miss still shows: it is counted as of now.
    await expect.poll(() => page.locator('section[aria-labelledby="h-metrics"] tr[data-row="next_reply||"] td.open-missed').textContent()).toContain("1");
    await screenshot(page, "reports-empty-360");

    await pickRange(page, "2026-11-01T00:00", "2026-12-01T00:00");
    await expect.poll(() => cells(page, "table.trend-table tbody tr:nth-child(1)")).toEqual(["1 Nov–7 Nov", "50% (1 of 2)", "100% (1 of 1)"]);
    expect(await page.locator("table.trend-table tbody tr").count()).toBe(5);
    await expect.poll(() => page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, "reports-360");
    await context.close();
  });

  it("refuses a From after To in the form, naming the field", async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, server.url, store.storeId, store.token);
    await page.goto(`${server.url}/reports`);
    await pickRange(page, "2026-12-01T00:00", "2026-11-01T00:00");
    await expect.poll(() => page.locator(".field-error").textContent()).toBe("Must be before To.");
    expect(await page.getByLabel("From", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    await context.close();
  });
});
