/**
 * The store's case index, inside its registry object: one row per case, pushed by the case
 * object after every change. It answers what no single case can: the case list behind the
 * console's board (filtered, searched, counted per filter value, breached first, then by the next
 * due instant), and "does this customer or order already have an open ticket?", which is how a
 * late parcel finds the conversation the customer is already having.
 *
 * Each push carries the case's own sequence number, so a push that arrives late (the case object
 * had moved on while the RPC was in flight) never overwrites a newer one.
 *
 * The latest event's time alone is pushed at most once a minute (LAST_EVENT_REFRESH_MS).
 *
 * A push carries the case's upcoming reminders, not just the next one, and the list works out
 * "next due" when it is read. A reminder firing on time therefore changes nothing the index
 * holds, and the case does not push for it: without this every fired reminder was one more call
 * to the store's single registry object, the store's hot spot under load.
 */
import { cutText, TEXT_CAPS } from "../events/caps";
import { z } from "zod";
import { CaseStatus, ShipmentKind } from "../events/model";
import type { Migration } from "../lib/sql-migrations";
import { safeLink } from "../lib/links";
import { OutcomePush } from "../reports/schema";

export const caseIndexMigrations: Migration[] = [
  {
    id: 1,
    sql: `CREATE TABLE case_index (
            case_id TEXT PRIMARY KEY, type TEXT NOT NULL, provider TEXT NOT NULL, status TEXT,
            open INTEGER NOT NULL, breached INTEGER NOT NULL, opened_at INTEGER NOT NULL,
            last_event_at INTEGER NOT NULL, next_due_at INTEGER, next_due_kind TEXT,
            subject TEXT, customer_email TEXT, customer_name TEXT, ticket_id TEXT, url TEXT,
            priority TEXT, seq INTEGER NOT NULL, updated_at INTEGER NOT NULL);
          CREATE INDEX case_index_list ON case_index (opened_at DESC, case_id DESC);
          CREATE INDEX case_index_email ON case_index (customer_email, open);
          CREATE INDEX case_index_open ON case_index (open, next_due_at);
          CREATE TABLE case_orders (order_id TEXT NOT NULL, case_id TEXT NOT NULL, PRIMARY KEY (order_id, case_id));`,
  },
  {
    // The next due instant moves every time a reminder fires; the upcoming list does not.
    id: 2,
    sql: `ALTER TABLE case_index ADD COLUMN upcoming TEXT NOT NULL DEFAULT '[]';
          UPDATE case_index SET upcoming = json_array(json_array(next_due_at, next_due_kind)) WHERE next_due_at IS NOT NULL;
          DROP INDEX case_index_open;
          ALTER TABLE case_index DROP COLUMN next_due_at;
          ALTER TABLE case_index DROP COLUMN next_due_kind;`,
  },
  {
    // The board filters and searches on these. `status_key` is what the status filter matches
    // (a ticket's status, a shipment's milestone), since a shipment's `status` is now a sentence.
    // Rows pushed before this keep nulls until their case next pushes.
    id: 3,
    sql: `ALTER TABLE case_index ADD COLUMN status_key TEXT;
          UPDATE case_index SET status_key = status;
          ALTER TABLE case_index ADD COLUMN policy TEXT;
          ALTER TABLE case_index ADD COLUMN channel TEXT;
          ALTER TABLE case_index ADD COLUMN assignee TEXT;
          ALTER TABLE case_index ADD COLUMN grp TEXT;
          ALTER TABLE case_index ADD COLUMN customer_phone TEXT;
          ALTER TABLE case_index ADD COLUMN phone_digits TEXT;
          ALTER TABLE case_index ADD COLUMN tracking_number TEXT;
          ALTER TABLE case_index ADD COLUMN carrier TEXT;
          ALTER TABLE case_index ADD COLUMN breached_targets TEXT NOT NULL DEFAULT '[]';
          ALTER TABLE case_index ADD COLUMN at_risk TEXT NOT NULL DEFAULT '[]';
          CREATE INDEX case_index_open_breached ON case_index (open, breached);
          CREATE INDEX case_index_ticket ON case_index (ticket_id);
          CREATE INDEX case_index_tracking ON case_index (tracking_number COLLATE NOCASE);
          CREATE INDEX case_index_phone ON case_index (phone_digits);`,
  },
  {
    // Who took the case ("I'm on it", …/acknowledge): the board shows it beside the breach.
    id: 4,
    sql: `ALTER TABLE case_index ADD COLUMN owner TEXT;`,
  },
  {
    // Which rules versions each case is pinned to, so version retention never prunes one in use.
    id: 5,
    sql: `CREATE TABLE IF NOT EXISTS case_rule_pins (case_id TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (case_id, version));
          CREATE INDEX IF NOT EXISTS case_rule_pins_version ON case_rule_pins (version);`,
  },
  {
    // Every index a row touches is one more row written on every push. No query can use these
    // three: the search matches prefixes through substr()/upper(), which an index does not serve.
    id: 6,
    sql: `DROP INDEX case_index_ticket;
          DROP INDEX case_index_tracking;
          DROP INDEX case_index_phone;`,
  },
];

