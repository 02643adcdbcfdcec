/**
 * Starter documents an admin can copy, edit and PUT. Each is a complete, valid rules document
 * (tests prove it), written the way a support lead would describe their shop.
 *
 * Channel credentials in templates are the write-only mask "********": a template is never
 * saved with a placeholder key by accident, because a PUT that still carries the mask for a
 * channel with nothing stored answers 400 at exactly the fields to fill in. A dry-run accepts
 * the template as it is.
 */
import { z } from "zod";
import { ALWAYS_OPEN, RulesDocument, SECRET_MASK, type RulesDocumentInput } from "./schema";

export const RulesTemplate = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  rules: RulesDocument,
});
export type RulesTemplate = z.infer<typeof RulesTemplate>;

const weekdays = (open: string, close: string) => ({
  mon: [[open, close] as [string, string]],
  tue: [[open, close] as [string, string]],
  wed: [[open, close] as [string, string]],
  thu: [[open, close] as [string, string]],
  fri: [[open, close] as [string, string]],
});

const smallWebshop: RulesDocumentInput = {
  description: "Small webshop: one team answering 09:00–18:00 on weekdays, chat handled live, email within the business day.",
  calendars: {
    "Office hours": { timeZone: "Europe/London", week: weekdays("09:00", "18:00"), holidays: ["2026-12-25", "2026-12-26", "2027-01-01"] },
  },
  channels: {
    team: { type: "slack", webhookUrl: SECRET_MASK },
    "shift-lead": { type: "slack", webhookUrl: SECRET_MASK },
  },
  policies: [
    {
      name: "Urgent chat",
      description: "A customer waiting in a live chat: first reply in 5 business minutes, warn at 2, shift lead 5 minutes after a breach.",
      when: { channels: ["chat"], priorities: ["urgent"] },
      targets: {
        firstReply: { calendar: "Office hours", byPriority: { urgent: "5m" }, warnings: ["2m"] },
        nextReply: { calendar: "Office hours", byPriority: { urgent: "10m" }, warnings: ["5m"] },
      },
      notify: ["team"],
      escalations: [{ level: 1, after: "5m", channels: ["shift-lead"], message: "Shift lead: take this chat or reassign it now, the customer is still waiting." }],
    },
    {
      name: "Live chat",
      when: { channels: ["chat"] },
      targets: {
        firstReply: { calendar: "Office hours", byPriority: { high: "10m", normal: "15m", low: "30m" }, warnings: ["5m"] },
        nextReply: { calendar: "Office hours", byPriority: { high: "15m", normal: "30m", low: "1h" }, warnings: ["5m"] },
      },
      notify: ["team"],
    },
    {
      name: "Email and everything else",
      when: {},
      targets: {
        firstReply: { calendar: "Office hours", byPriority: { urgent: "1h", high: "2h", normal: "4h", low: "9h" }, warnings: ["30m"] },
        nextReply: { calendar: "Office hours", byPriority: { urgent: "2h", high: "4h", normal: "9h", low: "18h" }, warnings: ["1h"] },
        resolution: { calendar: "Office hours", byPriority: { urgent: "9h", high: "18h", normal: "27h", low: "45h" }, warnings: ["2h"] },
      },
      notify: ["team"],
      escalations: [{ level: 1, after: "1h", channels: ["shift-lead"], message: "Overdue for an hour of business time: take it or hand it to someone who can answer today." }],
    },
  ],
  playbook: {
    badRating: { replyWithin: "2h", calendar: "Office hours" },
    shipmentDelay: { calendar: "Office hours", proactiveContactWithin: "4h", updateEvery: "24h" },
  },
  quietHours: { calendar: "Office hours" },
};

