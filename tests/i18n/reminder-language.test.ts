/**
 * Reminders in the store's language, built by the engine as a case object builds them: a Turkish
 * store's reminders are Turkish (times in Istanbul), a channel that reads English gets English,
 * and no English word leaks into a Turkish title or next action.
 */
import { describe, expect, it } from "vitest";
import { en, tr } from "../../src/i18n";
import { reminderIn } from "../../src/notify/localize";
import { reminderText } from "../../src/notify/render";
import type { RulesDocumentInput } from "../../src/rules/schema";
import { simulateCases } from "../../src/cases/simulate";
import { RulesDocument } from "../../src/rules/schema";
import { AYSE, WEEKDAYS, caseEvents, fireAll, fireOne, type EventInput } from "./support";

const STORE = "st_lang";

/** A Turkish store: its team channel reads Turkish, the lead channel English. */
const turkish: RulesDocumentInput = {
  language: "tr",
  calendars: { ofis: { timeZone: "Europe/Istanbul", week: WEEKDAYS } },
  channels: {
    ekip: { type: "slack", webhookUrl: "https://hooks.slack.com/services/T/B/ekip" },
    lead: { type: "slack", webhookUrl: "https://hooks.slack.com/services/T/B/lead", language: "en" },
  },
  policies: [
    {
      name: "Acil sohbet",
      when: { channels: ["chat"], priorities: ["urgent"] },
      targets: { firstReply: { byPriority: { urgent: "30m" }, warnings: ["10m"] } },
      notify: ["ekip", "lead"],
      escalations: [{ level: 1, after: "15m", channels: ["lead"], message: "Vardiya lideri: vakayı üstlenin." }],
    },
    { name: "Diger", targets: { firstReply: { byPriority: { normal: "8h" } } }, notify: ["ekip"] },
  ],
  playbook: { shipmentDelay: { channels: ["ekip"] } },
};

const ticket = (ticketId: string) => ({ provider: "zendesk" as const, caseKey: { type: "ticket" as const, provider: "zendesk" as const, ticketId } });

function urgentChat(extra: EventInput[] = []) {
  return caseEvents(
    STORE,
    { ...ticket("5158"), occurredAt: "2026-03-02T13:30:00.000Z", kind: "case.opened", channel: "chat", priority: "urgent", status: "open", subject: "Siparişim nerede?", customer: AYSE, orderId: "1042" },
    ...extra,
  );
}

