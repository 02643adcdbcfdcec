/**
 * Setting the Slack app up (the manifest an admin pastes into Slack) and the limit on refused
 * interaction requests (counted like refused webhooks: per store and client, 429 over the limit,
 * a right signature from that client too).
 */
import { describe, expect, it } from "vitest";
import { FAILURE_LIMITS } from "../../src/http/rate-limit";
import { call } from "../support/api";
import { storeWithRules } from "../support/cases";

const SLACK_APP = { type: "slack_app", botToken: "xoxb-test", signingSecret: "setup-test-signing-secret", channel: "C0123" } as const;

describe("GET …/channels/:name/setup", () => {
  it("answers a manifest pointing interactivity at this store's Request URL, with chat:write", async () => {
    const store = await storeWithRules({ channels: { ops: SLACK_APP, plain: { type: "slack", webhookUrl: "https://hooks.slack.com/services/T/B/x" } } });
    const res = await call("GET", `/v1/stores/${store.storeId}/channels/ops/setup`, { token: store.adminToken });
    expect(res.status).toBe(200);
    const requestUrl = `http://127.0.0.1:8787/slack/${store.storeId}/interactions`;
    expect(res.body.requestUrl).toBe(requestUrl);
    expect(res.body.manifest.settings.interactivity).toEqual({ is_enabled: true, request_url: requestUrl });
    expect(res.body.manifest.oauth_config.scopes.bot).toEqual(["chat:write"]);
    // Not a Slack app, or no such channel: 404, not a manifest for something that cannot use it.
    expect((await call("GET", `/v1/stores/${store.storeId}/channels/plain/setup`, { token: store.adminToken })).status).toBe(404);
    expect((await call("GET", `/v1/stores/${store.storeId}/channels/nope/setup`, { token: store.adminToken })).status).toBe(404);
    expect((await call("GET", `/v1/stores/${store.storeId}/channels/ops/setup`)).status).toBe(401);
  });

  it("never shows the app's secrets in the rules it reads back", async () => {
    const store = await storeWithRules({ channels: { ops: SLACK_APP } });
    const res = await call("GET", `/v1/stores/${store.storeId}/rules`, { token: store.adminToken });
    expect(res.body.rules.channels.ops).toMatchObject({ botToken: "********", signingSecret: "********", channel: "C0123", baseUrl: "https://slack.com/api" });
  });
});

describe("refused interaction requests", () => {
  it("are limited per store and client like refused webhooks", async () => {
    const { limit } = FAILURE_LIMITS.webhook;
    const store = await storeWithRules({ channels: { ops: SLACK_APP } });
    const client = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}::1`;
    const post = () => call("POST", `/slack/${store.storeId}/interactions`, { rawBody: "payload=%7B%7D", headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": client } });
    const statuses: number[] = [];
    for (let i = 0; i <= limit; i++) statuses.push((await post()).status);
    // A window boundary may reset the count once; either way a 429 comes by the limit + 1st refusal.
    expect(statuses.slice(0, limit).every((s) => s === 401) || statuses.includes(429)).toBe(true);
    expect(statuses.at(-1) === 429 || (await post()).status === 429).toBe(true);
  });
});
