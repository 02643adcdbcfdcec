/**
 * The rules document: one per store, versioned, and the only place a store says how support
 * time is measured and who is told when it runs out.
 *
 * This zod schema is the source of the TypeScript types, of request validation (field paths in
 * 400 answers) and of the OpenAPI document. Every section has defaults, so `{}` is a valid
 * document (no SLA policies, playbook on with sensible values), and a lead can add one thing at
 * a time. Cross-references (calendar and channel names, warning offsets versus targets,
 * duplicate names, escalation order) are checked in `validate.ts`, which reports every problem
 * at once.
 *
 * Time: durations are strings ("5m", "2h", "1h30m"). A target on a named calendar counts only
 * that calendar's open time ("8h" on a 9–17 weekday calendar is one business day); `"24/7"`
 * counts wall-clock time. `d` and `w` are always 24 h and 7 × 24 h of the target's clock, so
 * business targets are best written in hours.
 */
import { z } from "zod";
import { CaseStatus, Channel, CurrencyCode, Priority, ProviderId, type OrderValue } from "../events/model";
import { BusinessCalendar } from "./calendar-ref";
import { Duration, PositiveDuration } from "./duration";
import { DEFAULT_LANGUAGE, LANGUAGES } from "../i18n";
import { RULES_LIMITS as L } from "./limits";

export { Duration, PositiveDuration, parseDuration, formatDuration, DurationError } from "./duration";

/** The reserved calendar name for "count every second": needs no entry in `calendars`. */
export const ALWAYS_OPEN = "24/7";
/** What write-only secrets read back as; sending it in a PUT keeps the stored secret. */
export const SECRET_MASK = "********";

const Name = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _.:\-/]*$/, "use letters, digits, spaces and _ . : - / (starting with a letter or digit)");

/** A tag, group or segment name as a policy condition names it. */
const Tag = z.string().min(1).max(L.tagLength);

/** A calendar name from `calendars`, or "24/7". */
export const CalendarName = z.string().min(1).max(80).meta({ description: `A name from \`calendars\`, or "${ALWAYS_OPEN}" for wall-clock time.` });
/** A channel name from `channels`. */
export const ChannelName = z.string().min(1).max(80).meta({ description: "A name from `channels`." });

const HttpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });
/** A write-only credential: returned as "********"; a PUT may send "********" to keep the stored one. */
const Secret = z.string().min(1).max(2000).meta({ description: `Write-only. Reads return "${SECRET_MASK}"; send "${SECRET_MASK}" back to keep the stored value.`, writeOnly: true });
/** A Slack incoming-webhook URL is itself the credential, so it is a secret too. */
const SecretUrl = z
  .string()
  .max(2000)
  .meta({ description: `Write-only URL (it is the credential). Reads return "${SECRET_MASK}".`, writeOnly: true })
  .refine((v) => v === SECRET_MASK || HttpUrl.safeParse(v).success, "must be an http(s) URL");

/** The language Promptly writes in: reminders, digests, notices, notes. */
export const Language = z.enum(LANGUAGES).meta({ description: "en (English), tr (Turkish) or hr (Croatian)." });
/** On a channel: its readers' language, when it differs from the store's (an English lead channel in a Turkish store). */
const ChannelLanguage = Language.optional().meta({ description: "This channel's language; the store's `language` when left out." });

// ---------------------------------------------------------------------------------------------
// Channels: where reminders go.

export const SlackChannel = z.strictObject({
  type: z.literal("slack"),
  language: ChannelLanguage,
  /** Slack incoming webhook (https://hooks.slack.com/services/…). */
  webhookUrl: SecretUrl,
});
/**
 * A Slack app (bot token): reminders go out with `chat.postMessage`, carry buttons, and are
 * updated after someone acts on them (src/slack/). The signing secret verifies the app's
 * interactivity requests (`POST /slack/:storeId/interactions`).
 */