describe("a Turkish store's reminders", () => {
  it("are written in Turkish with the time in Istanbul, and in English for the channel that reads English", () => {
    const r = fireOne(STORE, turkish, urgentChat(), "first_reply.warning");
    expect(r.language).toBe("tr");
    // The policy counts wall-clock time; times are still shown in the store's (only) calendar's zone.
    expect(r.timeZone).toBe("Europe/Istanbul");
    // Opened 13:30Z, due 14:00Z, warned 10 minutes before.
    expect(r.title).toBe(tr.sla.warningTitle("ilk yanıt", "10 dakika", "acil", "canlı sohbet"));
    expect(r.nextAction).toBe("Yanıtı 17:00 öncesinde gönderin (müşteri: Ayşe Yılmaz)."); // 14:00Z in Istanbul
    const english = reminderIn(r, "en");
    expect(english.language).toBe("en");
    expect(english.title).toBe("First reply due in 10m — urgent chat");
    expect(english.nextAction).toBe("Reply to Ayşe Yılmaz before 17:00.");
    // The Turkish copy stays Turkish, and neither copy carries the other's words to a receiver.
    expect(reminderIn(r, "tr").title).toBe(r.title);
    expect(english.texts).toBeUndefined();
  });

  it("shows times in the store's calendar zone, in Turkish", () => {
    const rules: RulesDocumentInput = {
      ...turkish,
      policies: [{ name: "Mesai", targets: { firstReply: { calendar: "ofis", byPriority: { normal: "2h" } } }, notify: ["ekip"] }],
    };
    const events = caseEvents(STORE, { ...ticket("77"), occurredAt: "2026-03-02T07:00:00.000Z", kind: "case.opened", channel: "email", status: "open", customer: AYSE });
    const r = fireOne(STORE, rules, events, "first_reply.breach", 5 * 60_000);
    expect(r.timeZone).toBe("Europe/Istanbul");
    expect(r.title).toBe("İlk yanıt süresi aşıldı (5 dakika gecikme) — normal e-posta");
    // Due 09:00Z = 12:00 in Istanbul; the note's "Son tarih" line says so, in Turkish.
    const text = reminderText(r, r.id);
    expect(text).toContain("[Hatırlatma] İlk yanıt süresi aşıldı");
    expect(text).toContain("Sıradaki adım: Şimdi yanıt verin (müşteri: Ayşe Yılmaz): ilk yanıt hedefi geçti.");
    expect(text).toMatch(/Son tarih: 2 Mart 2026 Pzt 12:00 GMT\+3 \(5 dakika gecikti\)/);
  });

  it("has no English word in any title or next action, across the playbook", () => {
    const parcel = { type: "shipment" as const, carrier: "ups", trackingNumber: "1Z999" };
    const ship = { carrier: "ups", trackingNumber: "1Z999" };
    const tickets = fireAll(
      STORE,
      turkish,
      urgentChat([
        { ...ticket("5158"), occurredAt: "2026-03-02T13:31:00.000Z", kind: "case.customer_message", body: "Merhaba?" },
        { ...ticket("5158"), occurredAt: "2026-03-02T13:32:00.000Z", kind: "case.customer_message", body: "Cevap verin" },
        { ...ticket("5158"), occurredAt: "2026-03-02T13:33:00.000Z", kind: "case.customer_message", body: "Hâlâ yok" },
        { ...ticket("5158"), occurredAt: "2026-03-02T13:34:00.000Z", kind: "case.customer_message", body: "ŞİKAYETVAR'A YAZACAĞIM" },
        { ...ticket("5158"), occurredAt: "2026-03-02T13:35:00.000Z", kind: "case.callback_promised", callback: { at: "2026-03-02T15:00:00.000Z" } },
        { ...ticket("5158"), occurredAt: "2026-03-02T13:36:00.000Z", kind: "case.rating", rating: { score: "bad", comment: "Berbat" } },
      ]),
      Date.parse("2026-03-03T00:00:00Z"),
    );
    const shipments = fireAll(
      STORE,
      turkish,
      caseEvents(
        STORE,
        { provider: "aftership", caseKey: parcel, occurredAt: "2026-03-02T08:00:00.000Z", kind: "shipment.in_transit", shipment: ship, customer: AYSE, orderId: "1042" },
        { provider: "aftership", caseKey: parcel, occurredAt: "2026-03-02T09:00:00.000Z", kind: "shipment.exception", shipment: { ...ship, reason: "Gümrükte bekliyor" } },
      ),
      Date.parse("2026-03-04T12:00:00Z"),
    );
    const all = [...tickets, ...shipments];
    const kinds = new Set(all.map((r) => r.kind));
    for (const k of ["first_reply.warning", "first_reply.breach", "first_reply.escalation", "circles.call_nudge", "dispute.escalation", "callback.reminder", "callback.due", "rating.bad", "shipment.proactive_contact", "shipment.contact_due", "shipment.update_due"]) {
      expect(kinds, k).toContain(k);
    }
    // English words Promptly writes: every word of the English catalogue's sentences.
    const englishWords = new Set(
      [...Object.values(en.defaults), ...collect(en)]
        .join(" ")
        .toLowerCase()
        .split(/[^a-z]+/)
        .filter((w) => w.length >= 3),
    );
    // Words Turkish shares with English, and what the store and the customer wrote.
    for (const shared of ["normal", "web", "sms", "api", "ups", "zendesk", "example", "com", "ayse", "yilmaz"]) englishWords.delete(shared);
    for (const r of all) {
      for (const text of [r.title, r.nextAction]) {
        // Whole words only: "şikâyet" is Turkish, not the English "yet".
        const leaked = text
          .toLocaleLowerCase("tr")
          .split(/[^\p{L}]+/u)
          .filter((w) => englishWords.has(w));
        expect(leaked, `${r.kind}: ${text}`).toEqual([]);
      }
    }
  });

  it("uses the playbook's default guidance in Turkish, and a store's own text as written", () => {
    const parcel = { type: "shipment" as const, carrier: "ups", trackingNumber: "1Z1" };
    const events = caseEvents(STORE, { provider: "aftership", caseKey: parcel, occurredAt: "2026-03-02T09:00:00.000Z", kind: "shipment.exception", shipment: { carrier: "ups", trackingNumber: "1Z1", reason: "Adres eksik" }, customer: AYSE });
    expect(fireOne(STORE, turkish, events, "shipment.proactive_contact").nextAction).toContain(tr.defaults.shipment);
    const own = { ...turkish, playbook: { shipmentDelay: { channels: ["ekip"], guidance: "Kargo firmasını arayıp adresi düzeltin." } } };
    expect(fireOne(STORE, own, events, "shipment.proactive_contact").nextAction).toContain("Kargo firmasını arayıp adresi düzeltin.");
  });

  it("the dry-run shows each reminder in each of its channels' language", () => {
    const events = urgentChat().map((e) => e.event);
    const out = simulateCases({ storeId: STORE, rules: RulesDocument.parse(turkish), rulesVersion: 1, events, until: Date.parse("2026-03-02T16:00:00Z") });
    const warning = out.reminders.find((r) => r.kind === "first_reply.warning")!;
    expect(warning.language).toBe("tr");
    expect(warning.byChannel).toEqual([
      { channel: "ekip", language: "tr", title: warning.title, nextAction: warning.nextAction, details: warning.details },
      { channel: "lead", language: "en", title: "First reply due in 10m — urgent chat", nextAction: "Reply to Ayşe Yılmaz before 17:00.", details: ["urgent chat case zendesk #5158 \"Siparişim nerede?\"", "target 30m (Acil sohbet)"] },
    ]);
    const escalation = out.reminders.find((r) => r.kind === "first_reply.escalation")!;
    expect(escalation.byChannel.map((c) => [c.channel, c.language])).toEqual([["lead", "en"]]);
  });
});