const marketplaceSeller: RulesDocumentInput = {
  description:
    "24/7 marketplace seller: buyer messages on marketplaces are answered within 12 hours around the clock (marketplaces rate sellers on 24-hour response times), urgent ones within 2.",
  channels: {
    "on-call": { type: "webhook", url: "https://example.com/promptly-reminders", secret: SECRET_MASK },
  },
  policies: [
    {
      name: "Marketplace buyer messages",
      when: { channels: ["marketplace"] },
      targets: {
        firstReply: { calendar: ALWAYS_OPEN, byPriority: { urgent: "2h", high: "6h", normal: "12h", low: "12h" }, warnings: ["1h"] },
        nextReply: { calendar: ALWAYS_OPEN, byPriority: { urgent: "2h", high: "6h", normal: "12h", low: "12h" }, warnings: ["1h"] },
      },
      notify: ["on-call"],
      escalations: [
        { level: 1, after: "0s", message: "Breached: answer now, the marketplace counts every hour past 24 against the seller rating." },
        { level: 2, after: "6h", message: "Six hours past the target: the next breach of the 24-hour rule is close. Answer or hand over now." },
      ],
    },
    {
      name: "Shop chat and email",
      when: {},
      targets: {
        firstReply: { calendar: ALWAYS_OPEN, byPriority: { urgent: "1h", high: "4h", normal: "8h", low: "24h" }, warnings: ["30m"] },
        resolution: { calendar: ALWAYS_OPEN, byPriority: { urgent: "24h", high: "2d", normal: "3d", low: "5d" }, warnings: ["4h"] },
      },
      notify: ["on-call"],
      escalations: [{ level: 1, after: "2h", message: "Two hours past the target: someone on call should take it." }],
    },
  ],
  playbook: {
    shipmentDelay: { proactiveContactWithin: "2h", updateEvery: "24h", signals: { noScanFor: "48h", labelNotShippedFor: "2d" } },
    disputeRisk: { tags: ["chargeback", "dispute", "a-to-z", "claim"] },
  },
};

/**
 * Turkish public holidays 2026–2027. Religious holidays follow the Diyanet calendar; the eves
 * (arife) and 28 October are half days, closed from 13:00. Check the official announcement for
 * each year: governments sometimes add bridge days.
 */
const TR_HOLIDAYS = [
  // 2026
  "2026-01-01", "2026-03-20", "2026-03-21", "2026-03-22", "2026-04-23", "2026-05-01", "2026-05-19",
  "2026-05-27", "2026-05-28", "2026-05-29", "2026-05-30", "2026-07-15", "2026-08-30", "2026-10-29",
  // 2027 (Kurban Bayramı's fourth day falls on 19 May)
  "2027-01-01", "2027-03-09", "2027-03-10", "2027-03-11", "2027-04-23", "2027-05-01", "2027-05-16",
  "2027-05-17", "2027-05-18", "2027-05-19", "2027-07-15", "2027-08-30", "2027-10-29",
];
const TR_HALF_DAYS = ["2026-03-19", "2026-05-26", "2026-10-28", "2027-03-08", "2027-05-15", "2027-10-28"];

const turkishStore: RulesDocumentInput = {
  description: "Store in Istanbul: weekdays 09:00–18:00 and Saturday 10:00–14:00, closed on Turkish public holidays 2026–2027, half days on the eves.",
  language: "tr",
  calendars: {
    "Istanbul office": {
      timeZone: "Europe/Istanbul",
      week: { ...weekdays("09:00", "18:00"), sat: [["10:00", "14:00"]] },
      holidays: TR_HOLIDAYS,
      closures: TR_HALF_DAYS.map((date) => ({ date, start: "13:00", end: "18:00" })),
    },
  },
  channels: {
    "zendesk-note": { type: "zendesk_note", baseUrl: "https://yourshop.zendesk.com", email: "support-bot@yourshop.com.tr", apiToken: SECRET_MASK },
    ekip: { type: "slack", webhookUrl: SECRET_MASK },
  },
  policies: [
    {
      name: "VIP",
      when: { segmentTags: ["vip"] },
      targets: {
        firstReply: { calendar: "Istanbul office", byPriority: { urgent: "30m", high: "1h", normal: "2h", low: "4h" }, warnings: ["15m"] },
        nextReply: { calendar: "Istanbul office", byPriority: { urgent: "1h", high: "2h", normal: "4h", low: "8h" }, warnings: ["30m"] },
      },
      notify: ["zendesk-note", "ekip"],
      escalations: [{ level: 1, after: "30m", channels: ["ekip"], message: "VIP müşteri hedef süreyi aşmış bekliyor: ekip lideri bizzat yanıtlasın." }],
    },
    {
      name: "Everyone",
      when: {},
      targets: {
        firstReply: { calendar: "Istanbul office", byPriority: { urgent: "1h", high: "2h", normal: "4h", low: "9h" }, warnings: ["30m"] },
        nextReply: { calendar: "Istanbul office", byPriority: { urgent: "2h", high: "4h", normal: "9h", low: "18h" }, warnings: ["1h"] },
        resolution: { calendar: "Istanbul office", byPriority: { urgent: "9h", high: "18h", normal: "36h", low: "54h" }, warnings: ["3h"] },
      },
      notify: ["zendesk-note"],
      escalations: [{ level: 1, after: "2h", channels: ["ekip"], message: "Hedefin üzerinden iki mesai saati geçti: vakayı üstlenin ya da başka birine atayın." }],
    },
  ],
  playbook: {
    badRating: { calendar: "Istanbul office", replyWithin: "2h" },
    shipmentDelay: { calendar: "Istanbul office", proactiveContactWithin: "3h", updateEvery: "24h" },
  },
  quietHours: { calendar: "Istanbul office" },
};

