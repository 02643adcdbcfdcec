/**
 * The rules editor in Chromium against the real `wrangler dev`: an admin shortens a first-reply
 * target in the form, sees the preview of a real case differ from the rules in force, saves
 * (diff first, If-Match), meets a 412 because a second tab saved meanwhile and merges onto it,
 * sees the API's error at the field it names, backtests the draft, and rolls back.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureProvider, createStore, CUSTOM_SECRET, postCustom, saveRules, type E2EStore } from "../e2e/support/store";
import { DevServer } from "../e2e/support/wrangler";
import { launch, newPage, PHONE, screenshot, signIn } from "./support/browser";

const MIN = 60_000;

async function rules(store: E2EStore): Promise<{ version: number; rules: { policies: { targets: { firstReply: { byPriority: Record<string, string> } } }[] } }> {
  const res = await fetch(`${store.url}/v1/stores/${store.storeId}/rules`, { headers: { authorization: `Bearer ${store.token}` } });
  return (await res.json()) as never;
}

describe("the rules editor in Chromium", () => {
  const server = new DevServer();
  let store: E2EStore;
  let browser: Browser;

  beforeAll(async () => {
    await server.start();
    browser = await launch();
    store = await createStore(server.url, "Lumen Lamps");
    await configureProvider(store, "custom", { secrets: [CUSTOM_SECRET] });
    await saveRules(store, { policies: [{ name: "Standard", targets: { firstReply: { calendar: "24/7", byPriority: { normal: "1h" } } } }] });
    // A ticket answered 40 minutes after it was opened: met under 1h, missed under 30m.
    const at = Date.now() - 3 * 60 * MIN;
    for (const body of [
      { occurredAt: new Date(at).toISOString(), caseKey: { type: "ticket", ticketId: "R-1" }, kind: "case.opened", status: "open", priority: "normal", subject: "Where is my lamp?" },
      { occurredAt: new Date(at + 40 * MIN).toISOString(), caseKey: { type: "ticket", ticketId: "R-1" }, kind: "case.agent_reply" },
    ]) {
      const res = await postCustom(store, body);
      expect(res.status, JSON.stringify(res.body)).toBe(202);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server.dispose();
  });

  const target = (page: Page) => page.getByLabel("First reply: normal");

  it("changes a target, previews it on a real case, saves through a 412 from another tab, and rolls back", async () => {
    const { page } = await newPage(browser);
    await signIn(page, server.url, store.storeId, store.token);
    await page.getByRole("link", { name: "Rules" }).click();
    await expect.poll(() => target(page).inputValue()).toBe("1h");

    await target(page).fill("30m");
    await page.getByLabel("Case", { exact: true }).selectOption("ticket:custom:R-1");
    await page.getByRole("button", { name: "Preview" }).click();
    const preview = page.getByTestId("preview-result");
    await expect.poll(() => preview.textContent()).toContain("Draft (1 reminder)");
    expect(await preview.textContent()).toContain("Current rules (0 reminders)");
    expect(await preview.textContent()).toContain("first_reply.breach");
    await screenshot(page, "rules");

    // A second tab saves first.
    const other = await newPage(browser);
    await signIn(other.page, server.url, store.storeId, store.token);
    await other.page.goto(`${server.url}/rules`);
    await other.page.getByLabel("First reply: urgent").fill("15m");
    await other.page.getByRole("button", { name: "Review and save" }).click();
    await other.page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => other.page.getByRole("status").first().textContent()).toContain("Saved as version 2");

    // This tab's save is refused with 412: it shows what changed and merges onto it.
    await page.getByRole("button", { name: "Review and save" }).click();
    expect(await page.locator("#review-title").textContent()).toContain("version 2");
    expect(await page.locator(".changes").textContent()).toContain("policies[0].targets.firstReply.byPriority.normal");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.locator("#conflict-title").textContent()).toContain("Someone saved version 2");
    expect(await page.locator(".conflict").textContent()).toContain("byPriority.urgent");
    await screenshot(page, "rules-conflict");
    await page.getByRole("button", { name: "Merge my changes onto version 2" }).click();
    await page.getByRole("button", { name: "Review and save" }).click();
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.getByRole("status").first().textContent()).toContain("Saved as version 3");
    const saved = await rules(store);
    expect(saved.version).toBe(3);
    expect(saved.rules.policies[0]!.targets.firstReply.byPriority).toMatchObject({ normal: "30m", urgent: "15m" });

    // Roll back to version 1 (1h, no urgent target): a new version 4 equal to it.
    await page.getByRole("button", { name: "Roll back to 1" }).click();
    await expect.poll(() => page.getByRole("status").first().textContent()).toContain("Rolled back");
    await expect.poll(async () => (await rules(store)).version).toBe(4);
    expect((await rules(store)).rules.policies[0]!.targets.firstReply.byPriority).toEqual({ normal: "1h" });
    await expect.poll(() => target(page).inputValue()).toBe("1h");
  });

  it("shows the API's error at the field it names, and backtests the draft on the last 30 days", async () => {
    const { page } = await newPage(browser);
    await signIn(page, server.url, store.storeId, store.token);
    await page.goto(`${server.url}/rules`);
    await target(page).fill("soon");
    await page.getByRole("button", { name: "Review and save" }).click();
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const field = target(page);
    await expect.poll(() => field.getAttribute("aria-invalid")).toBe("true");
    const note = page.locator(`#${await field.getAttribute("aria-describedby")}`);
    expect(await note.textContent()).toMatch(/duration/i);

    await target(page).fill("30m");
    await page.getByRole("button", { name: "Backtest last 30 days" }).click();
    const result = page.getByTestId("backtest-result");
    await expect.poll(() => result.textContent(), { timeout: 30_000 }).toContain("1 cases replayed; 1 would change");
    expect(await result.textContent()).toContain("first reply missed under the draft");
    await screenshot(page, "rules-backtest");
    await result.getByRole("link", { name: "ticket:custom:R-1" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe("/cases/ticket%3Acustom%3AR-1");
    // The case opens with the backtested draft's timeline beside the one the rules in force give it.
    const compare = page.getByTestId("draft-compare");
    await expect.poll(() => compare.textContent()).toContain("Draft (1 reminder)");
    expect(await compare.textContent()).toContain("Rules in force (0 reminders)");
    await screenshot(page, "case-backtested-draft");
  });

  it("works at 360 px wide", async () => {
    const { page } = await newPage(browser, PHONE);
    await signIn(page, server.url, store.storeId, store.token);
    await page.goto(`${server.url}/rules`);
    await expect.poll(() => target(page).inputValue()).toBe("1h");
    const overflow = (await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")) as number;
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, "rules-360");
  });
});
