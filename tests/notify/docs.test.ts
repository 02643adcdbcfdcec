/**
 * docs/notifications.md shows what each channel receives. Every example there is rendered here
 * by the code that sends it, from reminders the case engine builds (src/notify/examples.ts), and
 * the doc must contain exactly that: a change to a title, a key or a request fails this test
 * until the doc is regenerated with
 *
 *   npx vitest run tests/notify/docs.test.ts -u
 *
 * which rewrites only the marked blocks (`<!-- example:NAME -->` … `<!-- /example -->`).
 */
import { describe, expect, it } from "vitest";
import notificationsDoc from "../../docs/notifications.md?raw";
import { adapterFor } from "../../src/notify/channels";
import { basicAuth, type ChannelContext } from "../../src/notify/channels/channel";
import { slackPayload } from "../../src/notify/channels/slack";
import { breachedUrgentChat, exampleChannel, exampleOutbound, type Helpdesk } from "../../src/notify/examples";
import type { Outbound } from "../../src/notify/messages";
import { digestText, noticeText, reminderText } from "../../src/notify/render";
import { DELIVERY_STATE_MEANINGS } from "../../src/notify/views";
import type { ChannelType } from "../../src/rules/schema";

const MARKED = /<!-- example:([\w.-]+) -->\n[\s\S]*?\n<!-- \/example -->/g;

const fenced = (lang: string, text: string) => `\`\`\`${lang}\n${text}\n\`\`\``;
const pretty = (body: string) => JSON.stringify(JSON.parse(body), null, 2);

/** Help Scout asks for a token first: the example shows where it goes, not a real one. */
const ctxFor = (channel: string, now: number): ChannelContext => ({
  now,
  channel,
  fetch: async () => ({ status: 200, headers: new Headers(), body: JSON.stringify({ access_token: "<access token>", expires_in: 172_800 }) }),
});

async function request(type: ChannelType, out: Outbound, now: number) {
  const { name, config } = exampleChannel(type);
  return { config, req: await adapterFor(config).build(out, config, ctxFor(name, now)) };
}

function reminderOut(type: ChannelType, r = breachedUrgentChat()): Outbound {
  return { kind: "reminder", key: r.id, deliveryId: `${r.id}#${exampleChannel(type).name}`, reminder: r };
}

/** One helpdesk's note on its own ticket: the request line, how it authenticates, the body. */
async function note(type: ChannelType, helpdesk: Helpdesk, ticketId: string, auth: (config: never) => { shown: string; real: string }): Promise<string> {
  const r = breachedUrgentChat(helpdesk, ticketId);
  const { config, req } = await request(type, reminderOut(type, r), Date.parse(r.firedAt) + 1000);
  const { shown, real } = auth(config as never);
  // The doc writes the credentials in words; they must describe the header actually sent.
  expect(req.headers.authorization).toBe(real);
  const head = [`${req.method} ${req.url}`, `Authorization: ${shown}`];
  if (type === "zendesk_note") head.push(`Idempotency-Key: ${req.headers["idempotency-key"]}`);
  return `${fenced("", head.join("\n"))}\n${fenced("json", pretty(req.body))}`;
}

async function examples(): Promise<Record<string, string>> {
  const fired = exampleOutbound("reminder.fired", exampleChannel("slack").name);
  if (fired.kind !== "reminder") throw new Error("unreachable");
  const r = fired.reminder;
  const hook = await request("webhook", exampleOutbound("reminder.fired", exampleChannel("webhook").name), Date.parse(r.firedAt) + 1000);
  const digest = exampleOutbound("reminder.digest", exampleChannel("slack").name);
  if (digest.kind !== "digest") throw new Error("unreachable");
  const notice = exampleOutbound("channel.unhealthy", exampleChannel("slack").name);
  if (notice.kind !== "notice") throw new Error("unreachable");
  return {
    "slack.reminder": fenced("json", JSON.stringify(slackPayload(fired), null, 2)),
    "text.reminder": fenced("", reminderText(r, fired.key)),
    "webhook.reminder": `${fenced("", [`POST ${hook.req.url}`, ...Object.entries(hook.req.headers).map(([k, v]) => `${k}: ${v}`)].join("\n"))}\n${fenced("json", pretty(hook.req.body))}`,
    "zendesk.reminder": await note("zendesk_note", "zendesk", "5158", (c: { email: string; apiToken: string }) => ({ shown: `Basic base64(${c.email}/token:${c.apiToken})`, real: basicAuth(`${c.email}/token`, c.apiToken) })),
    "freshdesk.reminder": await note("freshdesk_note", "freshdesk", "77", (c: { apiKey: string }) => ({ shown: `Basic base64(${c.apiKey}:X)`, real: basicAuth(c.apiKey, "X") })),
    "helpscout.reminder": await note("helpscout_note", "helpscout", "123", () => ({ shown: "Bearer <access token>", real: "Bearer <access token>" })),
    "gorgias.reminder": await note("gorgias_note", "gorgias", "4242", (c: { username: string; apiKey: string }) => ({ shown: `Basic base64(${c.username}:${c.apiKey})`, real: basicAuth(c.username, c.apiKey) })),
    "slack.digest": fenced("json", JSON.stringify(slackPayload(digest), null, 2)),
    "text.digest": fenced("", digestText(digest.reminders, digest.releasedAt, digest.key)),
    "text.notice": fenced("", noticeText(notice.notice, notice.key)),
    "delivery-states": ["| State | Meaning |", "|---|---|", ...Object.entries(DELIVERY_STATE_MEANINGS).map(([state, meaning]) => `| \`${state}\` | ${meaning} |`)].join("\n"),
  };
}

describe("docs/notifications.md", () => {
  it("shows exactly what the code sends, for a reminder the case engine built", async () => {
    const rendered = await examples();
    const marked = [...notificationsDoc.matchAll(MARKED)].map((m) => m[1]!);
    expect(marked.sort()).toEqual(Object.keys(rendered).sort());
    const regenerated = notificationsDoc.replace(MARKED, (_all, name: string) => `<!-- example:${name} -->\n${rendered[name]!}\n<!-- /example -->`);
    await expect(regenerated).toMatchFileSnapshot("../../docs/notifications.md");
  });

  it("states the reminder id as the case object builds it", () => {
    const r = breachedUrgentChat();
    expect(r.id).toMatch(/^ticket:zendesk:5158:sla:first_reply:/);
    expect(notificationsDoc).toContain("`${caseId}:${timer.key}`");
    expect(notificationsDoc).not.toContain("${timerId}");
  });
});
