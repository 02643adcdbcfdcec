/**
 * The registry is the one list of providers everything else reads: each id has its adapter,
 * reminders name each source by its adapter, and provider options can sit at the top level of
 * the configuration body without colliding with the fields every provider shares.
 */
import { describe, expect, it } from "vitest";
import { PROVIDERS } from "../../src/events/model";
import { providerName } from "../../src/notify/render";
import { ADAPTER_LIST, ADAPTERS, adapterFor } from "../../src/webhooks/registry";
import { ProviderConfigBody } from "../../src/webhooks/routes";

describe("the adapter registry", () => {
  it("has every provider's adapter under its own id, in PROVIDERS order", () => {
    expect(ADAPTER_LIST.map((a) => a.id)).toEqual([...PROVIDERS]);
    for (const id of PROVIDERS) expect(adapterFor(id)).toBe(ADAPTERS[id]);
    for (const notOne of ["myspace", "__proto__", "constructor", "Zendesk"]) expect(adapterFor(notOne)).toBeNull();
  });

  it("reminders name each source the way its adapter does", () => {
    expect(providerName("zendesk")).toBe("Zendesk");
    expect(providerName("helpscout")).toBe("Help Scout");
    expect(providerName("17track")).toBe("17TRACK");
    expect(providerName("shipengine")).toBe("ShipEngine");
    expect(providerName("custom")).toBe("your system");
    for (const a of ADAPTER_LIST) expect(providerName(a.id)).toBe(a.shortName ?? a.title);
  });

  it("no provider option shares a name with a field every provider has (options sit next to them)", () => {
    const shared = Object.keys(ProviderConfigBody.shape);
    expect(shared.sort()).toEqual(["options", "secrets", "toleranceSeconds"]);
    for (const a of ADAPTER_LIST) {
      for (const option of Object.keys(a.optionsSchema.shape)) expect(shared, `${a.id}.${option}`).not.toContain(option);
    }
  });
});
