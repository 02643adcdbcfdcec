/**
 * The board: every open case, breached first, then by the next thing due, with live countdowns,
 * filters with counts, search, and a refresh every 15 s.
 *
 * The list endpoint is being extended with filters, search, sort and counts
 * (`GET …/cases?state&type&priority&status&policy&assignee&group&channel&q`, answering `counts`).
 * Until a server answers `counts`, the board asks it only for `state` and applies the other
 * filters and the search to the rows it got; a filter value a server refuses (400 naming it) is
 * dropped from the request and applied here the same way. So the board works against both.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, ApiFailure, storePath } from "../api";
import { Countdown, Empty, ErrorNote, Layout, Tag, useApi, useSession } from "../components";
import { Link, navigate, useLocation } from "../router";
import { formatInstant } from "../time";
import type { CaseSummary } from "../types";
import { t, type MessageKey } from "../i18n";
import { OwnerTag } from "../ownership";

/** Today's rows, and the fields the extended list adds when the server has them. */
type Row = CaseSummary & {
  policy?: string | null;
  channel?: string | null;
  assignee?: string | null;
  group?: string | null;
  customerPhone?: string | null;
  trackingNumber?: string | null;
  carrier?: string | null;
  breachedTargets?: string[];
  atRisk?: { kind: string; label: string; since: string | null }[];
};

type Counts = Partial<Record<Facet | "state", Record<string, number>>>;

interface ListAnswer {
  cases: Row[];
  nextCursor: string | null;
  counts?: Counts;
}

const FACETS = ["type", "priority", "status", "policy", "assignee", "group", "channel"] as const;
type Facet = (typeof FACETS)[number];
const FACET_LABEL: Record<Facet, MessageKey> = { type: "facet.type", priority: "facet.priority", status: "facet.status", policy: "facet.policy", assignee: "facet.assignee", group: "facet.group", channel: "facet.channel" };

const STATES: readonly { value: string; label: MessageKey }[] = [
  { value: "open", label: "board.state.open" },
  { value: "breached", label: "board.state.breached" },
  { value: "at-risk", label: "board.state.atRisk" },
  { value: "due-soon", label: "board.state.dueSoon" },
  { value: "closed", label: "board.state.closed" },
];

const PAGE = 200;
const DUE_SOON_MS = 60 * 60_000;
/**
 * Rows put in the page at first, and added each time the reader scrolls near the end: a table of
 * 1,000 cases costs most of its time in layout, so the first screen comes at once and the rest
 * follow the scroll (the list itself is already loaded, filtered and sorted).
 */
const FIRST_ROWS = 40;
const MORE_ROWS = 120;

function facetValue(r: Row, f: Facet): string | null {
  const v = r[f];
  return typeof v === "string" && v !== "" ? v : null;
}

export function caseLabel(r: { caseId: string; type: string; ticketId?: string | null; carrier?: string | null; trackingNumber?: string | null }): string {
  if (r.type === "shipment") {
    const [, carrier, ...tracking] = r.caseId.split(":");
    return `${(r.carrier ?? carrier ?? "").toUpperCase()} ${r.trackingNumber ?? tracking.join(":")}`;
  }
  const [, provider] = r.caseId.split(":");
  return `#${r.ticketId ?? r.caseId.split(":").slice(2).join(":")}${provider ? ` · ${provider}` : ""}`;
}

function matchesSearch(r: Row, q: string): boolean {
  const needle = q.trim().toLowerCase();
  if (!needle) return true;
  const hay = [r.ticketId, r.caseId, r.customerEmail, r.customerPhone, r.customerName, r.trackingNumber, r.subject, ...r.orderIds];
  return hay.some((h) => typeof h === "string" && h.toLowerCase().includes(needle));
}

function matchesState(r: Row, state: string, now: number): boolean {
  switch (state) {
    case "breached":
      return r.open && r.breached;
    case "at-risk":
      return r.open && (r.atRisk?.length ?? 0) > 0;
    case "due-soon": {
      // As the list endpoint reads it: open, not breached, something due within the hour.
      const left = r.nextDueAt !== null ? Date.parse(r.nextDueAt) - now : -1;
      return r.open && !r.breached && left > 0 && left <= DUE_SOON_MS;
    }
    case "closed":
      return !r.open;
    default:
      return r.open;
  }
}

