/** Stores with channels configured through the real rules API, reminders, and delivery-log reads. */
import { call, createStore } from "../../support/api";
import type { QueueMessage } from "../../../src/notify/messages";
import type { Reminder } from "../../../src/notify/reminder";
import type { DeliveryView } from "../../../src/notify/views";

export interface TestStore {
  storeId: string;
  token: string;
}

/** A store whose rules (saved over PUT /rules, exactly as an admin would) define these channels. */
export async function storeWithRules(doc: Record<string, unknown>): Promise<TestStore> {
  const created = await createStore();
  const store = { storeId: created.storeId, token: created.adminToken };
  await saveRules(store, doc);
  return store;
}

/** Saves the next rules version over PUT /rules, as an admin would; returns its version number. */
export async function saveRules(store: TestStore, doc: Record<string, unknown>): Promise<number> {
  const current = await call("GET", `/v1/stores/${store.storeId}/rules`, { token: store.token });
  if (current.status !== 200) throw new Error(`GET rules: ${current.status} ${JSON.stringify(current.body)}`);
  const etag = current.headers.get("etag") ?? "";
  const put = await call("PUT", `/v1/stores/${store.storeId}/rules`, { token: store.token, body: doc, headers: { "if-match": etag } });
  if (put.status !== 200) throw new Error(`PUT rules: ${put.status} ${JSON.stringify(put.body)}`);
  return put.body.version as number;
}

let counter = 0;

/** A reminder as the case object hands it over, due now, with a fresh id. */
export function reminder(storeId: string, overrides: Partial<Reminder> = {}): Reminder {
  counter += 1;
  const due = new Date(Date.now() - 60_000).toISOString();
  const caseId = overrides.caseId ?? `ticket:zendesk:${9000 + counter}`;
  return {
    id: `${caseId}:t${counter}:${due}`,
    storeId,
    caseId,
    kind: "first_reply.breach",
    urgency: "urgent",
    title: `First reply overdue by 1 min (case ${counter})`,
    nextAction: "Reply to the customer now: they asked twice where their parcel is.",
    details: ["2 customer messages, no agent reply yet"],
    dueAt: due,
    firedAt: new Date().toISOString(),
    lateByMs: 60_000,
    customer: { name: "Ayşe Yılmaz", email: "ayse@example.com", phone: "+90 532 000 00 00" },
    orderId: "1042",
    subject: "Where is my order?",
    sourceUrl: `https://shop.zendesk.com/agent/tickets/${9000 + counter}`,
    caseUrl: `http://promptly.test/v1/stores/${storeId}/cases/${caseId}`,
    source: { provider: "zendesk", ticketId: String(9000 + counter) },
    ticket: { caseId, provider: "zendesk", ticketId: String(9000 + counter) },
    rule: { name: "Everything", version: 1, path: "policies[0].targets.firstReply" },
    channels: [],
    ...overrides,
  };
}

export async function deliveries(store: TestStore, query = ""): Promise<DeliveryView[]> {
  const res = await call("GET", `/v1/stores/${store.storeId}/deliveries${query}`, { token: store.token });
  if (res.status !== 200) throw new Error(`GET deliveries: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.deliveries as DeliveryView[];
}

/** Polls until `check` returns a value (not undefined/false) or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function deliveryOf(store: TestStore, deliveryId: string): Promise<DeliveryView | undefined> {
  return (await deliveries(store, "?limit=100")).find((d) => d.deliveryId === deliveryId);
}

/** The queue message the delivery log sends for one reminder × channel (what a duplicate copy looks like). */
export function queueMessage(store: TestStore, reminderId: string, channel: string): QueueMessage {
  return { v: 1, kind: "reminder", storeId: store.storeId, deliveryId: `${reminderId}#${channel}`, channel, idempotencyKey: reminderId, rulesVersion: 1 };
}

const DAY_MS = 86_400_000;

/**
 * Quiet hours whose calendar (UTC, open around the clock) is closed today and tomorrow as
 * holidays: a normal reminder fired now is held, and released at `opening` (the day after
 * tomorrow, 00:00 UTC), a known instant whatever time the test runs.
 */
export function quietUntilDayAfterTomorrow(now = Date.now()): { opening: number; rules: { calendars: Record<string, unknown>; quietHours: { calendar: string } } } {
  const today = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate());
  const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return {
    opening: today + 2 * DAY_MS,
    rules: {
      calendars: {
        office: {
          timeZone: "UTC",
          week: Object.fromEntries(["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, [["00:00", "24:00"]]])),
          holidays: [date(today), date(today + DAY_MS)],
        },
      },
      quietHours: { calendar: "office" },
    },
  };
}