export const SlackAppChannel = z.strictObject({
  type: z.literal("slack_app"),
  language: ChannelLanguage,
  /** Bot User OAuth Token (`xoxb-…`), scope `chat:write`. */
  botToken: Secret,
  /** The app's Signing Secret (Basic Information → App Credentials). */
  signingSecret: Secret,
  /** The conversation id the bot posts to (`C…`), with the bot invited to it. */
  channel: z.string().min(1).max(80).regex(/^[A-Za-z0-9._#-]+$/, "a Slack conversation id such as C0123456789"),
  /** Slack's Web API (overridable so a proxy or a test server can stand in). */
  baseUrl: HttpUrl.default("https://slack.com/api"),
});
export const WebhookChannel = z.strictObject({
  type: z.literal("webhook"),
  language: ChannelLanguage,
  url: HttpUrl,
  /** Signs each delivery (Standard Webhooks: webhook-id / webhook-timestamp / webhook-signature). */
  secret: Secret,
});
export const ZendeskNoteChannel = z.strictObject({
  type: z.literal("zendesk_note"),
  language: ChannelLanguage,
  /** e.g. https://yourshop.zendesk.com (overridable so a proxy or a test server can stand in). */
  baseUrl: HttpUrl,
  /** The agent the internal note is posted as (API token auth: `email/token`). */
  email: z.string().min(3).max(320),
  apiToken: Secret,
});
export const FreshdeskNoteChannel = z.strictObject({
  type: z.literal("freshdesk_note"),
  language: ChannelLanguage,
  /** e.g. https://yourshop.freshdesk.com */
  baseUrl: HttpUrl,
  apiKey: Secret,
});
/**
 * Help Scout's Mailbox API issues access tokens through the client-credentials flow and they
 * expire after two days, so the app id and secret are stored and the token is fetched as needed.
 */
export const HelpScoutNoteChannel = z.strictObject({
  type: z.literal("helpscout_note"),
  language: ChannelLanguage,
  baseUrl: HttpUrl.default("https://api.helpscout.net"),
  appId: z.string().min(1).max(200),
  appSecret: Secret,
});
export const GorgiasNoteChannel = z.strictObject({
  type: z.literal("gorgias_note"),
  language: ChannelLanguage,
  /** e.g. https://yourshop.gorgias.com */
  baseUrl: HttpUrl,
  /** The Gorgias user email for HTTP basic auth. */
  username: z.string().min(1).max(320),
  apiKey: Secret,
});

export const NotificationChannel = z.discriminatedUnion("type", [
  SlackChannel,
  SlackAppChannel,
  WebhookChannel,
  ZendeskNoteChannel,
  FreshdeskNoteChannel,
  HelpScoutNoteChannel,
  GorgiasNoteChannel,
]);
export type NotificationChannel = z.infer<typeof NotificationChannel>;
export type ChannelType = NotificationChannel["type"];

/** Which fields of each channel type are write-only secrets. */
export const SECRET_FIELDS: { readonly [T in ChannelType]: readonly string[] } = {
  slack: ["webhookUrl"],
  slack_app: ["botToken", "signingSecret"],
  webhook: ["secret"],
  zendesk_note: ["apiToken"],
  freshdesk_note: ["apiKey"],
  helpscout_note: ["appSecret"],
  gorgias_note: ["apiKey"],
};

// ---------------------------------------------------------------------------------------------
// Policies: first match wins.

export const METRICS = ["firstReply", "nextReply", "periodicUpdate", "resolution"] as const;
export const Metric = z.enum(METRICS);
export type Metric = z.infer<typeof Metric>;

export const CASE_TYPES = ["ticket", "shipment"] as const;

const MinAmount = z.number({ error: "must be a number, e.g. 500" }).nonnegative({ error: "an order value cannot be negative" });

/**
 * The least order value a policy asks for. Promptly never converts currencies: a bare number
 * compares the amount whatever currency the order is in (a store that sells in one currency);
 * with a currency, only an order stated in that currency can match.
 */
export const MinOrderValue = z
  .union([MinAmount, z.strictObject({ amount: MinAmount, currency: CurrencyCode })], {
    error: 'must be an amount (500) or an amount with its currency ({ "amount": 500, "currency": "EUR" })',
  })
  .meta({
    description:
      'The order value is known and at least this. A number compares the amount in whatever currency the order is in (for a store selling in one currency); { "amount", "currency" } matches only orders in that currency. Currencies are never converted; a case whose order value is unknown does not match.',
  });
export type MinOrderValue = z.infer<typeof MinOrderValue>;

/** All conditions present must hold; an empty `when` matches every case (a catch-all). */
export const PolicyConditions = z.strictObject({
  /** Ticket or shipment case. */
  caseTypes: z.array(z.enum(CASE_TYPES)).min(1).max(L.enumValues).optional(),
  channels: z.array(Channel).min(1).max(L.enumValues).optional(),
  /** A case with no priority counts as `normal`. */
  priorities: z.array(Priority).min(1).max(L.enumValues).optional(),
  providers: z.array(ProviderId).min(1).max(L.enumValues).optional(),
  tags: z
    .strictObject({
      /** At least one of these tags. */
      any: z.array(Tag).min(1).max(L.tags).optional(),
      /** Every one of these tags. */
      all: z.array(Tag).min(1).max(L.tags).optional(),
      /** None of these tags. */
      none: z.array(Tag).min(1).max(L.tags).optional(),
    })
    .optional(),
  /** The helpdesk group (team) the case is assigned to. */
  groups: z.array(Tag).min(1).max(L.tags).optional(),
  /** Customer segment: the case or the customer carries one of these tags (e.g. "vip"). */
  segmentTags: z.array(Tag).min(1).max(L.tags).optional(),
  minOrderValue: MinOrderValue.optional(),
});
export type PolicyConditions = z.infer<typeof PolicyConditions>;

/** Statuses in which a clock stops counting: waiting on the customer or on someone else. */
export const DEFAULT_PAUSE_ON: CaseStatus[] = ["pending", "on-hold", "waiting-on-third-party"];

export const TargetSpec = z.strictObject({
  calendar: CalendarName.default(ALWAYS_OPEN),
  /** The target per priority; a priority left out has no target for this metric. */
  byPriority: z.strictObject({
    low: PositiveDuration.optional(),
    normal: PositiveDuration.optional(),
    high: PositiveDuration.optional(),
    urgent: PositiveDuration.optional(),
  }),
  pauseOn: z.array(CaseStatus).max(L.enumValues).default(DEFAULT_PAUSE_ON),
  /** Warning ladder: offsets before the due instant, e.g. ["1h", "15m"]. */
  warnings: z
    .array(PositiveDuration)
    .max(10)
    .default([])
    .meta({
      description: `Warn this long before the due instant, counted in business time on the target's calendar (wall-clock time on "${ALWAYS_OPEN}"), e.g. ["1h", "15m"]. Each offset must be shorter than every priority's target.`,
    }),
});
export type TargetSpec = z.infer<typeof TargetSpec>;

export const Escalation = z.strictObject({
  /** 1, 2, 3…: strictly increasing down the list, with non-decreasing `after`. */
  level: z.number().int().min(1).max(20),
  /**
   * Business time on the breached target's calendar after its due instant, as the SLA fold
   * computes it: on a 9–18 calendar, "1h" after a 17:30 breach is 09:30 the next business day.
   */
  after: Duration.meta({
    description: `How long after the due instant this level fires, counted in business time on the breached target's calendar (wall-clock time on "${ALWAYS_OPEN}"). "0s" escalates at the breach itself.`,
  }),
  /** Who is told; empty means the policy's `notify` channels. */
  channels: z.array(ChannelName).max(L.channelNames).default([]),
  /** What the reminder says to do, e.g. "Shift lead: take the case or reassign it now". */
  message: z.string().min(1).max(500),
  /** Only breaches of these metrics escalate; all metrics when left out. */
  metrics: z.array(Metric).min(1).max(L.enumValues).optional(),
});
export type Escalation = z.infer<typeof Escalation>;

export const Policy = z.strictObject({
  name: Name,
  description: z.string().max(500).optional(),
  when: PolicyConditions.prefault({}),
  targets: z
    .strictObject({
      /** Case opened → first public agent reply. */
      firstReply: TargetSpec.optional(),
      /** Oldest unanswered customer message → next public agent reply. */
      nextReply: TargetSpec.optional(),
      /** Longest gap between public agent updates while the case is unsolved. */
      periodicUpdate: TargetSpec.optional(),
      /** Case opened → solved (reopening resumes it). */
      resolution: TargetSpec.optional(),
    })
    .prefault({}),
  /** Channels told about warnings and breaches of this policy's targets. */
  notify: z.array(ChannelName).max(L.channelNames).default([]),
  escalations: z.array(Escalation).max(10).default([]),
});
export type Policy = z.infer<typeof Policy>;

// ---------------------------------------------------------------------------------------------
// Playbook: situations support leads want to catch, each on by default.
// `channels: []` in any playbook rule means "the matched policy's notify channels".

const PlaybookChannels = z
  .array(ChannelName)
  .max(L.channelNames)
  .default([])
  .meta({ description: "Channels told when this rule fires; empty means the matched policy's `notify` channels." });

export const BadRatingRule = z.strictObject({
  enabled: z.boolean().default(true),
  /** A bad satisfaction rating opens a "reply to this rating" target of this length. */
  replyWithin: PositiveDuration.default("2h"),
  calendar: CalendarName.default(ALWAYS_OPEN),
  /** Reply publicly on the rating where the helpdesk supports it (else an internal reminder). */
  publicReply: z.boolean().default(true),
  channels: PlaybookChannels,
});

export const GoingInCirclesRule = z.strictObject({
  enabled: z.boolean().default(true),
  /** Customer messages since the last solve that suggest writing is not working. */
  customerMessages: z.number().int().min(2).max(100).default(4),
  /** Reopenings of the same case. */
  reopenings: z.number().int().min(1).max(100).default(2),
  channels: PlaybookChannels,
  suggestion: z.string().min(1).max(500).default("Call the customer instead of writing again; if there is no phone number, offer a call slot."),
});

export const DEFAULT_DISPUTE_WORDS = [
  "chargeback",
  "dispute",
  "lawyer",
  "attorney",
  "legal action",
  "small claims",
  "trustpilot",
  "consumer protection",
  "report you",
  "my bank",
  "credit card company",
  "paypal claim",
  "scam",
  "fraud",
];

export const DisputeRiskRule = z.strictObject({
  enabled: z.boolean().default(true),
  /** Matched case-insensitively as whole words in customer messages. */
  words: z.array(z.string().min(2).max(100)).max(L.words).default(DEFAULT_DISPUTE_WORDS),
  tags: z.array(Tag).max(L.tags).default(["chargeback", "dispute"]),
  channels: PlaybookChannels,
  suggestion: z
    .string()
    .min(1)
    .max(500)
    .default("The customer is close to a chargeback or a public complaint: offer a refund or a coupon now, before the bank or a review site decides for you."),
});

/**
 * How a promise is recognised is configured per helpdesk (provider options `callbackTag` /
 * `callbackField`) or comes from `POST …/callbacks`; this rule only says what happens around the
 * promised instant, in wall-clock time (a promise is made for a moment, not for business hours).
 */
export const CallbackRule = z.strictObject({
  enabled: z.boolean().default(true),
  /** Remind the owner this long before the promised time. */
  remindBefore: Duration.default("15m"),
  /** The promise is breached at the promised time plus this grace. */
  grace: Duration.default("10m"),
  /** Escalate this long after the breach if the call still has not happened. */
  escalateAfter: Duration.default("30m"),
  channels: PlaybookChannels,
  escalationChannels: z
    .array(ChannelName)
    .max(L.channelNames)
    .default([])
    .meta({ description: "Channels told when the callback is still not made `escalateAfter` past the breach; empty means this rule's `channels`." }),
});

export const ShipmentDelayRule = z.strictObject({
  enabled: z.boolean().default(true),
  /** Which carrier signals count as a delay. */
  signals: z
    .strictObject({
      exception: z.boolean().default(true),
      failedAttempt: z.boolean().default(true),
      etaLater: z.boolean().default(true),
      /** No carrier scan for this long (on `calendar`); null turns it off. */
      noScanFor: PositiveDuration.nullable().default("48h"),
      /** The promised delivery date passed and the parcel is not delivered. */
      pastPromisedDate: z.boolean().default(true),
      /** Label created but no carrier scan for this long (wall clock); null turns it off. */
      labelNotShippedFor: PositiveDuration.nullable().default("3d"),
    })
    .prefault({}),
  /** Contact the customer before they contact us: target from the first delay signal. */
  proactiveContactWithin: PositiveDuration.default("4h"),
  calendar: CalendarName.default(ALWAYS_OPEN),
  /** Keep the customer updated this often until delivery, counted from the last contact marked on the parcel. */
  updateEvery: PositiveDuration.default("24h"),
  /** Phone first when a phone number is known. */
  preferPhone: z.boolean().default(true),
  channels: PlaybookChannels,
  guidance: z
    .string()
    .min(1)
    .max(1000)
    .default(
      "Tell the customer before they ask: admit the delay, explain the cause in plain words from the carrier's reason, and offer a refund of shipping, a full refund, or a new delivery date.",
    ),
});

export const Playbook = z.strictObject({
  badRating: BadRatingRule.prefault({}),
  goingInCircles: GoingInCirclesRule.prefault({}),
  disputeRisk: DisputeRiskRule.prefault({}),
  callback: CallbackRule.prefault({}),
  shipmentDelay: ShipmentDelayRule.prefault({}),
});
export type Playbook = z.infer<typeof Playbook>;

export const QuietHours = z.strictObject({
  /** Non-urgent reminders wait until this calendar is open; urgent ones go at once. */
  calendar: CalendarName,
});

// ---------------------------------------------------------------------------------------------

export const RulesDocument = z
  .strictObject({
    description: z.string().max(1000).optional(),
    /** What Promptly writes to people in, unless a channel says otherwise; also picks the default dispute words. */
    language: Language.default(DEFAULT_LANGUAGE),
    /** Named business-hours calendars; "24/7" is built in. */
    calendars: z.record(Name, BusinessCalendar).meta({ maxProperties: L.calendars }).default({}),
    /** Named notification targets; secrets are write-only. */
    channels: z.record(Name, NotificationChannel).meta({ maxProperties: L.channels }).default({}),
    /** Ordered: the first policy whose `when` matches a case decides its targets. */
    policies: z.array(Policy).max(L.policies).default([]),
    playbook: Playbook.prefault({}),
    quietHours: QuietHours.optional(),
    /** How escalation ladders stop (src/cases/ownership.ts); acknowledgements always stop them. */
    escalation: z
      .strictObject({
        assigneeCountsAsOwner: z.boolean().default(false).meta({ description: "A helpdesk assignment to a person stops the breach's remaining escalation levels, like an acknowledgement." }),
      })
      .optional(),
  })
  .meta({ description: "A store's SLA policies, playbook, calendars and notification channels." });
/** A parsed document: every default filled in. */
export type RulesDocument = z.infer<typeof RulesDocument>;
/** What an admin may send (defaults optional). */
export type RulesDocumentInput = z.input<typeof RulesDocument>;

/**
 * The starter document a new store gets: one catch-all policy on wall-clock time (no calendar to
 * get wrong) and the playbook on. Channels are empty, so nothing is sent until a lead adds one;
 * the dry-run still shows what would fire.
 */
export const DEFAULT_RULES_INPUT: RulesDocumentInput = {
  description: "Starter rules: one policy for every case, playbook on. Add a channel to receive reminders.",
  policies: [
    {
      name: "Everything",
      when: {},
      targets: {
        firstReply: { calendar: ALWAYS_OPEN, byPriority: { urgent: "1h", high: "4h", normal: "8h", low: "24h" }, warnings: ["30m"] },
        nextReply: { calendar: ALWAYS_OPEN, byPriority: { urgent: "2h", high: "8h", normal: "24h", low: "48h" }, warnings: ["1h"] },
        resolution: { calendar: ALWAYS_OPEN, byPriority: { urgent: "24h", high: "3d", normal: "5d", low: "7d" }, warnings: ["4h"] },
      },
      escalations: [{ level: 1, after: "1h", message: "Still overdue an hour after the target: a lead should take it or reassign it." }],
    },
  ],
};
export const DEFAULT_RULES: RulesDocument = RulesDocument.parse(DEFAULT_RULES_INPUT);

/** Case facts a policy is matched against (built by the case engine from its folded state). */
export interface CaseFacts {
  type: (typeof CASE_TYPES)[number];
  channel?: Channel | undefined;
  priority?: Priority | undefined;
  provider?: ProviderId | undefined;
  tags: readonly string[];
  group?: string | undefined;
  /** The customer's tags from the store's commerce or CRM side (segment), when known. */
  customerTags?: readonly string[] | undefined;
  /** The order value as its source stated it, when known. */
  orderValue?: OrderValue | undefined;
}

export { matchPolicy, conditionsHold, type PolicyMatch } from "./match";
