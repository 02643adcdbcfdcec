/**
 * The console's later pieces in Chromium against the real `wrangler dev`: a lead takes a breached
 * case ("Take it") and the board says who owns it; Connections shows when a provider last
 * delivered and its last refused signature, and a channel's "send a test reminder" reaches a real
 * local receiver; a Turkish browser is greeted in Turkish and the header's switch changes it.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request, waitFor } from "../e2e/support/http";
import { Receiver } from "../e2e/support/receiver";
import { configureProvider, createStore, CUSTOM_SECRET, postCustom, saveRules, type E2EStore } from "../e2e/support/store";
import { DevServer } from "../e2e/support/wrangler";
import { DESKTOP, launch, newPage, screenshot, signIn } from "./support/browser";

const CHANNEL_SECRET = `whsec_${Buffer.from("browser-extras-channel-secret-0123").toString("base64")}`;
const HOUR = 3_600_000;
const CASE = "ticket:custom:X-1";

describe("console extras in Chromium", () => {
  const server = new DevServer();
  const team = new Receiver();
  let store: E2EStore;
  let browser: Browser;

  beforeAll(async () => {
    await Promise.all([server.start(), team.start()]);
    browser = await launch();
    store = await createStore(server.url, "Lumen Lamps");
    await configureProvider(store, "custom", { secrets: [CUSTOM_SECRET] });
    await saveRules(store, {
      channels: { team: { type: "webhook", url: `${team.url}/team`, secret: CHANNEL_SECRET } },
      policies: [
        {
          name: "Standard",
          targets: { firstReply: { calendar: "24/7", byPriority: { low: "1h", normal: "1h", high: "1h", urgent: "1h" } } },
          notify: ["team"],
        },
      ],
    });
    const res = await postCustom(store, {
      occurredAt: new Date(Date.now() - 2 * HOUR).toISOString(),
      caseKey: { type: "ticket", ticketId: "X-1" },
      kind: "case.opened",
      status: "open",
      channel: "email",
      subject: "Lamp arrived broken",
      priority: "high",
      customer: { email: "ana@example.com", name: "Ana Ruiz" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([server.dispose(), team.stop()]);
  });

  it("Take it: the case and the board show who owns the breach, and the name is remembered", async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, server.url, store.storeId, store.token);
    await page.goto(`${server.url}/cases/${encodeURIComponent(CASE)}`);
    await expect.poll(() => page.locator(".case-head").textContent()).toContain("nobody has taken it yet");
    await page.getByLabel("Your name").fill("Mira from support");
    await page.getByRole("button", { name: "Take it" }).click();
    await expect.poll(() => page.locator(".case-head").textContent()).toContain("Mira from support");
    expect(await page.getByRole("status").first().textContent()).toMatch(/You own this case now/);
    await screenshot(page, "case-owner");

    const view = await request(server.url, "GET", `/v1/stores/${store.storeId}/cases/${encodeURIComponent(CASE)}`, { token: store.token });
    expect(view.body.owner).toMatchObject({ by: "Mira from support" });

    await page.goto(`${server.url}/`);
    const row = page.locator(`table.board tbody tr[data-case-id="${CASE}"]`);
    await expect.poll(() => row.textContent()).toContain("owned by Mira from support");
    expect(await row.textContent()).toContain("breached");

    // The name is a display name kept in this browser, never the token.
    await page.goto(`${server.url}/cases/${encodeURIComponent(CASE)}`);
    await expect.poll(() => page.getByLabel("Your name").inputValue()).toBe("Mira from support");
    const stored = (await page.evaluate("JSON.stringify({ ...localStorage })")) as string;
    expect(stored).not.toContain(store.token);
    await context.close();
  });

  it("Connections: last delivery, last refused signature, and a test reminder that reaches the channel", async () => {
    // A delivery signed with the wrong secret is refused, and shows as such.
    const bad = await request(server.url, "POST", `/hooks/${store.storeId}/custom`, {
      rawBody: "{}",
      headers: { "content-type": "application/json", "webhook-id": "msg_bad", "webhook-timestamp": String(Math.floor(Date.now() / 1000)), "webhook-signature": "v1,AAAA" },
    });
    expect(bad.status).toBe(401);

    const { context, page } = await newPage(browser, DESKTOP);
    await signIn(page, server.url, store.storeId, store.token);
    await page.goto(`${server.url}/connections`);
    const card = page.getByRole("article", { name: "custom" });
    await expect.poll(() => card.textContent()).toContain("Last delivery");
    expect(await card.textContent()).not.toContain("none received yet");
    expect(await card.textContent()).toMatch(/Last refused signature\s*refused/);

    const before = team.received.length;
    await page.getByRole("button", { name: "Send a test reminder to team" }).click();
    await expect.poll(() => page.getByRole("status").first().textContent()).toMatch(/Test reminder #\d+ queued/);
    const got = await waitFor(async () => team.received.slice(before).find((r) => r.body.includes("Test reminder from Promptly")), 30_000);
    expect(got.path).toBe("/team");
    expect(JSON.parse(got.body)).toMatchObject({ type: "reminder.fired", channel: "team" });
    await screenshot(page, "connections-activity");
    await context.close();
  });

  it("greets a Turkish browser in Turkish, and the header's switch changes it and is remembered", async () => {
    const context = await browser.newContext({ viewport: DESKTOP, timezoneId: "Europe/Istanbul", locale: "tr-TR" });
    const page: Page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${server.url}/`);
    await expect.poll(() => page.getByRole("heading", { level: 2 }).first().textContent()).toBe("Mağazanıza giriş yapın");
    await page.getByLabel("Mağaza kimliği").fill(store.storeId);
    await page.getByLabel("Yönetici anahtarı").fill(store.token);
    await page.getByRole("button", { name: "Giriş yap" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Pano");
    expect(await page.getByRole("navigation").textContent()).toContain("Bağlantılar");
    expect(await page.locator("table.board thead").textContent()).toContain("Müşteri");
    await screenshot(page, "board-tr");

    await page.goto(`${server.url}/cases/${encodeURIComponent(CASE)}`);
    await expect.poll(() => page.getByRole("heading", { name: "İşlemler" }).count()).toBe(1);
    expect(await page.getByRole("button", { name: "Üstlen" }).count()).toBe(1);
    // Dates in Turkish too: the owner line's instant ("… Ara …" for December, or the month of now).
    const month = new Intl.DateTimeFormat("tr-TR", { month: "short", timeZone: "Europe/Istanbul" }).format(new Date());
    expect(await page.locator(".case-head").textContent()).toContain(month);

    await page.getByLabel("Dil").selectOption("en");
    await expect.poll(() => page.getByRole("heading", { name: "Actions" }).count()).toBe(1);
    await page.goto(`${server.url}/`);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Board");
    await context.close();
  });
});
