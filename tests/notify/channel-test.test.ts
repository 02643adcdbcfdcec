/**
 * "Send a test reminder" (POST …/channels/:name/test): a real HTTP receiver on 127.0.0.1 gets a
 * signed reminder that says it is a test, through the delivery log and the queue like any other.
 */
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { WebhookBody } from "../../src/notify/webhook-body";
import { call } from "../support/api";
import { Sink } from "./support/receiver";
import { deliveries, eventually, storeWithRules } from "./support/store";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

describe("send a test reminder to a channel", () => {
  it("arrives at the channel labelled as a test, and the delivery log shows it delivered", async () => {
    const sink = await Sink.create();
    const store = await storeWithRules({ channels: { ops: { type: "webhook", url: `${sink.url}/hook`, secret: SECRET } } });
    const res = await call("POST", `/v1/stores/${store.storeId}/channels/ops/test`, { token: store.token });
    expect(res.status).toBe(202);
    expect(res.body.delivery).toMatchObject({ channel: "ops", state: "pending", reminder: { kind: "channel.test" } });
    const id = res.body.delivery.id as number;

    const got = await eventually(async () => {
      const r = await sink.requests();
      return r.length > 0 ? r : undefined;
    }, "the test reminder at the receiver");
    expect(got).toHaveLength(1);
    const body = WebhookBody.parse(new Webhook(SECRET).verify(got[0]!.body, got[0]!.headers));
    expect(body).toMatchObject({ type: "reminder.fired", channel: "ops" });
    expect(JSON.stringify(body.data)).toMatch(/Test reminder from Promptly/);

    const d = await eventually(async () => (await deliveries(store)).find((x) => x.id === id && x.state === "delivered"), "delivered in the log");
    expect(d.attempts.at(-1)).toMatchObject({ status: 200, outcome: "delivered" });
  });

  it("each press is its own delivery, not a duplicate of the last", async () => {
    const sink = await Sink.create();
    const store = await storeWithRules({ channels: { ops: { type: "webhook", url: `${sink.url}/hook`, secret: SECRET } } });
    const a = await call("POST", `/v1/stores/${store.storeId}/channels/ops/test`, { token: store.token });
    const b = await call("POST", `/v1/stores/${store.storeId}/channels/ops/test`, { token: store.token });
    expect(a.body.delivery.id).not.toBe(b.body.delivery.id);
    await eventually(async () => ((await sink.requests()).length === 2 ? true : undefined), "both test reminders");
  });

  it("a channel the rules do not define is a 404 naming the channels there are, and nothing is sent", async () => {
    const sink = await Sink.create();
    const store = await storeWithRules({ channels: { ops: { type: "webhook", url: `${sink.url}/hook`, secret: SECRET } } });
    const res = await call("POST", `/v1/stores/${store.storeId}/channels/nope/test`, { token: store.token });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain("ops");
    expect(await deliveries(store)).toEqual([]);
  });

  it("needs the store's admin", async () => {
    const store = await storeWithRules({ channels: {} });
    expect((await call("POST", `/v1/stores/${store.storeId}/channels/ops/test`)).status).toBe(401);
  });
});
