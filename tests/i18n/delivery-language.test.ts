/**
 * A Turkish store's reminder, delivered for real to a local receiver standing in for Slack and
 * Zendesk: the team's Slack channel and the Zendesk note read Turkish with Istanbul times, the
 * lead's Slack channel (language "en") reads English, and the signed webhook carries the
 * receiving channel's words with its machine fields unchanged.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { tr } from "../../src/i18n";
import { dispatchReminder } from "../../src/notify/dispatch";
import { Sink } from "../notify/support/receiver";
import { assertSlackPayload, blockText } from "../notify/support/slack-blocks";
import { deliveryOf, eventually, storeWithRules, type TestStore } from "../notify/support/store";
import { AYSE, WEEKDAYS, caseEvents, fireOne } from "./support";

async function delivered(store: TestStore, id: string) {
  return eventually(async () => ((await deliveryOf(store, id))?.state === "delivered" ? true : undefined), `${id} delivered`);
}

describe("a Turkish store's reminder, delivered", () => {
  it("reaches Slack and the Zendesk note in Turkish with Istanbul times, and the English channel in English", async () => {
    const sink = await Sink.create();
    const rules = {
      language: "tr",
      calendars: { ofis: { timeZone: "Europe/Istanbul", week: WEEKDAYS } },
      channels: {
        ekip: { type: "slack", webhookUrl: `${sink.url}/ekip` },
        lead: { type: "slack", webhookUrl: `${sink.url}/lead`, language: "en" },
        notlar: { type: "zendesk_note", baseUrl: `${sink.url}/zd`, email: "bot@shop.com.tr", apiToken: "zd-token" },
        kanca: { type: "webhook", url: `${sink.url}/hook`, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" },
      },
      policies: [{ name: "Mesai", targets: { firstReply: { calendar: "ofis", byPriority: { urgent: "1h" } } }, notify: ["ekip", "lead", "notlar", "kanca"] }],
    };
    const store = await storeWithRules(rules);
    const key = { type: "ticket" as const, provider: "zendesk" as const, ticketId: "5158" };
    // Opened Monday 10:00 in Istanbul (07:00Z); first reply due 11:00 (08:00Z); fired 4 minutes late.
    const events = caseEvents(store.storeId, { provider: "zendesk", caseKey: key, occurredAt: "2026-03-02T07:00:00.000Z", kind: "case.opened", channel: "chat", priority: "urgent", status: "open", customer: AYSE, subject: "Siparişim nerede?" });
    const r = fireOne(store.storeId, rules as never, events, "first_reply.breach", 4 * 60_000);
    await dispatchReminder(env, r);
    for (const ch of ["ekip", "lead", "notlar", "kanca"]) await delivered(store, `${r.id}#${ch}`);
    const got = await sink.requests();
    const body = (path: string) => got.find((x) => x.path.startsWith(path))!.body;

    const team = JSON.parse(body("/ekip")) as unknown;
    assertSlackPayload(team);
    expect(team.blocks[0]).toMatchObject({ type: "header", text: { text: "🔴 İlk yanıt süresi aşıldı (4 dakika gecikme) — acil canlı sohbet" } });
    expect(team.blocks[1]).toMatchObject({ text: { text: "*Sıradaki adım:* Şimdi yanıt verin (müşteri: Ayşe Yılmaz): ilk yanıt hedefi geçti." } });
    const teamText = blockText(team.blocks);
    // Slack's date token falls back to Istanbul time, said in Turkish; the lateness too.
    expect(teamText).toMatch(/\*Son tarih\*\n<!date\^\d+\^\{date_short_pretty\} \{time\}\|2 Mart 2026 Pzt 11:00 GMT\+3> \(4 dakika gecikti\)/);
    expect(teamText).toContain("*Müşteri*");
    expect(teamText).toContain(tr.render.urgent);
    expect(teamText).not.toMatch(/Next action|Customer|Due\b|overdue/);

    const lead = JSON.parse(body("/lead")) as unknown;
    assertSlackPayload(lead);
    expect(lead.blocks[0]).toMatchObject({ type: "header", text: { text: "🔴 First reply overdue by 4m — urgent chat" } });
    expect(blockText(lead.blocks)).toMatch(/\*Due\*\n<!date\^\d+\^\{date_short_pretty\} \{time\}\|2026-03-02 08:00 UTC> \(4 min late\)/);

    const note = JSON.parse(body("/zd/api/v2/tickets/5158.json")) as { ticket: { comment: { body: string; public: boolean } } };
    expect(note.ticket.comment.public).toBe(false);
    expect(note.ticket.comment.body.split("\n").slice(0, 3)).toEqual(["[ACİL] İlk yanıt süresi aşıldı (4 dakika gecikme) — acil canlı sohbet", "", "Sıradaki adım: Şimdi yanıt verin (müşteri: Ayşe Yılmaz): ilk yanıt hedefi geçti."]);
    expect(note.ticket.comment.body).toContain("Son tarih: 2 Mart 2026 Pzt 11:00 GMT+3 (4 dakika gecikti)");

    const hook = JSON.parse(body("/hook")) as { type: string; data: Record<string, unknown> };
    expect(hook.type).toBe("reminder.fired");
    expect(hook.data).toMatchObject({ kind: "first_reply.breach", language: "tr", timeZone: "Europe/Istanbul", title: note.ticket.comment.body.split("\n")[0]!.replace("[ACİL] ", ""), dueAt: "2026-03-02T08:00:00.000Z", lateByMs: 240_000 });
    expect(hook.data).not.toHaveProperty("texts");
  });
});
