/**
 * The provider and event docs cannot drift from the code: the setup steps and the Freshdesk and
 * Gorgias templates in docs/providers.md are exactly what `GET …/providers/:provider/setup`
 * returns (one source: the adapters), every option is documented, and docs/events.md documents
 * every field, kind and status of the model.
 */
import { describe, expect, it } from "vitest";
import eventsDoc from "../../docs/events.md?raw";
import providersDoc from "../../docs/providers.md?raw";
import { CaseStatus, EventKind, NormalizedEvent, PROVIDERS } from "../../src/events/model";
import { ADAPTERS } from "../../src/webhooks/registry";
import { call, createStore } from "../support/api";

const DOC_HOOK = (provider: string) => `https://YOUR_WORKER/hooks/YOUR_STORE_ID/${provider}`;

describe("docs/providers.md", () => {
  for (const provider of PROVIDERS) {
    const adapter = ADAPTERS[provider];
    it(`${provider}: has its section, every setup step and template verbatim, and every option`, () => {
      expect(providersDoc).toContain(`(\`${provider}\`)\n`);
      const setup = adapter.setup(DOC_HOOK(provider));
      for (const step of setup.steps) expect(providersDoc).toContain(`1. ${step}\n`);
      if (setup.template !== undefined) expect(providersDoc).toContain("```json\n" + JSON.stringify(setup.template, null, 2) + "\n```");
      for (const option of Object.keys(adapter.optionsSchema.shape)) expect(providersDoc, option).toContain(`\`${option}\``);
    });
  }

  it("the setup endpoint serves the same template, with the store's own hook URL in the steps", async () => {
    const store = await createStore();
    for (const provider of ["freshdesk", "gorgias"] as const) {
      const res = await call("GET", `/v1/stores/${store.storeId}/providers/${provider}/setup`, { token: store.adminToken });
      expect(res.status).toBe(200);
      expect(res.body.template).toEqual(ADAPTERS[provider].setup("x").template);
      expect(res.body.hookUrl).toMatch(new RegExp(`/hooks/${store.storeId}/${provider}$`));
      expect(res.body.steps.join("\n")).toContain(res.body.hookUrl);
      expect(res.body.headers).toEqual({ "X-Promptly-Token": "YOUR_TOKEN" });
    }
  });
});

describe("docs/events.md", () => {
  it("documents every field of the normalized event", () => {
    for (const field of Object.keys(NormalizedEvent.shape)) expect(eventsDoc, field).toContain(`| \`${field}\` |`);
  });
  it("documents every kind and every support status", () => {
    for (const kind of EventKind.options) expect(eventsDoc, kind).toContain(`| \`${kind}\` |`);
    for (const status of CaseStatus.options) expect(eventsDoc, status).toContain(`| \`${status}\``);
  });
});
