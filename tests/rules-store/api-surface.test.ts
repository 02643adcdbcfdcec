/**
 * What an admin sees around the rules: every route and schema in /openapi.json, the templates
 * route (each template saves once its credentials are filled in), and a save applied to open
 * cases moving the store's real open case to the new version.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { caseObjectName } from "../../src/events/model";
import { call } from "../support/api";
import { getRules, newStore, rulesPath, sampleRules, saveRules } from "./helpers";

describe("OpenAPI", () => {
  it("documents every rules route, the If-Match header and the full rules document schema", async () => {
    const res = await call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    const paths = res.body.paths;
    const expected: [string, string][] = [
      ["/v1/stores/{storeId}/rules", "get"],
      ["/v1/stores/{storeId}/rules", "put"],
      ["/v1/stores/{storeId}/rules/versions", "get"],
      ["/v1/stores/{storeId}/rules/versions/{version}", "get"],
      ["/v1/stores/{storeId}/rules/versions/{version}/diff", "get"],
      ["/v1/stores/{storeId}/rules/rollback", "post"],
      ["/v1/stores/{storeId}/rules/dry-run", "post"],
      ["/v1/stores/{storeId}/rules/templates", "get"],
      ["/v1/stores/{storeId}/audit", "get"],
    ];
    for (const [path, method] of expected) expect(paths[path]?.[method], `${method} ${path}`).toBeDefined();
    const put = paths["/v1/stores/{storeId}/rules"].put;
    expect(put.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(expect.arrayContaining(["header:If-Match", "query:applyToOpenCases", "path:storeId"]));
    const doc = put.requestBody.content["application/json"].schema;
    expect(Object.keys(doc.properties)).toEqual(expect.arrayContaining(["calendars", "channels", "policies", "playbook", "quietHours"]));
    expect(doc.additionalProperties).toBe(false);
    expect(Object.keys(doc.properties.playbook.properties)).toEqual(["badRating", "goingInCircles", "disputeRisk", "callback", "shipmentDelay"]);
    expect(doc.properties.playbook.properties.callback.properties).not.toHaveProperty("detect");
    const escalation = doc.properties.policies.items.properties.escalations.items.properties.after;
    expect(escalation.description).toMatch(/business time on the breached target's calendar/);
    expect(Object.keys(put.responses)).toEqual(expect.arrayContaining(["200", "400", "412", "428"]));
    const dry = paths["/v1/stores/{storeId}/rules/dry-run"].post;
    expect(dry.description).toMatch(/NOT signature-checked/);
    expect(dry.responses["200"].content["application/json"].schema.properties.reminders).toBeDefined();
  });
});

describe("templates over HTTP", () => {
  it("serves the three templates; one saves after its masked credentials are filled in, not before", async () => {
    const store = await newStore();
    const res = await call("GET", rulesPath(store, "/templates"), { token: store.adminToken });
    expect(res.status).toBe(200);
    expect(res.body.templates.map((t: { id: string }) => t.id)).toEqual(["small-webshop", "marketplace-24-7", "turkey-holidays", "croatia-holidays"]);
    const shop = res.body.templates[0].rules;
    const asIs = await saveRules(store, shop);
    expect(asIs.status).toBe(400);
    expect(asIs.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(["channels.shift-lead.webhookUrl", "channels.team.webhookUrl"]);
    shop.channels.team.webhookUrl = "https://hooks.slack.com/services/T/B/team";
    shop.channels["shift-lead"].webhookUrl = "https://hooks.slack.com/services/T/B/lead";
    const filled = await saveRules(store, shop);
    expect(filled.status).toBe(200);
    expect((await getRules(store)).body.rules.policies[0].name).toBe("Urgent chat");
  });
});

describe("applying a new version to open cases", () => {
  it("moves the store's open case to the new version and says how many moved", async () => {
    const store = await newStore();
    const caseId = "ticket:custom:A1";
    const stub = env.CASES.getByName(caseObjectName(store.storeId, caseId));
    await stub.ingest([
      { storeId: store.storeId, provider: "custom", providerEventId: "o1", occurredAt: new Date(Date.now() - 60_000).toISOString(), caseKey: { type: "ticket", provider: "custom", ticketId: "A1" }, kind: "case.opened", channel: "chat", priority: "urgent" },
    ]);
    // The case registers itself in the store's index (a view it pushes after each change).
    for (let i = 0; i < 100 && !(await env.STORES.getByName(store.storeId).hasCase(caseId)); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await env.STORES.getByName(store.storeId).hasCase(caseId)).toBe(true);

    const kept = await saveRules(store, sampleRules());
    expect(kept.body.openCases).toBeUndefined();
    const applied = await saveRules(store, { ...sampleRules(), description: "apply" }, "?applyToOpenCases=true");
    expect(applied.status).toBe(200);
    expect(applied.body.openCases).toEqual({ moved: 1 });
    const rolled = await call("POST", rulesPath(store, "/rollback"), { token: store.adminToken, body: { version: 1, applyToOpenCases: true } });
    expect(rolled.body).toMatchObject({ version: 3, appliedToOpenCases: true, openCases: { moved: 1 } });
  });
});
