/**
 * Shapes of the case API: request bodies and the case view. The view explains every timer:
 * what it is for, the rule and version that made it, when it is due, and, once it is done, when
 * it fired (and how late) or why it was cancelled.
 */
import { z } from "zod";
import { Channel, OrderValue, Priority } from "../events/model";
import { DeliveryState } from "../notify/views";
import { CaseCounts, CaseSummary, CaseListState, CaseStatusKey } from "../stores/case-index";

const iso = z.string().meta({ description: "ISO 8601 instant (UTC)" });
const isoInstant = z.iso.datetime({ offset: true, error: "must be an ISO 8601 instant with a zone, e.g. 2026-12-01T14:00:00+03:00" });

const filterValue = z.string().trim().min(1).max(200);

/**
 * Strict: a parameter the list does not know is refused with its name (`query.<name>`) rather
 * than ignored, so a typo in a filter never silently lists everything.
 */
export const CaseListQuery = z
  .object({
    state: CaseListState.optional(),
    type: z.enum(["ticket", "shipment"]).optional(),
    priority: Priority.optional(),
    status: CaseStatusKey.optional().meta({ description: "A ticket's status, or a shipment's latest milestone (`shipment.exception`…)." }),
    policy: filterValue.optional().meta({ description: "The policy's name." }),
    assignee: filterValue.optional(),
    group: filterValue.optional(),
    channel: Channel.optional(),
    q: z.string().trim().max(200).optional().meta({ description: "Ticket id, order id, tracking number, customer email or phone: exact or prefix (email and tracking number in any case). Empty: no search." }),
    cursor: z.string().max(500).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(50),
  })
  .strict();

export const CaseList = z.object({
  cases: z.array(CaseSummary),
  nextCursor: z.string().nullable(),
  counts: CaseCounts.meta({ description: "Per filter, how many cases match each value with the other filters applied (each `state` counts on its own: a breached case is also open)." }),
});

const MAX_CALLBACK_AHEAD_MS = 90 * 86_400_000;

export const CallbackBody = z
  .object({
    at: isoInstant,
    owner: z.string().trim().min(1).max(200).optional(),
    note: z.string().trim().min(1).max(1000).optional(),
    phone: z.string().trim().min(3).max(40).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    const at = Date.parse(b.at);
    const now = Date.now();
    if (at < now) ctx.addIssue({ code: "custom", path: ["at"], message: "a callback cannot be promised in the past" });
    else if (at > now + MAX_CALLBACK_AHEAD_MS) ctx.addIssue({ code: "custom", path: ["at"], message: "a callback more than 90 days ahead is not a promise; schedule it closer to the time" });
  });

export const CallbackDoneBody = z.object({ note: z.string().trim().min(1).max(1000).optional() }).strict();

export const SnoozeBody = z
  .object({ until: isoInstant, reason: z.string().trim().min(1).max(500).optional() })
  .strict()
  .superRefine((b, ctx) => {
    const until = Date.parse(b.until);
    if (until <= Date.now()) ctx.addIssue({ code: "custom", path: ["until"], message: "snooze until a time in the future" });
    else if (until > Date.now() + MAX_CALLBACK_AHEAD_MS) ctx.addIssue({ code: "custom", path: ["until"], message: "snooze at most 90 days ahead" });
  });

export const ResolveBody = z.object({ note: z.string().trim().min(1).max(1000).optional() }).strict();

export const ContactedBody = z
  .object({
    note: z.string().trim().min(1).max(1000).optional(),
    channel: Channel.optional().meta({ description: "How the customer was told: `phone`, `email`, `sms`…" }),
  })
  .strict();

export const ContactedAnswer = z.object({ contactedAt: z.string(), channel: z.string().nullable() });

const Rule = z.object({ name: z.string(), version: z.number().int(), path: z.string() });