/** Every string the English catalogue builds, with placeholder arguments stripped out. */
function collect(obj: unknown): string[] {
  if (typeof obj === "string") return [obj];
  if (typeof obj === "function") {
    const fn = obj as (...a: unknown[]) => unknown;
    const out = fn(...Array.from({ length: fn.length }, () => ""));
    return typeof out === "string" ? [out] : [];
  }
  if (obj && typeof obj === "object") return Object.values(obj).flatMap(collect);
  return [];
}

describe("digests and channel notices in the channel's language", () => {
  it("a Turkish quiet-hours digest and a Croatian channel notice", async () => {
    const { digestText, noticeText } = await import("../../src/notify/render");
    const { outboundIn } = await import("../../src/notify/localize");
    const events = urgentChat();
    const warning = fireOne(STORE, turkish, events, "first_reply.warning");
    const out = outboundIn({ kind: "digest", key: "digest:k", deliveryId: "digest:k#ekip", storeId: STORE, releasedAt: "2026-03-03T06:00:00.000Z", reminders: [warning, warning] }, "tr");
    if (out.kind !== "digest") throw new Error("unreachable");
    const text = digestText(out.reminders, out.releasedAt, out.key);
    expect(text.split("\n")[0]).toBe("Sessiz saatlerde bekletilen 2 hatırlatma (gönderildi: 3 Mart 2026 Sal 09:00 GMT+3)");
    expect(text).toContain(`1. ${warning.title}: son tarih 2 Mart 2026 Pzt 17:00 GMT+3 (`);
    expect(text).toContain("   Sıradaki adım: Yanıtı 17:00 öncesinde gönderin");
    // The English channel's copy of the same digest is English throughout.
    const english = outboundIn({ kind: "digest", key: "digest:k", deliveryId: "digest:k#lead", storeId: STORE, releasedAt: "2026-03-03T06:00:00.000Z", reminders: [warning] }, "en");
    if (english.kind !== "digest") throw new Error("unreachable");
    expect(digestText(english.reminders, english.releasedAt, english.key).split("\n").slice(0, 3)).toEqual([
      "1 reminder held during quiet hours (released 2026-03-03 06:00 UTC)",
      "",
      "1. First reply due in 10m — urgent chat: due 2026-03-02 14:00 UTC (16 h late)",
    ]);
    const notice = { storeId: STORE, channel: "tim", channelType: "slack", consecutiveFailures: 3, since: "2026-03-02T14:04:00.000Z", lastError: "HTTP 500" };
    const hr = outboundIn({ kind: "notice", key: "n", deliveryId: "n#x", notice }, "hr");
    if (hr.kind !== "notice") throw new Error("unreachable");
    expect(noticeText(hr.notice, hr.key, hr.language).split("\n")[0]).toBe('Kanal "tim" ne radi: 3 isporuke zaredom nisu prošle');
  });
});

describe("the language setting", () => {
  it("refuses a language Promptly does not speak, naming the field", async () => {
    const { checkRules } = await import("../../src/rules/validate");
    const bad = checkRules({ language: "de", channels: { x: { type: "slack", webhookUrl: "https://hooks.slack.com/services/T/B/x", language: "fr" } } });
    expect(bad.ok).toBe(false);
    const paths = bad.ok ? [] : bad.issues.map((i) => i.path);
    expect(paths).toContain("language");
    expect(paths).toContain("channels.x.language");
  });

  it("a channel whose language the reminder was not written in gets it whole in the store's language", () => {
    const r = fireOne(STORE, turkish, urgentChat(), "first_reply.warning");
    const hr = reminderIn(r, "hr");
    expect(hr.language).toBe("tr");
    expect(hr.title).toBe(r.title);
    expect(hr.texts).toBeUndefined();
  });
});