/** Breached first, then by the next thing due (nothing due last), then newest. */
function byUrgency(a: Row, b: Row): number {
  if (a.breached !== b.breached) return a.breached ? -1 : 1;
  const da = a.nextDueAt ? Date.parse(a.nextDueAt) : Infinity;
  const db = b.nextDueAt ? Date.parse(b.nextDueAt) : Infinity;
  if (da !== db) return da - db;
  return b.openedAt.localeCompare(a.openedAt);
}

/** Asks the server; parameters it refuses are dropped and reported, to be applied here. */
async function fetchList(storeId: string, params: Record<string, string>, cursor: string | null): Promise<{ answer: ListAnswer; refused: Set<string> }> {
  const refused = new Set<string>();
  let limit = 1000;
  for (let round = 0; round < 4; round++) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (!refused.has(k)) q.set(k, v);
    q.set("limit", String(limit));
    if (cursor) q.set("cursor", cursor);
    try {
      return { answer: await api<ListAnswer>("GET", storePath(storeId, `/cases?${q}`)), refused };
    } catch (err) {
      if (!(err instanceof ApiFailure) || err.status !== 400 || err.issues.length === 0) throw err;
      let dropped = false;
      for (const issue of err.issues) {
        const name = issue.path.replace(/^query\./, "").split(/[.[]/)[0] ?? "";
        if (name === "limit" && limit !== PAGE) {
          limit = PAGE;
          dropped = true;
        } else if (name in params && !refused.has(name)) {
          refused.add(name);
          dropped = true;
        }
      }
      if (!dropped) throw err;
    }
  }
  throw new Error("the case list refused every way of asking");
}

