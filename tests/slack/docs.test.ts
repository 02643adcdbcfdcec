/**
 * docs/notifications.md's Slack app examples are rendered here by the code that sends them: the
 * `chat.postMessage` request for the example reminder, the `chat.update` after "I'm on it", and
 * the setup manifest. Regenerate with `npx vitest run tests/slack/docs.test.ts -u`, which rewrites
 * only the `<!-- slack_app:NAME -->` blocks.
 */
import { describe, expect, it } from "vitest";
import notificationsDoc from "../../docs/notifications.md?raw";
import { adapterFor } from "../../src/notify/channels";
import { breachedUrgentChat, EXAMPLE_STORE_ID } from "../../src/notify/examples";
import { SlackAppChannel } from "../../src/rules/schema";
import { updateAfterAction } from "../../src/slack/blocks";
import { slackAppManifest } from "../../src/slack/manifest";

const MARKED = /<!-- slack_app:([\w.-]+) -->\n[\s\S]*?<!-- \/slack_app -->/g;
const fenced = (lang: string, text: string) => `\`\`\`${lang}\n${text}\n\`\`\``;

async function examples(): Promise<Record<string, string>> {
  const r = breachedUrgentChat();
  const config = SlackAppChannel.parse({ type: "slack_app", botToken: "xoxb-<bot token>", signingSecret: "<signing secret>", channel: "C0123456789" });
  const out = { kind: "reminder" as const, key: r.id, deliveryId: `${r.id}#ops-slack-app`, reminder: r };
  const firedAt = Date.parse(r.firedAt);
  const req = await adapterFor(config).build(out, config, { now: firedAt, channel: "ops-slack-app", fetch: async () => ({ status: 200, headers: new Headers(), body: "" }) });
  const posted = JSON.parse(req.body) as { channel: string; blocks: never[] };
  const update = updateAfterAction({ channel: posted.channel, ts: "1772460245.000200", blocks: posted.blocks }, { kind: "acknowledge", summary: "Mehmet took the case", by: "Mehmet", at: firedAt + 2 * 60_000 });
  return {
    request: `${fenced("", [`${req.method} ${req.url}`, `Authorization: ${req.headers.authorization}`].join("\n"))}\n${fenced("json", JSON.stringify(posted, null, 2))}`,
    "after-acknowledge": `${fenced("", "POST https://slack.com/api/chat.update")}\n${fenced("json", JSON.stringify(update, null, 2))}`,
    manifest: fenced("json", JSON.stringify(slackAppManifest("https://promptly.example.com", EXAMPLE_STORE_ID, "ops-slack-app"), null, 2)),
  };
}

describe("docs/notifications.md, Slack app", () => {
  it("shows exactly what the Slack app channel sends and what the setup route answers", async () => {
    const rendered = await examples();
    const marked = [...notificationsDoc.matchAll(MARKED)].map((m) => m[1]!);
    expect(marked.sort()).toEqual(Object.keys(rendered).sort());
    const regenerated = notificationsDoc.replace(MARKED, (_all, name: string) => `<!-- slack_app:${name} -->\n${rendered[name]!}\n<!-- /slack_app -->`);
    await expect(regenerated).toMatchFileSnapshot("../../docs/notifications.md");
  });
});