/**
 * Croatian public holidays 2026–2027, from the Zakon o blagdanima, spomendanima i neradnim danima
 * u Republici Hrvatskoj (NN 110/19): 1 and 6 January, Easter Sunday and Monday, 1 May, 30 May,
 * Corpus Christi (Easter + 60 days), 22 June, 5 August, 15 August, 1 November, 18 November, 25
 * and 26 December. Easter is 5 April 2026 and 28 March 2027; Corpus Christi 4 June 2026 and
 * 27 May 2027.
 */
const HR_HOLIDAYS = [
  // 2026
  "2026-01-01", "2026-01-06", "2026-04-05", "2026-04-06", "2026-05-01", "2026-05-30", "2026-06-04",
  "2026-06-22", "2026-08-05", "2026-08-15", "2026-11-01", "2026-11-18", "2026-12-25", "2026-12-26",
  // 2027
  "2027-01-01", "2027-01-06", "2027-03-28", "2027-03-29", "2027-05-01", "2027-05-27", "2027-05-30",
  "2027-06-22", "2027-08-05", "2027-08-15", "2027-11-01", "2027-11-18", "2027-12-25", "2027-12-26",
];

const croatianStore: RulesDocumentInput = {
  description: "Store in Zagreb: weekdays 08:00–16:00, closed on Croatian public holidays 2026–2027; reminders in Croatian.",
  language: "hr",
  calendars: {
    "Zagreb office": { timeZone: "Europe/Zagreb", week: weekdays("08:00", "16:00"), holidays: HR_HOLIDAYS },
  },
  channels: {
    tim: { type: "slack", webhookUrl: SECRET_MASK },
    "gorgias-note": { type: "gorgias_note", baseUrl: "https://yourshop.gorgias.com", username: "podrska@yourshop.hr", apiKey: SECRET_MASK },
  },
  policies: [
    {
      name: "Chat",
      when: { channels: ["chat"] },
      targets: {
        firstReply: { calendar: "Zagreb office", byPriority: { urgent: "10m", high: "15m", normal: "30m", low: "1h" }, warnings: ["5m"] },
        nextReply: { calendar: "Zagreb office", byPriority: { urgent: "15m", high: "30m", normal: "1h", low: "2h" }, warnings: ["5m"] },
      },
      notify: ["tim"],
    },
    {
      name: "Svi ostali",
      when: {},
      targets: {
        firstReply: { calendar: "Zagreb office", byPriority: { urgent: "1h", high: "2h", normal: "4h", low: "8h" }, warnings: ["30m"] },
        resolution: { calendar: "Zagreb office", byPriority: { urgent: "8h", high: "16h", normal: "24h", low: "40h" }, warnings: ["2h"] },
      },
      notify: ["tim", "gorgias-note"],
      escalations: [{ level: 1, after: "2h", channels: ["tim"], message: "Dva radna sata nakon roka: preuzmite predmet ili ga dodijelite nekom drugom." }],
    },
  ],
  playbook: {
    badRating: { calendar: "Zagreb office", replyWithin: "2h" },
    shipmentDelay: { calendar: "Zagreb office", proactiveContactWithin: "4h", updateEvery: "24h" },
  },
  quietHours: { calendar: "Zagreb office" },
};

const TEMPLATE_INPUTS: { id: string; title: string; description: string; input: RulesDocumentInput }[] = [
  { id: "small-webshop", title: "Small webshop, 09:00–18:00 on weekdays", description: smallWebshop.description!, input: smallWebshop },
  { id: "marketplace-24-7", title: "Marketplace seller, around the clock", description: marketplaceSeller.description!, input: marketplaceSeller },
  { id: "turkey-holidays", title: "Store in Turkey with public holidays 2026–2027", description: turkishStore.description!, input: turkishStore },
  { id: "croatia-holidays", title: "Store in Croatia with public holidays 2026–2027", description: croatianStore.description!, input: croatianStore },
];

/** Every template, defaults filled in, so the admin sees every value they can change. */
export function rulesTemplates(): RulesTemplate[] {
  return TEMPLATE_INPUTS.map((t) => ({ id: t.id, title: t.title, description: t.description, rules: RulesDocument.parse(t.input) }));
}

/** The raw template inputs (what an admin would write), for tests and docs. */
export function templateInputs(): readonly { id: string; input: RulesDocumentInput }[] {
  return TEMPLATE_INPUTS;
}