export function BoardPage() {
  const { session } = useSession();
  const loc = useLocation();
  const state = loc.query.get("state") ?? "open";
  const q = loc.query.get("q") ?? "";
  const filters: Partial<Record<Facet, string>> = {};
  for (const f of FACETS) {
    const v = loc.query.get(f);
    if (v) filters[f] = v;
  }
  const filterKey = JSON.stringify(filters);
  const [search, setSearch] = useState(q);
  const [more, setMore] = useState<Row[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [shown, setShown] = useState(FIRST_ROWS);
  const sentinel = useRef<HTMLParagraphElement>(null);
  const [moreError, setMoreError] = useState<unknown>();

  const setParam = (name: string, value: string | null) => {
    const next = new URLSearchParams(loc.query);
    if (value === null || value === "") next.delete(name);
    else next.set(name, value);
    const s = next.toString();
    navigate(s ? `/?${s}` : "/", true);
  };

  // The search box updates the URL (and the list) once typing pauses.
  useEffect(() => {
    if (search === q) return;
    const t = setTimeout(() => setParam("q", search.trim() || null), 300);
    return () => clearTimeout(t);
  }, [search]);
  useEffect(() => setSearch(q), [q]);

  const serverParams = useMemo(() => {
    const p: Record<string, string> = { state, ...filters };
    if (q.trim()) p.q = q.trim();
    return p;
  }, [state, filterKey, q]);

  const list = useApi(() => fetchList(session.storeId, serverParams, null), [session.storeId, JSON.stringify(serverParams)], 15_000);
  useEffect(() => {
    setMore([]);
    setCursor(null);
    setShown(FIRST_ROWS);
  }, [JSON.stringify(serverParams)]);
  useEffect(() => setCursor(list.data?.answer.nextCursor ?? null), [list.data]);

  const providers = useApi(() => api<{ providers: unknown[] }>("GET", storePath(session.storeId, "/providers")), [session.storeId]);

  const now = Date.now();
  const answer = list.data?.answer;
  // A server that answers counts applied every filter; else only `state`, and the rest is ours.
  const serverFiltered = answer?.counts !== undefined;
  const local = (name: string) => !serverFiltered || (list.data?.refused.has(name) ?? false);
  const fetched = [...(answer?.cases ?? []), ...more];
  const rows = fetched
    .filter((r) => !local("state") || matchesState(r, state, now))
    .filter((r) => FACETS.every((f) => !filters[f] || !local(f) || facetValue(r, f) === filters[f] || (f === "type" && r.type === filters[f])))
    .filter((r) => !local("q") || matchesSearch(r, q))
    .sort(byUrgency);

  // A new observer per step: its first report says whether the end is still in reach.
  useEffect(() => {
    const el = sentinel.current;
    if (!el || shown >= rows.length) return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setShown((n) => n + MORE_ROWS), { rootMargin: "800px 0px" });
    io.observe(el);
    return () => io.disconnect();
  }, [shown, rows.length]);

  const counts: Counts = answer?.counts ?? {};
  const localCounts = (f: Facet): Record<string, number> => {
    const c: Record<string, number> = {};
    const base = fetched.filter((r) => (!local("state") || matchesState(r, state, now)) && (!local("q") || matchesSearch(r, q)));
    for (const r of base) {
      const v = f === "type" ? r.type : facetValue(r, f);
      if (v !== null) c[v] = (c[v] ?? 0) + 1;
    }
    return c;
  };
  const stateCount = (s: string): number | undefined => {
    if (counts.state) return counts.state[s] ?? 0;
    if (s === state) return rows.length;
    // A server that does not report playbook misses yet: no count rather than a false 0.
    if (s === "at-risk" && !fetched.some((r) => r.atRisk !== undefined)) return undefined;
    if (state === "open" && s !== "closed") return fetched.filter((r) => matchesState(r, s, now)).length;
    return undefined;
  };

  const loadMore = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const { answer: page } = await fetchList(session.storeId, serverParams, cursor);
      setMore((m) => [...m, ...page.cases]);
      setCursor(page.nextCursor);
    } catch (err) {
      setMoreError(err);
    } finally {
      setLoadingMore(false);
    }
  };

  const anyFilter = q !== "" || Object.keys(filters).length > 0 || state !== "open";
  const noProvider = providers.data !== undefined && providers.data.providers.length === 0;

  return (
    <Layout
      title={t("title.board")}
      actions={
        <p class="refresh" aria-live="polite">
          {list.loading ? t("board.refreshing") : t("board.updated", { at: formatInstant(Date.now()) })}{" "}
          <button type="button" class="link" onClick={list.reload}>
            {t("board.refresh")}
          </button>
        </p>
      }
    >
      <div class="toolbar">
        <div class="states" role="group" aria-label={t("board.state")}>
          {STATES.map((s) => {
            const n = stateCount(s.value);
            return (
              <button key={s.value} type="button" class={`pill ${s.value}`} aria-pressed={state === s.value} onClick={() => setParam("state", s.value === "open" ? null : s.value)}>
                {t(s.label)}
                {n !== undefined && <span class="count"> {n}</span>}
              </button>
            );
          })}
        </div>
        <div class="search">
          <label for="case-search">{t("board.search")}</label>
          <input id="case-search" type="search" placeholder={t("board.searchHint")} value={search} onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="facets">
          {FACETS.map((f) => {
            const c = counts[f] ?? localCounts(f);
            const values = Object.keys(c).sort();
            if (filters[f] && !values.includes(filters[f])) values.push(filters[f]);
            return (
              <div class="facet" key={f}>
                <label for={`facet-${f}`}>{t(FACET_LABEL[f])}</label>
                <select id={`facet-${f}`} value={filters[f] ?? ""} onChange={(e) => setParam(f, (e.currentTarget as HTMLSelectElement).value || null)}>
                  <option value="">{t("board.all")}</option>
                  {values.map((v) => (
                    <option key={v} value={v}>
                      {v} ({c[v] ?? 0})
                    </option>
                  ))}
                </select>
              </div>
            );
          })}
          {anyFilter && (
            <button type="button" class="link" onClick={() => navigate("/", true)}>
              {t("board.clearFilters")}
            </button>
          )}
        </div>
      </div>

      <ErrorNote error={list.error} what="Could not load the cases" />

      {answer && rows.length === 0 && !list.error && (
        noProvider && !anyFilter ? (
          <Empty title={t("board.empty.noProvider")}>
            <p>
              <Link href="/connections">{t("board.empty.connect")}</Link> — {t("board.empty.connectWhy")}
            </p>
          </Empty>
        ) : anyFilter ? (
          <Empty title={t("board.empty.noMatch")}>
            <button type="button" class="link" onClick={() => navigate("/", true)}>
              Show all open cases
            </button>
          </Empty>
        ) : (
          <Empty title={t("board.empty.none")}>
            <p>{t("board.empty.noneWhy")}</p>
          </Empty>
        )
      )}

      {rows.length > 0 && (
        <table class="board">
          <caption class="sr-only">Cases, breached first, then by the next thing due</caption>
          <thead>
            <tr>
              <th scope="col">{t("board.col.case")}</th>
              <th scope="col">{t("board.col.customer")}</th>
              <th scope="col">{t("board.col.details")}</th>
              <th scope="col">{t("board.col.due")}</th>
              <th scope="col">{t("board.col.risk")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, shown).map((r) => (
              <CaseRow key={r.caseId} row={r} />
            ))}
          </tbody>
        </table>
      )}
      {shown < rows.length && (
        <p ref={sentinel} class="muted">
          Showing {shown} of {rows.length} cases; more appear as you scroll.{" "}
          <button type="button" class="link" onClick={() => setShown(rows.length)}>
            Show all {rows.length}
          </button>
        </p>
      )}
      {cursor && rows.length > 0 && (
        <p>
          <button type="button" onClick={() => void loadMore()} disabled={loadingMore}>
            {loadingMore ? t("board.loading") : t("board.loadMore")}
          </button>
        </p>
      )}
      <ErrorNote error={moreError} what="Could not load more cases" />
    </Layout>
  );
}

