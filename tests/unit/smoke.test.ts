import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";

it("answers unknown routes with a JSON 404", async () => {
  const res = await exports.default.fetch("http://x/nope");
  expect(res.status).toBe(404);
  expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
});