export const TimerView = z.object({
  key: z.string().meta({ description: "Stable id of the timer; with the case id, the reminder's idempotency key." }),
  kind: z.string(),
  state: z.enum(["pending", "fired", "cancelled"]),
  dueAt: iso,
  why: z.string(),
  rule: Rule,
  channels: z.array(z.string()),
  urgency: z.enum(["urgent", "normal"]),
  firedAt: iso.nullable(),
  /** fired − due, in ms. */
  lateByMs: z.number().nullable(),
  cancelledBecause: z.string().nullable(),
  attempts: z.number().int().meta({ description: "Alarm runs that tried to fire this timer: 1 for one that fired at the first try; more when a run failed before firing it (the timer stayed pending and the next run tried again)." }),
  lastError: z.string().nullable().meta({ description: "Why the last failed run could not fire it." }),
});

/** One SLA cycle with its result: due, used and paused business time, met or missed. */
export const CycleResultView = z.object({
  metric: z.enum(["first_reply", "next_reply", "periodic_update", "resolution"]),
  startedAt: iso,
  endedAt: iso.nullable(),
  dueAt: iso.nullable(),
  targetMs: z.number(),
  usedMs: z.number(),
  pausedMs: z.number(),
  outcome: z.enum(["met", "missed", "open_missed", "in_progress"]),
});

export const ClockView = z.object({
  metric: z.enum(["first_reply", "next_reply", "periodic_update", "resolution"]),
  status: z.enum(["active", "paused", "fulfilled", "breached"]),
  startedAt: iso,
  dueAt: iso.nullable(),
  targetMs: z.number(),
  usedMs: z.number(),
  remainingMs: z.number(),
  breachedAt: iso.nullable(),
  fulfilledAt: iso.nullable(),
});

/** A fired reminder on the case's timeline, as the case object knows it (its outbox row). */
const TimelineReminder = z.object({
  reminderId: z.string(),
  kind: z.string(),
  title: z.string(),
  nextAction: z.string(),
  dueAt: iso,
  firedAt: iso,
  channels: z.array(z.string()),
  outbox: z.enum(["pending", "dispatched"]).meta({ description: "`dispatched` once handed to the store's delivery log; `deliveries` says what each channel made of it." }),
  dispatchAttempts: z.number().int(),
  lastError: z.string().nullable(),
});