function CaseRow({ row: r }: { row: Row }) {
  const details: [string, string | null | undefined][] = [
    ["policy", r.policy],
    ["priority", r.priority],
    ["channel", r.channel],
    ["status", r.status],
    ["assignee", r.assignee],
    ["group", r.group],
  ];
  return (
    <tr class={r.breached ? "is-breached" : (r.atRisk?.length ?? 0) > 0 ? "is-risk" : undefined} data-case-id={r.caseId}>
      <td data-label="Case">
        <Link href={`/cases/${encodeURIComponent(r.caseId)}`} class="case-link">
          {caseLabel(r)}
        </Link>
        <span class="subject">{r.subject ?? (r.type === "shipment" ? "Shipment" : "(no subject)")}</span>
      </td>
      <td data-label="Customer">
        {r.customerName && <span class="block">{r.customerName}</span>}
        {r.customerEmail && <span class="block muted">{r.customerEmail}</span>}
        {r.customerPhone && <span class="block muted">{r.customerPhone}</span>}
        {!r.customerName && !r.customerEmail && !r.customerPhone && <span class="muted">—</span>}
      </td>
      <td data-label="Details">
        <dl class="inline">
          {details
            .filter(([, v]) => v)
            .map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
        </dl>
      </td>
      <td data-label="Next due">
        {r.nextDueAt ? (
          <>
            <span class="block">{r.nextDueKind?.replace(/[._]/g, " ")}</span>
            <Countdown at={r.nextDueAt} />
            <span class="block muted small">{formatInstant(r.nextDueAt)}</span>
          </>
        ) : (
          <span class="muted">{r.open ? t("board.nothingDue") : t("board.closed")}</span>
        )}
      </td>
      <td data-label="Risk">
        {r.breached && (
          <Tag kind="breached">
            {t("case.breached")}{r.breachedTargets && r.breachedTargets.length > 0 ? `: ${r.breachedTargets.map((m) => m.replace(/_/g, " ")).join(", ")}` : ""}
          </Tag>
        )}
        {r.atRisk?.map((a) => (
          <Tag kind="risk" key={a.kind} title={a.since ? `since ${formatInstant(a.since)}` : undefined}>
            at risk: {a.label}
          </Tag>
        ))}
        {!r.breached && (r.atRisk?.length ?? 0) === 0 && <span class="muted">{r.open ? t("board.onTrack") : "—"}</span>}
        {r.owner && <OwnerTag owner={r.owner} />}
      </td>
    </tr>
  );
}
