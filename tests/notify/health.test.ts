/**
 * Channel health: a channel that keeps failing (20 failed attempts in a row) is marked unhealthy
 * and the store's other channels get one notice, while its deliveries keep being retried; one
 * success makes it healthy again and the reminders that waited arrive.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { UNHEALTHY_AFTER } from "../../src/notify/delivery-log";
import { dispatchReminder } from "../../src/notify/dispatch";
import type { ChannelHealthView } from "../../src/notify/views";
import { call } from "../support/api";
import { Sink } from "./support/receiver";
import { assertSlackPayload, blockText } from "./support/slack-blocks";
import { deliveries, eventually, reminder, storeWithRules, type TestStore } from "./support/store";

async function health(store: TestStore): Promise<ChannelHealthView[]> {
  const res = await call("GET", `/v1/stores/${store.storeId}/channel-health`, { token: store.token });
  expect(res.status).toBe(200);
  return res.body.channels as ChannelHealthView[];
}

describe("channel health", () => {
  it("tells the other channels once when a channel keeps failing, keeps retrying, and recovers", async () => {
    const broken = await Sink.create();
    await broken.setFallback({ status: 503, body: "maintenance" });
    const ops = await Sink.create();
    const zendesk = await Sink.create();
    const store = await storeWithRules({
      channels: {
        flaky: { type: "webhook", url: `${broken.url}/hook`, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" },
        ops: { type: "slack", webhookUrl: `${ops.url}/hook` },
        // A note needs a ticket, so it gets no notice.
        zd: { type: "zendesk_note", baseUrl: zendesk.url, email: "a@b.c", apiToken: "t" },
      },
    });
    const burst = Array.from({ length: UNHEALTHY_AFTER }, () => reminder(store.storeId, { channels: ["flaky"] }));
    await Promise.all(burst.map((r) => dispatchReminder(env, r)));

    const notice = await eventually(async () => (await ops.requests())[0], "a notice in the ops channel");
    const payload: unknown = JSON.parse(notice.body);
    assertSlackPayload(payload);
    const seen = blockText(payload.blocks);
    expect(seen).toContain(`Channel "flaky" is failing: ${UNHEALTHY_AFTER} deliveries in a row did not go through`);
    expect(seen).toContain("HTTP 503: maintenance");
    const [flaky] = (await health(store)).filter((h) => h.channel === "flaky");
    expect(flaky).toMatchObject({ healthy: false, lastError: "HTTP 503: maintenance" });
    expect(flaky!.consecutiveFailures).toBeGreaterThanOrEqual(UNHEALTHY_AFTER);

    // Retries go on failing: more failures, still one notice.
    await eventually(async () => ((await health(store)).find((h) => h.channel === "flaky")?.consecutiveFailures ?? 0) > UNHEALTHY_AFTER + 5, "more failed retries");
    expect(await ops.requests()).toHaveLength(1);
    expect(await zendesk.requests()).toEqual([]);
    expect((await deliveries(store, "?state=pending&limit=100")).filter((d) => d.channel === "flaky")).toHaveLength(UNHEALTHY_AFTER);

    await broken.setFallback({ status: 200, body: "ok" });
    await eventually(async () => (await deliveries(store, "?state=delivered&limit=100")).filter((d) => d.channel === "flaky").length === UNHEALTHY_AFTER, "every reminder delivered after recovery", 30_000);
    expect((await health(store)).find((h) => h.channel === "flaky")).toMatchObject({ healthy: true, consecutiveFailures: 0, unhealthySince: null });
    const notices = (await deliveries(store, "?limit=100")).filter((d) => d.kind === "notice");
    expect(notices.map((n) => [n.channel, n.state])).toEqual([["ops", "delivered"]]);
  }, 60_000);
});