/** The case as its Durable Object describes it (no delivery log: that lives in the registry). */
export const CaseObjectView = z.object({
  caseId: z.string(),
  storeId: z.string(),
  type: z.enum(["ticket", "shipment"]),
  key: z.record(z.string(), z.string()),
  status: z.string().nullable(),
  rawStatus: z.string().nullable(),
  priority: z.string().nullable(),
  channel: z.string().nullable(),
  assignee: z.string().nullable(),
  group: z.string().nullable(),
  tags: z.array(z.string()),
  customer: z.object({ email: z.string().optional(), phone: z.string().optional(), name: z.string().optional() }),
  customerTags: z.array(z.string()).meta({ description: "The customer's segments as the source tags them (what customer-tag conditions match)" }),
  orderIds: z.array(z.string()),
  orderValue: OrderValue.nullable().meta({ description: "The order's value as the source states it, never converted (what order-value conditions match)" }),
  subject: z.string().nullable(),
  /** Issue 22: intake caps customer-written text (src/events/caps.ts). */
  truncated: z.array(z.string()).meta({ description: 'Fields of this case\'s events whose customer-written text intake cut to its cap (e.g. "subject", "customer.name"); each cut value ends in "…".' }),
  url: z.string().nullable(),
  openedAt: iso,
  lastEventAt: iso,
  counters: z.object({ customerMessages: z.number(), customerMessagesSinceSolve: z.number(), agentReplies: z.number(), reopenings: z.number() }),
  snoozedUntil: iso.nullable(),
  owner: z
    .object({ by: z.string(), at: iso, via: z.enum(["api", "console", "slack", "helpdesk"]) })
    .nullable()
    .meta({ description: "Who took the case (\"I'm on it\", POST …/acknowledge, or a helpdesk assignment where `escalation.assigneeCountsAsOwner`): breaches up to then stop escalating." }),
  rules: z.object({
    pins: z.array(z.object({ version: z.number().int(), from: iso.nullable() })),
    policy: z.object({ version: z.number().int(), index: z.number().int(), name: z.string() }).nullable(),
  }),
  clocks: z.array(ClockView),
  /** Every SLA cycle so far, finished ones with their result (what reports count). */
  cycles: z.array(CycleResultView),
  /** Metrics with a target under the current policy and priority but nothing counting now. */
  idleMetrics: z.array(z.object({ metric: ClockView.shape.metric, targetMs: z.number() })),
  callbacks: z.array(
    z.object({
      id: z.string(),
      at: iso.nullable(),
      owner: z.string().nullable(),
      phone: z.string().nullable(),
      note: z.string().nullable(),
      tag: z.string().nullable().meta({ description: "The helpdesk tag that signalled the promise; removing it from the ticket marks the callback done." }),
      source: z.enum(["helpdesk", "api"]),
      promisedAt: iso,
      doneAt: iso.nullable(),
      doneReason: z.string().nullable(),
    }),
  ),
  shipment: z
    .object({
      carrier: z.string(),
      trackingNumber: z.string(),
      milestone: z.string().nullable(),
      reason: z.string().nullable(),
      lastScanAt: iso.nullable(),
      estimatedDelivery: iso.nullable(),
      promisedDelivery: iso.nullable(),
      deliveredAt: iso.nullable(),
      delaySignals: z.array(z.object({ kind: z.string(), at: iso, reason: z.string().nullable() })),
    })
    .nullable(),
  nextDueAt: iso.nullable(),
  timers: z.object({ pending: z.array(TimerView), done: z.array(TimerView) }),
  timeline: z.object({
    events: z.array(
      z.object({ eventId: z.string(), kind: z.string(), provider: z.string(), occurredAt: iso, receivedAt: iso, stale: z.boolean().meta({ description: "Arrived after a newer event: stored, never rolled state back." }), summary: z.string() }),
    ),
    metricEvents: z.array(z.object({ metric: z.string(), type: z.string(), at: iso })),
    reminders: z.array(TimelineReminder),
    notes: z.array(z.object({ at: iso, kind: z.string(), text: z.string() })),
  }),
});
export type CaseObjectView = z.infer<typeof CaseObjectView>;

/** One channel's delivery of a reminder, from the store's delivery log. */
export const ReminderDelivery = z.object({
  id: z.number().int().meta({ description: "The delivery's id in `GET /v1/stores/:storeId/deliveries` and `POST …/deliveries/:id/retry`." }),
  channel: z.string().nullable().meta({ description: "Null when the rule that fired names no channel (state `no_channels`)." }),
  state: DeliveryState,
  attempts: z.number().int(),
  lastStatus: z.number().int().nullable().meta({ description: "The receiver's last HTTP status; null for a timeout, a network error or no attempt yet." }),
  lastError: z.string().nullable(),
  lastAttemptAt: iso.nullable(),
  nextAttemptAt: iso.nullable(),
  heldUntil: iso.nullable().meta({ description: "Held for quiet hours until this opening." }),
  digestId: z.string().nullable().meta({ description: "Released from quiet hours inside this digest, whose delivery it follows." }),
  deliveredAt: iso.nullable(),
  deadAt: iso.nullable(),
});
export type ReminderDelivery = z.infer<typeof ReminderDelivery>;

/** The case as `GET …/cases/:caseId` answers: the object's view, each reminder with its deliveries. */
export const CaseView = CaseObjectView.extend({
  timeline: CaseObjectView.shape.timeline.extend({
    reminders: z.array(
      TimelineReminder.extend({
        deliveries: z.array(ReminderDelivery).meta({ description: "One per channel, from the delivery log; empty while the reminder is still in the case's outbox." }),
      }),
    ),
  }),
});
export type CaseView = z.infer<typeof CaseView>;
