/**
 * The store's case index, inside its registry object: one row per case, pushed by the case
 * object after every change. It answers what no single case can: the case list (newest first,
 * by state), and "does this customer or order already have an open ticket?", which is how a late
 * parcel finds the conversation the customer is already having.
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
import type { Migration } from "../lib/sql-migrations";

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
    // Which rules versions each case is pinned to, so version retention never prunes one in use.
    id: 3,
    sql: `CREATE TABLE IF NOT EXISTS case_rule_pins (case_id TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (case_id, version));
          CREATE INDEX IF NOT EXISTS case_rule_pins_version ON case_rule_pins (version);`,
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

export const CaseListState = z.enum(["breached", "due-soon", "open", "closed"]);
export type CaseListState = z.infer<typeof CaseListState>;

const CaseFields = {
  caseId: z.string(),
  type: z.enum(["ticket", "shipment"]),
  provider: z.string(),
  status: z.string().nullable(),
  open: z.boolean(),
  breached: z.boolean(),
  priority: z.string().nullable(),
  openedAt: z.string(),
  lastEventAt: z.string().describe("The latest event the index has been told of: refreshed with any other change, else at most once a minute (the case itself is always exact)."),
  subject: z.string().nullable(),
  customerEmail: z.string().nullable(),
  customerName: z.string().nullable(),
  ticketId: z.string().nullable(),
  url: z.string().nullable(),
  orderIds: z.array(z.string()),
};

/** A reminder the case has planned and not fired yet: when, and which timer kind. */
export const UpcomingReminder = z.object({ at: z.string(), kind: z.string() });
export type UpcomingReminder = z.infer<typeof UpcomingReminder>;

/** What a case tells the index about itself. */
export const CasePush = z.object({
  ...CaseFields,
  upcoming: z.array(UpcomingReminder).max(UPCOMING_CAP),
  /** The rules versions the case is pinned to: version retention keeps them (absent from older case objects). */
  rulesVersions: z.array(z.number().int().nonnegative()).max(256).optional(),
});
export type CasePush = z.infer<typeof CasePush>;

