/**
 * Write-only channel secrets (masked on the way out, kept on the way back in, never sent to a new
 * destination) and the structural diff a lead reads before and after a change.
 */
import { describe, expect, it } from "vitest";
import { diffRules, renderDiff, summarizeDiff } from "../../src/rules/diff";
import { RulesDocument, SECRET_MASK } from "../../src/rules/schema";
import { maskSecrets, restoreSecrets } from "../../src/rules/secrets";

const SLACK = "https://hooks.slack.com/services/T1/B1/slack-secret";
const ZD_TOKEN = "zendesk-token-secret";

function stored() {
  return RulesDocument.parse({
    channels: {
      team: { type: "slack", webhookUrl: SLACK },
      zendesk: { type: "zendesk_note", baseUrl: "https://shop.zendesk.com", email: "bot@shop.example", apiToken: ZD_TOKEN },
      hs: { type: "helpscout_note", appId: "app-1", appSecret: "hs-secret" },
    },
    policies: [
      { name: "VIP", when: { segmentTags: ["vip"] }, targets: { firstReply: { byPriority: { normal: "1h" } } }, notify: ["team"] },
      { name: "Everything", targets: { firstReply: { byPriority: { normal: "4h" }, warnings: ["30m"] } } },
    ],
  });
}

describe("write-only secrets", () => {
  it("masking replaces every secret field and leaves the stored document untouched", () => {
    const doc = stored();
    const masked = maskSecrets(doc);
    expect(JSON.stringify(masked)).not.toContain("secret");
    expect(JSON.stringify(masked)).not.toContain(ZD_TOKEN);
    expect(masked.channels.team).toEqual({ type: "slack", webhookUrl: SECRET_MASK });
    expect(masked.channels.zendesk).toMatchObject({ baseUrl: "https://shop.zendesk.com", email: "bot@shop.example", apiToken: SECRET_MASK });
    expect((doc.channels.team as { webhookUrl: string }).webhookUrl).toBe(SLACK);
  });

  it("sending the mask back keeps the stored secret (an admin edits what they fetched)", () => {
    const edited = maskSecrets(stored()) as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    edited.policies[1].targets.firstReply.byPriority.normal = "3h";
    const { input, issues } = restoreSecrets(edited, stored());
    expect(issues).toEqual([]);
    const doc = RulesDocument.parse(input);
    expect(doc.channels.team).toEqual({ type: "slack", webhookUrl: SLACK });
    expect(doc.channels.zendesk).toMatchObject({ apiToken: ZD_TOKEN });
    expect(doc.channels.hs).toMatchObject({ appSecret: "hs-secret", baseUrl: "https://api.helpscout.net" });
  });

  it("a kept secret is never sent to a new destination: changing where a channel points needs the secret again", () => {
    const edited = maskSecrets(stored()) as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    edited.channels.zendesk.baseUrl = "https://attacker.example";
    edited.channels.hs.appId = "other-app";
    edited.channels.team = { type: "webhook", url: "https://attacker.example/hook", secret: SECRET_MASK };
    const { issues } = restoreSecrets(edited, stored());
    expect(issues.map((i) => i.path).sort()).toEqual(["channels.hs.appSecret", "channels.team.secret", "channels.zendesk.apiToken"]);
    for (const issue of issues) expect(issue.message).toMatch(/points somewhere else|send the actual value/);
  });

  it("the mask on a channel with nothing stored asks for the real value", () => {
    const { issues } = restoreSecrets({ channels: { fresh: { type: "slack", webhookUrl: SECRET_MASK } } }, null, ["rules"]);
    expect(issues).toEqual([{ path: "rules.channels.fresh.webhookUrl", message: expect.stringMatching(/has none stored: send the actual value/) }]);
  });

  it("channel names and types that shadow Object.prototype do not find anything stored", () => {
    // Parsed from JSON, as a request body is: "__proto__" is then an own key, not the prototype.
    const body = JSON.parse(
      `{"channels":{"constructor":{"type":"slack","webhookUrl":"${SECRET_MASK}"},"x":{"type":"toString","secret":"${SECRET_MASK}"},"__proto__":{"type":"slack","webhookUrl":"${SECRET_MASK}"}}}`,
    );
    const { input, issues } = restoreSecrets(body, stored());
    expect(Object.keys((input as { channels: object }).channels)).toEqual(["constructor", "x", "__proto__"]);
    expect(issues.map((i) => i.path)).toEqual(["channels.constructor.webhookUrl", "channels.__proto__.webhookUrl"]);
  });
});

describe("structural diff", () => {
  it("reports leaf changes by policy name, additions, removals and order, without secrets", () => {
    const before = stored();
    const after = structuredClone(before);
    after.policies[1]!.targets.firstReply!.byPriority.normal = "2h";
    after.policies.unshift(RulesDocument.parse({ policies: [{ name: "Urgent chat", when: { channels: ["chat"] }, targets: { firstReply: { byPriority: { urgent: "5m" } } } }] }).policies[0]!);
    after.policies = after.policies.filter((p) => p.name !== "VIP");
    (after.channels.team as { webhookUrl: string }).webhookUrl = "https://hooks.slack.com/services/T1/B1/rotated-secret";
    const changes = diffRules(before, after);
    expect(changes).toEqual(
      expect.arrayContaining([
        { path: 'policies["Everything"].targets.firstReply.byPriority.normal', op: "changed", from: "4h", to: "2h" },
        expect.objectContaining({ path: 'policies["Urgent chat"]', op: "added", note: 'inserted at policies[0], checked before "Everything"' }),
        expect.objectContaining({ path: 'policies["VIP"]', op: "removed" }),
        { path: "channels.team.webhookUrl", op: "changed", from: SECRET_MASK, to: SECRET_MASK, note: "secret replaced" },
      ]),
    );
    expect(JSON.stringify(changes)).not.toMatch(/slack-secret|rotated-secret|zendesk-token/);
    const lines = renderDiff(changes);
    expect(lines).toContain('~ policies["Everything"].targets.firstReply.byPriority.normal: "4h" → "2h"');
    expect(lines.some((l) => l.startsWith('+ policies["Urgent chat"]: '))).toBe(true);
    expect(lines.some((l) => l.startsWith('- policies["VIP"]: was '))).toBe(true);
    expect(summarizeDiff(changes)).toMatch(/^\d+ change\(s\): /);
  });

  it("moving a policy up reads as an order change, not as every policy changed", () => {
    const before = stored();
    const after = structuredClone(before);
    after.policies.reverse();
    expect(diffRules(before, after)).toEqual([
      { path: "policies", op: "changed", from: ["VIP", "Everything"], to: ["Everything", "VIP"], note: "policy order changed (the first matching policy wins)" },
    ]);
  });

  it("identical documents have no changes", () => {
    expect(diffRules(stored(), stored())).toEqual([]);
    expect(summarizeDiff([])).toBe("no changes");
  });
});