/**
 * The rules versions indexed cases are pinned to, and whether every indexed case has said (a
 * case object from before pins were pushed has not, until its next push).
 */
export function pinnedRulesVersions(sql: SqlStorage): { versions: Set<number>; complete: boolean } {
  const versions = new Set(sql.exec<{ version: number }>(`SELECT DISTINCT version FROM case_rule_pins`).toArray().map((r) => r.version));
  const unknown = sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM case_index i WHERE NOT EXISTS (SELECT 1 FROM case_rule_pins p WHERE p.case_id = i.case_id)`).one().n;
  return { versions, complete: unknown === 0 };
}

/** How many upcoming reminders a push carries; a case with more pushes again as they fire. */
export const UPCOMING_CAP = 20;

export const CaseListState = z.enum(["breached", "due-soon", "open", "closed", "at-risk"]);
export type CaseListState = z.infer<typeof CaseListState>;

/** What the status filter matches: a ticket's status, or a shipment's latest milestone. */
export const CaseStatusKey = z.enum([...CaseStatus.options, ...ShipmentKind.options]);
export type CaseStatusKey = z.infer<typeof CaseStatusKey>;

/** A playbook miss: something owed to the customer that nobody has done. */
export const AtRisk = z.object({
  kind: z.string().meta({ description: "The playbook timer kind behind it: `shipment.contact_due` (a late parcel whose customer nobody has contacted), `rating.reply_due` (a bad rating nobody answered), `callback.due` (a promised callback past its time, not done)." }),
  label: z.string().meta({ description: "What is overdue, in words." }),
  since: z.string().meta({ description: "When it began: the parcel's delay, the rating, the promised callback time (ISO 8601, UTC)." }),
});
export type AtRisk = z.infer<typeof AtRisk>;

const CaseFields = {
  caseId: z.string(),
  type: z.enum(["ticket", "shipment"]),
  provider: z.string(),
  status: z.string().nullable().meta({ description: "A ticket's status (`open`, `pending`…); for a shipment, a readable status such as `Exception: address issue`, `In transit` or `Delivered`." }),
  open: z.boolean(),
  breached: z.boolean().meta({
    description:
      "Open, with an SLA target breached (first reply, next reply, periodic update, resolution) or a promised callback past its time. As of the case's last change: `breachedTargets` says which. Playbook misses are not breaches: see `atRisk`.",
  }),
  priority: z.string().nullable(),
  openedAt: z.string(),
  lastEventAt: z.string().describe("The latest event the index has been told of: refreshed with any other change, else at most once a minute (the case itself is always exact)."),
  subject: z.string().nullable().meta({ description: "A ticket's subject; for a shipment, its carrier, tracking number and order." }),
  customerEmail: z.string().nullable(),
  customerName: z.string().nullable(),
  ticketId: z.string().nullable(),
  url: z.string().nullable(),
  orderIds: z.array(z.string()),
  policy: z.string().nullable().meta({ description: "The name of the policy the case matches; null when none does." }),
  channel: z.string().nullable(),
  assignee: z.string().nullable(),
  group: z.string().nullable(),
  customerPhone: z.string().nullable(),
  trackingNumber: z.string().nullable(),
  carrier: z.string().nullable(),
  breachedTargets: z.array(z.string()).meta({ description: "Which targets are breached: `first_reply`, `next_reply`, `periodic_update`, `resolution`, `callback`. Empty unless `breached`." }),
  owner: z
    .object({ by: z.string(), at: z.string(), via: z.string() })
    .nullable()
    .optional()
    .describe("Who took the case (an acknowledgement, or a helpdesk assignment where the rules say it counts): its breaches so far no longer escalate."),
};

/** A reminder the case has planned and not fired yet: when, and which timer kind. */
export const UpcomingReminder = z.object({ at: z.string(), kind: z.string() });
export type UpcomingReminder = z.infer<typeof UpcomingReminder>;

/**
 * What a case tells the index about itself. `atRisk` may hold misses that begin later (a
 * callback promised for tomorrow): the list shows each from its `since`, so the passing of that
 * instant is not a push, as with `upcoming`. `outcomes` (reports, src/reports/) rides along: the
 * SLA cycles that changed since the registry last took them, so writing an outcome is never a
 * request of its own.
 */
export const CasePush = z.object({
  ...CaseFields,
  statusKey: CaseStatusKey.nullable(),
  atRisk: z.array(AtRisk).max(UPCOMING_CAP),
  upcoming: z.array(UpcomingReminder).max(UPCOMING_CAP),
  outcomes: OutcomePush.optional(),
  /** The rules versions the case is pinned to: version retention keeps them (absent from older case objects). */
  rulesVersions: z.array(z.number().int().nonnegative()).max(256).optional(),
});
export type CasePush = z.infer<typeof CasePush>;

/** A case as the case list shows it. */
export const CaseSummary = z.object({
  ...CaseFields,
  atRisk: z.array(AtRisk).meta({ description: "Playbook misses open on the case now; a case with any is `at-risk`, open or not." }),
  /** The next instant something is due on this case (a pending timer), if any. */
  nextDueAt: z.string().nullable(),
  nextDueKind: z.string().nullable(),
});
export type CaseSummary = z.infer<typeof CaseSummary>;

/**
 * How stale the index's `lastEventAt` may be when nothing else about the case changed. Every event
 * moves it, and pushing it each time made every webhook of a store one more call to the store's
 * single registry object (and a third of a webhook's cost in the ingest benchmark); the list only
 * displays it.
 */
export const LAST_EVENT_REFRESH_MS = 60_000;

const COMPARED = [...(Object.keys(CaseFields) as (keyof typeof CaseFields)[]).filter((f) => f !== "lastEventAt"), "statusKey", "atRisk"] as const;

/**
 * Whether the index needs this push. It does not when everything but `upcoming` is the same
 * (`lastEventAt` within LAST_EVENT_REFRESH_MS) and the only reminders gone from `upcoming` are ones
 * whose time has come: the index already reads those as past, so what it shows is still right.
 */
export function indexPushNeeded(indexed: CasePush | null, next: CasePush, now: number): boolean {
  if (!indexed) return true;
  for (const field of COMPARED) {
    if (JSON.stringify(indexed[field]) !== JSON.stringify(next[field])) return true;
  }
  if (Math.abs(Date.parse(next.lastEventAt) - Date.parse(indexed.lastEventAt)) >= LAST_EVENT_REFRESH_MS) return true;
  if (JSON.stringify(indexed.rulesVersions ?? null) !== JSON.stringify(next.rulesVersions ?? null)) return true;
  const key = (u: UpcomingReminder) => `${u.at}|${u.kind}`;
  const held = new Set(indexed.upcoming.map(key));
  if (next.upcoming.some((u) => !held.has(key(u)))) return true;
  const still = new Set(next.upcoming.map(key));
  return indexed.upcoming.some((u) => !still.has(key(u)) && Date.parse(u.at) > now);
}

interface IndexRow {
  case_id: string;
  type: string;
  provider: string;
  status: string | null;
  open: number;
  breached: number;
  priority: string | null;
  opened_at: number;
  last_event_at: number;
  /** JSON `[[dueAtMs, kind], …]`, earliest first. */
  upcoming: string;
  subject: string | null;
  customer_email: string | null;
  customer_name: string | null;
  ticket_id: string | null;
  url: string | null;
  /** JSON `{by, at, via}`; null (or absent on rows from before it existed) when nobody took the case. */
  owner: string | null;
  seq: number;
  policy: string | null;
  channel: string | null;
  assignee: string | null;
  grp: string | null;
  customer_phone: string | null;
  tracking_number: string | null;
  carrier: string | null;
  /** JSON array of target names. */
  breached_targets: string;
  /** JSON `[[sinceMs, kind, label], …]`. */
  at_risk: string;
  [key: string]: SqlStorageValue;
}

function summaryOf(r: IndexRow, orderIds: string[], now: number): CaseSummary {
  const next = (JSON.parse(r.upcoming) as [number, string][]).find(([at]) => at > now);
  return {
    caseId: r.case_id,
    type: r.type as CaseSummary["type"],
    provider: r.provider,
    status: r.status,
    open: r.open === 1,
    breached: r.breached === 1,
    priority: r.priority,
    openedAt: new Date(r.opened_at).toISOString(),
    lastEventAt: new Date(r.last_event_at).toISOString(),
    nextDueAt: next ? new Date(next[0]).toISOString() : null,
    nextDueKind: next ? next[1] : null,
    subject: r.subject,
    customerEmail: r.customer_email,
    customerName: r.customer_name,
    ticketId: r.ticket_id,
    url: safeLink(r.url) ?? null,
    orderIds,
    policy: r.policy ?? null,
    channel: r.channel ?? null,
    assignee: r.assignee ?? null,
    group: r.grp ?? null,
    customerPhone: r.customer_phone ?? null,
    trackingNumber: r.tracking_number ?? null,
    carrier: r.carrier ?? null,
    breachedTargets: JSON.parse(r.breached_targets) as string[],
    atRisk: (JSON.parse(r.at_risk) as [number, string, string][]).filter(([since]) => since <= now).map(([since, kind, label]) => ({ kind, label, since: new Date(since).toISOString() })),
    owner: r.owner ? (JSON.parse(r.owner) as CaseSummary["owner"]) : null,
  };
}

/** Digits of a phone number, so `+1 (555) 010-2000` and `15550102000` find each other. */
export function phoneDigits(phone: string | null | undefined): string | null {
  const d = phone?.replace(/\D/g, "") ?? "";
  return d.length > 0 ? d : null;
}

/** Stores a case's summary unless a newer one (higher `seq`) is already there. */
export function upsertCaseSummary(sql: SqlStorage, s: CasePush, seq: number, now: number): boolean {
  const current = sql.exec<{ seq: number }>(`SELECT seq FROM case_index WHERE case_id = ?`, s.caseId).toArray()[0];
  if (current && current.seq >= seq) return false;
  sql.exec(
    `INSERT INTO case_index (case_id, type, provider, status, open, breached, priority, opened_at, last_event_at, upcoming,
                             subject, customer_email, customer_name, ticket_id, url, owner, seq, updated_at,
                             status_key, policy, channel, assignee, grp, customer_phone, phone_digits, tracking_number, carrier, breached_targets, at_risk)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (case_id) DO UPDATE SET type = excluded.type, provider = excluded.provider, status = excluded.status, open = excluded.open,
       breached = excluded.breached, priority = excluded.priority, opened_at = excluded.opened_at, last_event_at = excluded.last_event_at,
       upcoming = excluded.upcoming, subject = excluded.subject,
       customer_email = excluded.customer_email, customer_name = excluded.customer_name, ticket_id = excluded.ticket_id,
       url = excluded.url, owner = excluded.owner, seq = excluded.seq, updated_at = excluded.updated_at,
       status_key = excluded.status_key, policy = excluded.policy, channel = excluded.channel, assignee = excluded.assignee, grp = excluded.grp,
       customer_phone = excluded.customer_phone, phone_digits = excluded.phone_digits, tracking_number = excluded.tracking_number,
       carrier = excluded.carrier, breached_targets = excluded.breached_targets, at_risk = excluded.at_risk`,
    s.caseId,
    s.type,
    s.provider,
    s.status,
    s.open ? 1 : 0,
    s.breached ? 1 : 0,
    s.priority,
    Date.parse(s.openedAt),
    Date.parse(s.lastEventAt),
    JSON.stringify(s.upcoming.map((u) => [Date.parse(u.at), u.kind])),
    // Intake caps these already (src/events/caps.ts); a case object that took its events in
    // before the caps existed still pushes the long text, so the index cuts it again.
    capped(s.subject, TEXT_CAPS.subject),
    capped(s.customerEmail?.toLowerCase() ?? null, TEXT_CAPS.customerEmail),
    capped(s.customerName, TEXT_CAPS.customerName),
    capped(s.ticketId, TEXT_CAPS.label),
    capped(s.url, TEXT_CAPS.url),
    s.owner ? JSON.stringify(s.owner) : null,
    seq,
    now,
    s.statusKey,
    s.policy,
    s.channel,
    s.assignee,
    s.group,
    s.customerPhone,
    phoneDigits(s.customerPhone),
    s.trackingNumber,
    s.carrier,
    JSON.stringify(s.breachedTargets),
    JSON.stringify(s.atRisk.map((r) => [Date.parse(r.since), r.kind, r.label])),
  );
  const held = new Set(
    sql
      .exec<{ order_id: string }>(`SELECT order_id FROM case_orders WHERE case_id = ?`, s.caseId)
      .toArray()
      .map((o) => o.order_id),
  );
  if (s.rulesVersions !== undefined) {
    sql.exec(`DELETE FROM case_rule_pins WHERE case_id = ?`, s.caseId);
    for (const v of new Set(s.rulesVersions)) sql.exec(`INSERT INTO case_rule_pins (case_id, version) VALUES (?, ?)`, s.caseId, v);
  }
  const wanted = new Set(s.orderIds);
  for (const o of held) if (!wanted.has(o)) sql.exec(`DELETE FROM case_orders WHERE order_id = ? AND case_id = ?`, o, s.caseId);
  for (const o of wanted) if (!held.has(o)) sql.exec(`INSERT INTO case_orders (order_id, case_id) VALUES (?, ?)`, o, s.caseId);
  return true;
}

export function caseIndexed(sql: SqlStorage, caseId: string): boolean {
  return sql.exec(`SELECT 1 FROM case_index WHERE case_id = ?`, caseId).toArray().length > 0;
}

/** The board's filters; each narrows the list and the counts of every other dimension. */
export interface CaseFilters {
  state?: CaseListState | undefined;
  type?: "ticket" | "shipment" | undefined;
  priority?: string | undefined;
  status?: CaseStatusKey | undefined;
  policy?: string | undefined;
  assignee?: string | undefined;
  group?: string | undefined;
  channel?: string | undefined;
  /** Ticket id, order id, tracking number, customer email or phone: exact or prefix. */
  q?: string | undefined;
}

/** The dimensions the list counts per value. */
export const FACETS = ["state", "type", "priority", "status", "policy", "assignee", "group", "channel"] as const;
export type Facet = (typeof FACETS)[number];

export const CaseCounts = z.object({
  state: z.record(CaseListState, z.number().int()),
  type: z.record(z.string(), z.number().int()),
  priority: z.record(z.string(), z.number().int()),
  status: z.record(z.string(), z.number().int()),
  policy: z.record(z.string(), z.number().int()),
  assignee: z.record(z.string(), z.number().int()),
  group: z.record(z.string(), z.number().int()),
  channel: z.record(z.string(), z.number().int()),
});
export type CaseCounts = z.infer<typeof CaseCounts>;

export interface CasePage {
  cases: CaseSummary[];
  nextCursor: string | null;
  counts: CaseCounts;
}

/** One page of the case list, whatever its `limit`: the cursor continues where it ended. */
export const LIST_PAGE_MAX_BYTES = 1024 * 1024;

function capped(v: string | null, max: number): string | null {
  return v === null ? null : cutText(v, max);
}

/** How far ahead "due soon" looks. */
export const DUE_SOON_MS = 60 * 60_000;

/** Beyond every instant: where a case with nothing due sorts. */
const NOTHING_DUE = 8_640_000_000_000_000;

/** The index column behind each value filter. */
const COLUMN: Record<Exclude<Facet, "state">, string> = { type: "type", priority: "priority", status: "status_key", policy: "policy", assignee: "assignee", group: "grp", channel: "channel" };

interface Frag {
  sql: string;
  args: SqlStorageValue[];
}

/** Reminders already past stay in `upcoming` until the case next pushes; they are not "soon". */
const dueSoon = (now: number): Frag => ({
  sql: "(open = 1 AND breached = 0 AND EXISTS (SELECT 1 FROM json_each(case_index.upcoming) AS u WHERE u.value ->> 0 > ? AND u.value ->> 0 <= ?))",
  args: [now, now + DUE_SOON_MS],
});
const atRisk = (now: number): Frag => ({ sql: "EXISTS (SELECT 1 FROM json_each(case_index.at_risk) AS r WHERE r.value ->> 0 <= ?)", args: [now] });

function stateFrag(state: CaseListState, now: number): Frag {
  switch (state) {
    case "breached":
      return { sql: "(open = 1 AND breached = 1)", args: [] };
    case "due-soon":
      return dueSoon(now);
    case "open":
      return { sql: "open = 1", args: [] };
    case "closed":
      return { sql: "open = 0", args: [] };
    case "at-risk":
      return atRisk(now);
  }
}

function searchFrag(q: string): Frag {
  const parts: string[] = [
    "substr(ticket_id, 1, ?) = ?",
    "substr(upper(tracking_number), 1, ?) = ?",
    "substr(customer_email, 1, ?) = ?",
    "EXISTS (SELECT 1 FROM case_orders o WHERE o.case_id = case_index.case_id AND (substr(o.order_id, 1, ?) = ? OR substr(ltrim(o.order_id, '#'), 1, ?) = ?))",
  ];
  const bare = q.replace(/^#/, "");
  const args: SqlStorageValue[] = [q.length, q, q.length, q.toUpperCase(), q.length, q.toLowerCase(), q.length, q, bare.length, bare];
  // Only something shaped like a phone number is searched as one, so "1001" does not match every phone with those digits.
  const digits = /^\+?[\d\s().-]+$/.test(q) ? phoneDigits(q) : null;
  if (digits !== null && digits.length >= 3) {
    parts.push("substr(phone_digits, 1, ?) = ?");
    args.push(digits.length, digits);
  }
  return { sql: `(${parts.join(" OR ")})`, args };
}

/** Every filter but `except`, as one WHERE clause. */
function whereOf(f: CaseFilters, now: number, except?: Facet): Frag {
  const parts: Frag[] = [];
  if (f.state !== undefined && except !== "state") parts.push(stateFrag(f.state, now));
  for (const facet of Object.keys(COLUMN) as (keyof typeof COLUMN)[]) {
    const v = f[facet];
    if (v !== undefined && except !== facet) parts.push({ sql: `${COLUMN[facet]} = ?`, args: [v] });
  }
  if (f.q !== undefined && f.q !== "") parts.push(searchFrag(f.q));
  return parts.length === 0 ? { sql: "", args: [] } : { sql: `WHERE ${parts.map((p) => p.sql).join(" AND ")}`, args: parts.flatMap((p) => p.args) };
}

/**
 * A cursor is the last row's place in the order, and the instant the first page was read at:
 * "next due" is worked out at read time, so every page of one listing is ordered as of that
 * instant and a reminder passing between two pages neither skips a case nor repeats one.
 */
type Cursor = [now: number, breached: number, due: number, openedAt: number, caseId: string];

const encodeCursor = (c: Cursor) => btoa(JSON.stringify(c));
function decodeCursor(cursor: string): Cursor | null {
  try {
    const v = JSON.parse(atob(cursor)) as unknown;
    return Array.isArray(v) && v.length === 5 && v.slice(0, 4).every((n) => typeof n === "number" && Number.isFinite(n)) && typeof v[4] === "string" ? (v as Cursor) : null;
  } catch {
    return null;
  }
}

export function isValidCursor(cursor: string): boolean {
  return decodeCursor(cursor) !== null;
}

function countsOf(sql: SqlStorage, f: CaseFilters, now: number): CaseCounts {
  const w = whereOf(f, now, "state");
  const states: Frag[] = CaseListState.options.map((s) => stateFrag(s, now));
  const row = sql
    .exec<Record<string, number | null>>(`SELECT ${states.map((s, i) => `SUM(${s.sql}) AS s${i}`).join(", ")} FROM case_index ${w.sql}`, ...states.flatMap((s) => s.args), ...w.args)
    .one();
  const state = Object.fromEntries(CaseListState.options.map((s, i) => [s, row[`s${i}`] ?? 0])) as CaseCounts["state"];
  const out: CaseCounts = { state, type: {}, priority: {}, status: {}, policy: {}, assignee: {}, group: {}, channel: {} };
  for (const facet of Object.keys(COLUMN) as (keyof typeof COLUMN)[]) {
    const fw = whereOf(f, now, facet);
    const col = COLUMN[facet];
    // The most common values, enough for a filter menu; a store with more assignees pages by search.
    const rows = sql
      .exec<{ v: string; n: number }>(`SELECT ${col} AS v, COUNT(*) AS n FROM case_index ${fw.sql ? `${fw.sql} AND` : "WHERE"} ${col} IS NOT NULL GROUP BY ${col} ORDER BY n DESC, v LIMIT 200`, ...fw.args)
      .toArray();
    for (const r of rows) out[facet][r.v] = r.n;
  }
  return out;
}

/**
 * Breached first, then by the next due instant (nothing due last), then newest; every filter
 * applies to the page and to the counts of the other dimensions, as faceted search does.
 */
export function listCases(sql: SqlStorage, opts: { filters?: CaseFilters | undefined; cursor?: string | undefined; limit: number; now: number }): CasePage {
  const at = opts.cursor ? decodeCursor(opts.cursor) : null;
  const now = at ? at[0] : opts.now;
  const f = opts.filters ?? {};
  const w = whereOf(f, now);
  const after: Frag = at
    ? {
        sql: "WHERE (brk < ? OR (brk = ? AND (due > ? OR (due = ? AND (opened_at < ? OR (opened_at = ? AND case_id < ?))))))",
        args: [at[1], at[1], at[2], at[2], at[3], at[3], at[4]],
      }
    : { sql: "", args: [] };
  const rows = sql
    .exec<IndexRow & { brk: number; due: number; order_ids: string }>(
      `SELECT c.*, (SELECT json_group_array(order_id) FROM (SELECT order_id FROM case_orders o WHERE o.case_id = c.case_id ORDER BY order_id)) AS order_ids
       FROM (SELECT *, (open = 1 AND breached = 1) AS brk,
                    COALESCE((SELECT MIN(u.value ->> 0) FROM json_each(case_index.upcoming) AS u WHERE u.value ->> 0 > ?), ?) AS due
             FROM case_index ${w.sql}) AS c
       ${after.sql}
       ORDER BY brk DESC, due ASC, opened_at DESC, case_id DESC LIMIT ?`,
      now,
      NOTHING_DUE,
      ...w.args,
      ...after.args,
      opts.limit + 1,
    )
    .toArray();
  // A page ends at `limit` cases or at LIST_PAGE_MAX_BYTES, whichever comes first (never empty).
  const cases: CaseSummary[] = [];
  let used = 0;
  let last: (typeof rows)[number] | undefined;
  for (const r of rows.slice(0, opts.limit)) {
    const summary = summaryOf(r, JSON.parse(r.order_ids) as string[], now);
    const cost = JSON.stringify(summary).length;
    if (cases.length > 0 && used + cost > LIST_PAGE_MAX_BYTES) break;
    cases.push(summary);
    used += cost;
    last = r;
  }
  const more = rows.length > cases.length;
  return {
    cases,
    nextCursor: more && last ? encodeCursor([now, last.brk, last.due, last.opened_at, last.case_id]) : null,
    counts: countsOf(sql, f, now),
  };
}

export interface LinkedTicket {
  caseId: string;
  provider: string;
  ticketId: string;
  url?: string | undefined;
  subject?: string | undefined;
}

/** Open tickets of the same order or customer, most recently active first (to the minute: see LAST_EVENT_REFRESH_MS). */
export function findOpenTickets(sql: SqlStorage, q: { orderIds: string[]; emails: string[] }): LinkedTicket[] {
  const found = new Map<string, IndexRow>();
  for (const o of q.orderIds.slice(0, 20)) {
    for (const r of sql
      .exec<IndexRow>(`SELECT i.* FROM case_orders o JOIN case_index i ON i.case_id = o.case_id WHERE o.order_id = ? AND i.type = 'ticket' AND i.open = 1`, o)
      .toArray()) {
      found.set(r.case_id, r);
    }
  }
  for (const e of q.emails.slice(0, 20)) {
    for (const r of sql.exec<IndexRow>(`SELECT * FROM case_index WHERE customer_email = ? AND type = 'ticket' AND open = 1`, e.toLowerCase()).toArray()) {
      found.set(r.case_id, r);
    }
  }
  return [...found.values()]
    .sort((a, b) => b.last_event_at - a.last_event_at)
    .map((r) => ({ caseId: r.case_id, provider: r.provider, ticketId: r.ticket_id ?? "", ...(safeLink(r.url) ? { url: r.url! } : {}), ...(r.subject ? { subject: r.subject } : {}) }))
    .filter((t) => t.ticketId !== "");
}

export function openCaseIds(sql: SqlStorage): string[] {
  return sql
    .exec<{ case_id: string }>(`SELECT case_id FROM case_index WHERE open = 1 ORDER BY opened_at`)
    .toArray()
    .map((r) => r.case_id);
}

/**
 * Cases that had events in [from, to]: opened by `to` and with a last event from `from` on (the
 * index's last-event time may trail by up to LAST_EVENT_REFRESH_MS, so a case whose only events
 * fell in the last minute before `from` can be included: it replays and counts nothing). In
 * case-id order after `after`; `limit` null for all.
 */
export function casesActiveBetween(sql: SqlStorage, from: number, to: number, after: string | null, limit: number | null): string[] {
  return sql
    .exec<{ case_id: string }>(
      `SELECT case_id FROM case_index WHERE opened_at <= ? AND last_event_at >= ? AND case_id > ? ORDER BY case_id LIMIT ?`,
      to,
      from - LAST_EVENT_REFRESH_MS,
      after ?? "",
      limit ?? -1,
    )
    .toArray()
    .map((r) => r.case_id);
}