/** A case as the case list shows it. */
export const CaseSummary = z.object({
  ...CaseFields,
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

/**
 * Whether the index needs this push. It does not when everything but `upcoming` is the same
 * (`lastEventAt` within LAST_EVENT_REFRESH_MS) and the only reminders gone from `upcoming` are ones
 * whose time has come: the index already reads those as past, so what it shows is still right.
 */
export function indexPushNeeded(indexed: CasePush | null, next: CasePush, now: number): boolean {
  if (!indexed) return true;
  for (const field of Object.keys(CaseFields) as (keyof typeof CaseFields)[]) {
    if (field === "lastEventAt") continue;
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
  seq: number;
  [key: string]: SqlStorageValue;
}

function summaryOf(sql: SqlStorage, r: IndexRow, now: number): CaseSummary {
  const orderIds = sql
    .exec<{ order_id: string }>(`SELECT order_id FROM case_orders WHERE case_id = ? ORDER BY order_id`, r.case_id)
    .toArray()
    .map((o) => o.order_id);
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
    url: r.url,
    orderIds,
  };
}

/** Stores a case's summary unless a newer one (higher `seq`) is already there. */
export function upsertCaseSummary(sql: SqlStorage, s: CasePush, seq: number, now: number): boolean {
  const current = sql.exec<{ seq: number }>(`SELECT seq FROM case_index WHERE case_id = ?`, s.caseId).toArray()[0];
  if (current && current.seq >= seq) return false;
  sql.exec(
    `INSERT INTO case_index (case_id, type, provider, status, open, breached, priority, opened_at, last_event_at, upcoming,
                             subject, customer_email, customer_name, ticket_id, url, seq, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (case_id) DO UPDATE SET type = excluded.type, provider = excluded.provider, status = excluded.status, open = excluded.open,
       breached = excluded.breached, priority = excluded.priority, opened_at = excluded.opened_at, last_event_at = excluded.last_event_at,
       upcoming = excluded.upcoming, subject = excluded.subject,
       customer_email = excluded.customer_email, customer_name = excluded.customer_name, ticket_id = excluded.ticket_id,
       url = excluded.url, seq = excluded.seq, updated_at = excluded.updated_at`,
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
    seq,
    now,
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

export interface CasePage {
  cases: CaseSummary[];
  nextCursor: string | null;
}

/** One page of the case list, whatever its `limit`: the cursor continues where it ended. */
export const LIST_PAGE_MAX_BYTES = 1024 * 1024;

function capped(v: string | null, max: number): string | null {
  return v === null ? null : cutText(v, max);
}

/** How far ahead "due soon" looks. */
export const DUE_SOON_MS = 60 * 60_000;

const encodeCursor = (openedAt: number, caseId: string) => btoa(JSON.stringify([openedAt, caseId]));
function decodeCursor(cursor: string): [number, string] | null {
  try {
    const v = JSON.parse(atob(cursor)) as unknown;
    return Array.isArray(v) && typeof v[0] === "number" && typeof v[1] === "string" ? [v[0], v[1]] : null;
  } catch {
    return null;
  }
}

export function isValidCursor(cursor: string): boolean {
  return decodeCursor(cursor) !== null;
}

/** Newest first; `state` filters; the cursor is opaque (the last row's position). */
export function listCases(sql: SqlStorage, opts: { state?: CaseListState | undefined; cursor?: string | undefined; limit: number; now: number }): CasePage {
  const where: string[] = [];
  const args: SqlStorageValue[] = [];
  switch (opts.state) {
    case "breached":
      where.push("open = 1 AND breached = 1");
      break;
    case "due-soon":
      // Reminders already past stay in `upcoming` until the case next pushes; they are not "soon".
      where.push("open = 1 AND breached = 0 AND EXISTS (SELECT 1 FROM json_each(case_index.upcoming) AS u WHERE u.value ->> 0 > ? AND u.value ->> 0 <= ?)");
      args.push(opts.now, opts.now + DUE_SOON_MS);
      break;
    case "open":
      where.push("open = 1");
      break;
    case "closed":
      where.push("open = 0");
      break;
    default:
      break;
  }
  const at = opts.cursor ? decodeCursor(opts.cursor) : null;
  if (at) {
    where.push("(opened_at < ? OR (opened_at = ? AND case_id < ?))");
    args.push(at[0], at[0], at[1]);
  }
  const rows = sql
    .exec<IndexRow>(`SELECT * FROM case_index ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY opened_at DESC, case_id DESC LIMIT ?`, ...args, opts.limit + 1)
    .toArray();
  // A page ends at `limit` cases or at LIST_PAGE_MAX_BYTES, whichever comes first (never empty).
  const cases: CaseSummary[] = [];
  let used = 0;
  let last: IndexRow | undefined;
  for (const r of rows.slice(0, opts.limit)) {
    const summary = summaryOf(sql, r, opts.now);
    const cost = JSON.stringify(summary).length;
    if (cases.length > 0 && used + cost > LIST_PAGE_MAX_BYTES) break;
    cases.push(summary);
    used += cost;
    last = r;
  }
  const more = rows.length > cases.length;
  return { cases, nextCursor: more && last ? encodeCursor(last.opened_at, last.case_id) : null };
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
    .map((r) => ({ caseId: r.case_id, provider: r.provider, ticketId: r.ticket_id ?? "", ...(r.url ? { url: r.url } : {}), ...(r.subject ? { subject: r.subject } : {}) }))
    .filter((t) => t.ticketId !== "");
}

export function openCaseIds(sql: SqlStorage): string[] {
  return sql
    .exec<{ case_id: string }>(`SELECT case_id FROM case_index WHERE open = 1 ORDER BY opened_at`)
    .toArray()
    .map((r) => r.case_id);
}
