/**
 * The delivery API and the signed-webhook body in /openapi.json, and the example endpoint a
 * receiver's developer uses to check their verification code.
 */
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { WebhookBody } from "../../src/notify/webhook-body";
import { call } from "../support/api";

describe("OpenAPI", () => {
  it("documents the delivery routes and the webhook body schema", async () => {
    const res = await call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    const paths = res.body.paths as Record<string, Record<string, { parameters?: { name: string; schema: { enum?: string[] } }[]; responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
    const list = paths["/v1/stores/{storeId}/deliveries"]!.get!;
    expect(list.parameters!.find((p) => p.name === "state")!.schema.enum).toEqual(["pending", "held", "delivered", "dead", "skipped", "no_channels"]);
    // A skipped delivery explains itself, in the schema a client generates its types from.
    const page = JSON.stringify(list.responses["200"]!.content!["application/json"]!.schema);
    expect(page).toContain('"skippedBecause"');
    expect(page).toContain("`skipped`: the channel does not apply to this reminder");
    expect(paths["/v1/stores/{storeId}/deliveries/{id}/retry"]!.post!.responses).toHaveProperty("202");
    const example = JSON.stringify(paths["/v1/webhooks/example"]!.get!.responses["200"]!.content!["application/json"]!.schema);
    for (const type of ["reminder.fired", "reminder.digest", "channel.unhealthy"]) expect(example).toContain(type);
    expect(example).toContain("nextAction");
  });

  it("serves signed examples that verify with standardwebhooks and match the schema", async () => {
    for (const type of ["reminder.fired", "reminder.digest", "channel.unhealthy"]) {
      const res = await call("GET", `/v1/webhooks/example?type=${type}`);
      expect(res.status).toBe(200);
      const raw = JSON.stringify(res.body.body);
      const verified = WebhookBody.parse(new Webhook(res.body.secret).verify(raw, res.body.headers));
      expect(verified.type).toBe(type);
      expect(res.body.headers["webhook-id"]).toBe(verified.id);
    }
    const bad = await call("GET", "/v1/webhooks/example?type=nope");
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toBe("query.type");
  });
});
