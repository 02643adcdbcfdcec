/**
 * Reports: are we meeting our targets? SLA attainment per metric over time, a table by policy ×
 * priority, and the cycles behind every number (each linking its case). The reached-first rate
 * for late parcels and the playbook outcomes show once their endpoints answer (they land on the
 * reports branch after the SLA report). Cycles fall in a range by the instant they ended; open
 * cycles ("missed, still open", "in progress") are counted as of now, whatever the range.
 *
 * Charts are hand-drawn SVG bars with a table beside each: a bar chart of at most ~60 buckets
 * needs no library (0 KB against the 80 KB budget) and draws under the strict CSP without any
 * inline style.
 */
import { useEffect, useState } from "preact/hooks";
import { api, ApiFailure, enc, storePath } from "../api";
import { Empty, ErrorNote, Layout, Tag, useApi, useSession } from "../components";
import { Link, navigate, useLocation } from "../router";
import { formatDuration, formatInstant, fromWallInput, toWallInput, viewerZone, zoneLabel } from "../time";
import type { CyclePage, CycleView, PlaybookReportRow, ShipmentsReport, SlaReport, SlaReportRow } from "../types";

const DAY = 86_400_000;
const MAX_DAILY_DAYS = 92;
const METRICS = ["first_reply", "next_reply", "periodic_update", "resolution"] as const;
type Metric = (typeof METRICS)[number];
const METRIC_LABEL: Record<Metric, string> = { first_reply: "First reply", next_reply: "Next reply", periodic_update: "Periodic update", resolution: "Resolution" };
type Outcome = "met" | "missed" | "open_missed" | "in_progress";
const OUTCOME_LABEL: Record<Outcome, string> = { met: "met", missed: "missed", open_missed: "missed, still open", in_progress: "in progress" };

interface Range {
  from: number;
  to: number;
}

/** What a drill-down lists: the filters of the number that was clicked. */
interface Drill {
  title: string;
  from: number;
  to: number;
  metric?: string;
  outcome?: Outcome;
  policy?: string;
  priority?: string;
}

const pct = (a: number | null | undefined): string => (a === null || a === undefined ? "—" : `${Math.round(a * 1000) / 10}%`);
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Business time in hours and minutes ("158h 00m", "30m"): a day of business time is not 24 hours,
 * so "6d 14h" would mislead. Reports give it to the minute.
 */
function businessTime(ms: number | null): string {
  if (ms === null) return "—";
  const m = Math.round(ms / 60_000);
  return m >= 60 ? `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m` : `${m}m`;
}

function rangeQuery(r: Range): string {
  return `from=${enc(iso(r.from))}&to=${enc(iso(r.to))}`;
}

/** Buckets of a day or a week from `from`; the last one ends at `to`. */
function buckets(r: Range, size: number): Range[] {
  const out: Range[] = [];
  for (let f = r.from; f < r.to && out.length < 400; f += size) out.push({ from: f, to: Math.min(f + size, r.to) });
  return out;
}

/** Runs the calls a few at a time: the store's registry answers them one by one anyway. */
async function pooled<T>(tasks: (() => Promise<T>)[], width = 4): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]!();
      }
    }),
  );
  return out;
}

/** An optional report: `null` when this server does not have the endpoint yet (404). */
async function optional<T>(path: string): Promise<T | null> {
  try {
    return await api<T>("GET", path);
  } catch (err) {
    if (err instanceof ApiFailure && (err.status === 404 || err.status === 405)) return null;
    throw err;
  }
}

function bucketLabel(b: Range, size: number): string {
  const day = (ms: number) => new Intl.DateTimeFormat("en-GB", { timeZone: viewerZone, day: "numeric", month: "short" }).format(new Date(ms));
  return size >= 7 * DAY ? `${day(b.from)}–${day(b.to - 1)}` : day(b.from);
}

export function ReportsPage() {
  const { session } = useSession();
  const storeId = session.storeId;
  const loc = useLocation();
  const now = useState(() => Date.now())[0];
  const qFrom = loc.query.get("from");
  const qTo = loc.query.get("to");
  const range: Range = {
    to: qTo && !Number.isNaN(Date.parse(qTo)) ? Date.parse(qTo) : now,
    from: qFrom && !Number.isNaN(Date.parse(qFrom)) ? Date.parse(qFrom) : (qTo ? Date.parse(qTo) : now) - 30 * DAY,
  };
  // One SLA report per bucket: daily over a long range would be hundreds of calls, so it turns weekly.
  const dailyCapped = loc.query.get("by") === "day" && range.to - range.from > MAX_DAILY_DAYS * DAY;
  const bucketSize = loc.query.get("by") === "day" && !dailyCapped ? DAY : 7 * DAY;
  const [fromInput, setFromInput] = useState(toWallInput(range.from, viewerZone));
  const [toInput, setToInput] = useState(toWallInput(range.to, viewerZone));
  const [by, setBy] = useState(loc.query.get("by") === "day" ? "day" : "week");
  const [formError, setFormError] = useState<{ from?: string; to?: string }>({});
  const [drill, setDrill] = useState<Drill | null>(null);
  useEffect(() => {
    setFromInput(toWallInput(range.from, viewerZone));
    setToInput(toWallInput(range.to, viewerZone));
    setDrill(null);
  }, [range.from, range.to]);

  const apply = (e: Event) => {
    e.preventDefault();
    const from = fromWallInput(fromInput, viewerZone);
    const to = fromWallInput(toInput, viewerZone);
    const errors: { from?: string; to?: string } = {};
    if (from === null) errors.from = "Pick a date and time.";
    if (to === null) errors.to = "Pick a date and time.";
    if (from !== null && to !== null && from >= to) errors.from = "Must be before To.";
    if (from !== null && to !== null && to - from > 400 * DAY) errors.to = "A report covers at most 400 days.";
    setFormError(errors);
    if (from === null || to === null || errors.from || errors.to) return;
    navigate(`/reports?from=${enc(iso(from))}&to=${enc(iso(to))}&by=${by}`);
  };

  const base = storePath(storeId, "/reports");
  const q = rangeQuery(range);
  // While a new range loads, useApi keeps the last answer: it is shown only if it is this range's.
  const current = (r: { data: SlaReport | undefined }) => (r.data && r.data.from === iso(range.from) && r.data.to === iso(range.to) ? r.data : undefined);
  const summaryCall = useApi(() => api<SlaReport>("GET", `${base}/sla?${q}&groupBy=metric`), [storeId, q]);
  const byPolicyCall = useApi(() => api<SlaReport>("GET", `${base}/sla?${q}&groupBy=metric,policy,priority`), [storeId, q]);
  const summary = { ...summaryCall, data: current(summaryCall) };
  const byPolicy = { ...byPolicyCall, data: current(byPolicyCall) };
  const seriesKey = `${q}|${bucketSize}`;
  const series = useApi(
    async () => ({
      key: seriesKey,
      points: await pooled(buckets(range, bucketSize).map((b) => async () => ({ bucket: b, report: await api<SlaReport>("GET", `${base}/sla?${rangeQuery(b)}&groupBy=metric`) }))),
    }),
    [storeId, seriesKey],
  );
  const shipments = useApi(
    async () => {
      const total = await optional<ShipmentsReport>(`${base}/shipments?${q}`);
      if (!total) return null;
      const trend = await pooled(buckets(range, bucketSize).map((b) => async () => ({ bucket: b, report: await api<ShipmentsReport>("GET", `${base}/shipments?${rangeQuery(b)}`) })));
      return { total, trend };
    },
    [storeId, q, bucketSize],
  );
  const playbook = useApi(() => optional<unknown>(`${base}/playbook?${q}`).then(playbookRows), [storeId, q]);

  const csvHref = `${base}/sla?${q}&groupBy=metric,policy,priority&format=csv`;
  const open = (d: Drill) => {
    setDrill(d);
    requestAnimationFrame(() => document.getElementById("drill")?.focus());
  };
  const rows = summary.data?.rows ?? [];
  // Running cycles count whatever the range, so a range can have nothing finished yet still show them.
  const nothing = summary.data !== undefined && rows.every((r) => r.cycles === 0);
  const anything = rows.some((r) => r.cycles > 0 || r.openMissed > 0 || r.inProgress > 0);

  return (
    <Layout
      title="Reports"
      actions={
        <a href={csvHref} download class="small">
          Download CSV (by metric, policy and priority)
        </a>
      }
    >
      <form class="toolbar" onSubmit={apply} aria-label="Report range">
        <div class="facet">
          <label for="r-from">From</label>
          <input id="r-from" type="datetime-local" value={fromInput} aria-invalid={formError.from ? "true" : undefined} aria-describedby="r-zone" onInput={(e) => setFromInput(e.currentTarget.value)} />
          {formError.from && <p class="field-error">{formError.from}</p>}
        </div>
        <div class="facet">
          <label for="r-to">To</label>
          <input id="r-to" type="datetime-local" value={toInput} aria-invalid={formError.to ? "true" : undefined} aria-describedby="r-zone" onInput={(e) => setToInput(e.currentTarget.value)} />
          {formError.to && <p class="field-error">{formError.to}</p>}
        </div>
        <div class="facet">
          <label for="r-by">Over time</label>
          <select id="r-by" value={by} onChange={(e) => setBy(e.currentTarget.value)}>
            <option value="week">Weekly</option>
            <option value="day">Daily</option>
          </select>
        </div>
        <button type="submit">Show</button>
        <p id="r-zone" class="hint">
          Times in {zoneLabel(viewerZone)}. A cycle counts in the range it ended in; “missed, still open” and “in progress” are as of now.
        </p>
      </form>
      <p class="muted small" data-testid="range">
        {formatInstant(range.from)} → {formatInstant(range.to)}
      </p>

      <ErrorNote error={summary.error} what="SLA report" />
      {!summary.data && !summary.error && <p class="muted">Loading…</p>}
      {nothing && (
        <Empty title="No finished cycles in this range yet.">
          <p>
            Widen the range, or check that a helpdesk is <Link href="/connections">sending events</Link> and that a <Link href="/rules">policy sets first-reply or resolution
            targets</Link>: cycles appear here as cases are answered.
          </p>
        </Empty>
      )}

      {summary.data && anything && (
        <section aria-labelledby="h-metrics">
          <h2 id="h-metrics">Attainment per metric</h2>
          <ReportTable rows={rows} range={range} open={open} caption="Per metric, in the range" />
        </section>
      )}

      {summary.data && !nothing && (
        <section aria-labelledby="h-trend">
          <h2 id="h-trend">Attainment over time ({bucketSize === DAY ? "daily" : "weekly"})</h2>
          {dailyCapped && <p class="note small">Weekly: daily figures are shown for ranges up to {MAX_DAILY_DAYS} days.</p>}
          <ErrorNote error={series.error} what="Over time" />
          {series.data?.key !== seriesKey && <p class="muted">Loading…</p>}
          {series.data?.key === seriesKey && <Trend series={series.data.points} size={bucketSize} metrics={METRICS.filter((m) => rows.some((r) => r.metric === m && r.cycles > 0))} open={open} />}
        </section>
      )}

      {summary.data && anything && (
        <section aria-labelledby="h-policy">
          <h2 id="h-policy">By policy and priority</h2>
          <ErrorNote error={byPolicy.error} what="By policy and priority" />
          {byPolicy.data && <ReportTable rows={byPolicy.data.rows} range={range} open={open} caption="Per metric, policy and priority" grouped />}
        </section>
      )}

      <ErrorNote error={shipments.error} what="Late parcels" />
      {shipments.data && <Shipments total={shipments.data.total} trend={shipments.data.trend} size={bucketSize} />}
      <ErrorNote error={playbook.error} what="Playbook" />
      {playbook.data && <Playbook rows={playbook.data} />}

      {drill && <DrillDown storeId={storeId} drill={drill} close={() => setDrill(null)} />}
    </Layout>
  );
}

/** A count that opens the cycles behind it; zero is plain text (nothing to list). */
function Num(props: { n: number; label: string; onOpen: () => void }) {
  if (props.n === 0) return <span>0</span>;
  return (
    <button type="button" class="link num" aria-label={`${props.n} ${props.label}: show the cycles`} onClick={props.onOpen}>
      {props.n}
    </button>
  );
}

function ReportTable(props: { rows: SlaReportRow[]; range: Range; open: (d: Drill) => void; caption: string; grouped?: boolean }) {
  const { rows, range, open, grouped } = props;
  return (
    <table class="list report">
      <caption class="sr-only">{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Metric</th>
          {grouped && <th scope="col">Policy</th>}
          {grouped && <th scope="col">Priority</th>}
          <th scope="col">Attainment</th>
          <th scope="col">Met</th>
          <th scope="col">Missed</th>
          <th scope="col">Missed, still open</th>
          <th scope="col">In progress</th>
          <th scope="col">Median business time</th>
          <th scope="col">90th percentile</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          const what = [METRIC_LABEL[r.metric], grouped ? r.policy : undefined, grouped ? r.priority : undefined].filter(Boolean).join(" · ");
          const d = (outcome?: Outcome): Drill => ({
            title: `${what} · ${outcome ? OUTCOME_LABEL[outcome] : "finished"}`,
            from: range.from,
            to: range.to,
            metric: r.metric,
            ...(outcome ? { outcome } : {}),
            ...(grouped && r.policy ? { policy: r.policy } : {}),
            ...(grouped && r.priority ? { priority: r.priority } : {}),
          });
          return (
            <tr key={what} data-row={[r.metric, grouped ? r.policy : "", grouped ? r.priority : ""].join("|")}>
              <th scope="row" data-label="Metric">
                {METRIC_LABEL[r.metric]}
              </th>
              {grouped && <td data-label="Policy">{r.policy ?? "—"}</td>}
              {grouped && <td data-label="Priority">{r.priority ?? "—"}</td>}
              <td data-label="Attainment" class="attainment">
                {r.cycles > 0 ? (
                  <button type="button" class="link num" aria-label={`${pct(r.attainment)} of ${r.cycles} finished: show the cycles`} onClick={() => open(d())}>
                    {pct(r.attainment)}
                  </button>
                ) : (
                  "—"
                )}{" "}
                <span class="muted small">of {r.cycles}</span>
              </td>
              <td data-label="Met" class="met">
                <Num n={r.met} label="met" onOpen={() => open(d("met"))} />
              </td>
              <td data-label="Missed" class="missed">
                <Num n={r.missed} label="missed" onOpen={() => open(d("missed"))} />
              </td>
              <td data-label="Missed, still open" class="open-missed">
                <Num n={r.openMissed} label="missed, still open" onOpen={() => open(d("open_missed"))} />
              </td>
              <td data-label="In progress" class="in-progress">
                <Num n={r.inProgress} label="in progress" onOpen={() => open(d("in_progress"))} />
              </td>
              <td data-label="Median business time">{businessTime(r.medianUsedMs)}</td>
              <td data-label="90th percentile">{businessTime(r.p90UsedMs)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/**
 * Vertical bars of a share (0–1) per bucket, in a fixed 320-unit-wide drawing so the text keeps
 * its size whatever the number of buckets; a grey stub marks a bucket with nothing finished. The
 * figure is written on the bar when there is room, and the table beside the chart always has it.
 */
function Bars(props: { label: string; values: (number | null)[]; labels: string[] }) {
  const W = 320;
  const left = 30;
  const h = 100;
  const n = Math.max(1, props.values.length);
  const step = (W - left) / n;
  const w = Math.max(2, step * 0.75);
  // Axis labels are ~34 units wide ("28 Nov"): show every k-th so they never overlap.
  const every = Math.max(1, Math.ceil(n / Math.floor((W - left) / 38)));
  return (
    <svg class="bars" viewBox={`0 0 ${W} ${h + 34}`} role="img" aria-label={props.label}>
      <line x1={left} y1={h + 12} x2={W} y2={h + 12} class="axis" />
      <line x1={left} y1="12" x2={W} y2="12" class="grid" />
      <text x="0" y="15" class="tick">
        100%
      </text>
      <text x="0" y={h + 12} class="tick">
        0%
      </text>
      {props.values.map((v, i) => {
        const x = left + i * step + (step - w) / 2;
        const bh = v === null ? 2 : Math.max(1, v * h);
        return (
          <g key={i}>
            <rect x={x} y={h + 12 - bh} width={w} height={bh} class={v === null ? "none" : v >= 0.9 ? "good" : v >= 0.7 ? "fair" : "poor"}>
              <title>{`${props.labels[i]}: ${v === null ? "nothing finished" : pct(v)}`}</title>
            </rect>
            {v !== null && w >= 26 && (
              <text x={x + w / 2} y={h + 9 - bh} class="value" text-anchor="middle">
                {pct(v)}
              </text>
            )}
            {i % every === 0 && (
              <text x={x} y={h + 26} class="tick">
                {props.labels[i]}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

function Trend(props: { series: { bucket: Range; report: SlaReport }[]; size: number; metrics: Metric[]; open: (d: Drill) => void }) {
  const { series, size, metrics, open } = props;
  const labels = series.map((s) => bucketLabel(s.bucket, size));
  const row = (s: { report: SlaReport }, m: Metric) => s.report.rows.find((r) => r.metric === m);
  return (
    <div class="trend">
      <div class="charts">
        {metrics.map((m) => (
          <figure key={m} class="chart">
            <figcaption>{METRIC_LABEL[m]}</figcaption>
            <Bars label={`${METRIC_LABEL[m]} attainment per ${size === DAY ? "day" : "week"}; the table below has the figures`} values={series.map((s) => row(s, m)?.attainment ?? null)} labels={series.map((s) => bucketLabel(s.bucket, DAY))} />
          </figure>
        ))}
      </div>
      <table class="list trend-table">
        <caption class="sr-only">Attainment per {size === DAY ? "day" : "week"}: met of finished</caption>
        <thead>
          <tr>
            <th scope="col">{size === DAY ? "Day" : "Week"}</th>
            {metrics.map((m) => (
              <th scope="col" key={m}>
                {METRIC_LABEL[m]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {series.map((s, i) => (
            <tr key={s.bucket.from} data-bucket={iso(s.bucket.from)}>
              <th scope="row" data-label={size === DAY ? "Day" : "Week"} title={`${formatInstant(s.bucket.from)} → ${formatInstant(s.bucket.to)}`}>
                {labels[i]}
              </th>
              {metrics.map((m) => {
                const r = row(s, m);
                return (
                  <td key={m} data-label={METRIC_LABEL[m]} data-metric={m}>
                    {r && r.cycles > 0 ? (
                      <>
                        <button type="button" class="link num" aria-label={`${METRIC_LABEL[m]}, ${labels[i]}: ${pct(r.attainment)}, show the cycles`} onClick={() => open({ title: `${METRIC_LABEL[m]} · ${labels[i]} · finished`, from: s.bucket.from, to: s.bucket.to, metric: m })}>
                          {pct(r.attainment)}
                        </button>{" "}
                        <span class="muted small">
                          ({r.met} of {r.cycles})
                        </span>
                      </>
                    ) : (
                      <span class="muted">nothing finished</span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Shipments(props: { total: ShipmentsReport; trend: { bucket: Range; report: ShipmentsReport }[]; size: number }) {
  const t = props.total;
  const labels = props.trend.map((s) => bucketLabel(s.bucket, props.size));
  return (
    <section aria-labelledby="h-ship" class="card">
      <h2 id="h-ship">Late parcels: did we reach them first?</h2>
      {t.delays === 0 ? (
        <p class="muted">No shipment delays in this range.</p>
      ) : (
        <>
          <p class="big" data-testid="reached-first">
            Reached first: <strong>{pct(t.reachedFirstRate)}</strong> of {t.delays} delays
          </p>
          <dl class="pairs">
            <dt>We contacted first</dt>
            <dd>{t.contactedFirst}</dd>
            <dt>Customer wrote first</dt>
            <dd>{t.customerFirst}</dd>
            <dt>Never contacted</dt>
            <dd>{t.notContacted}</dd>
            <dt>Proactive-contact target met</dt>
            <dd>{t.proactiveTargetMet}</dd>
            <dt>Updates sent / owed</dt>
            <dd>
              {t.updatesSent} / {t.updatesOwed}
            </dd>
            <dt>Median time to contact</dt>
            <dd>{t.medianContactDelayMs === null ? "—" : formatDuration(t.medianContactDelayMs)}</dd>
          </dl>
          <Bars label={`Reached-first rate per ${props.size === DAY ? "day" : "week"}; the table below has the figures`} values={props.trend.map((s) => (s.report.delays > 0 ? s.report.reachedFirstRate : null))} labels={props.trend.map((s) => bucketLabel(s.bucket, DAY))} />
          <table class="list">
            <caption class="sr-only">Reached-first rate over time</caption>
            <thead>
              <tr>
                <th scope="col">{props.size === DAY ? "Day" : "Week"}</th>
                <th scope="col">Reached first</th>
                <th scope="col">Delays</th>
              </tr>
            </thead>
            <tbody>
              {props.trend.map((s, i) => (
                <tr key={s.bucket.from}>
                  <th scope="row">{labels[i]}</th>
                  <td data-label="Reached first">{s.report.delays > 0 ? pct(s.report.reachedFirstRate) : "—"}</td>
                  <td data-label="Delays">{s.report.delays}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

/** The playbook answer's rows (`{ from, to, rows }`, src/reports/schema.ts PlaybookReport). */
function playbookRows(body: unknown): PlaybookReportRow[] | null {
  if (body === null || body === undefined) return null;
  const rows = (body as { rows?: unknown }).rows;
  return Array.isArray(rows) ? (rows as PlaybookReportRow[]) : [];
}

function Playbook(props: { rows: PlaybookReportRow[] }) {
  return (
    <section aria-labelledby="h-playbook">
      <h2 id="h-playbook">Playbook outcomes</h2>
      {props.rows.length === 0 ? (
        <p class="muted">No playbook rule fired in this range.</p>
      ) : (
        <table class="list">
          <caption class="sr-only">Per playbook rule</caption>
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">Triggered</th>
              <th scope="col">Acted on in time</th>
              <th scope="col">Missed</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr key={r.rule}>
                <th scope="row">{r.rule}</th>
                <td data-label="Triggered">{r.triggered}</td>
                <td data-label="Acted on in time">{r.actedInTime}</td>
                <td data-label="Missed">{r.missed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function DrillDown(props: { storeId: string; drill: Drill; close: () => void }) {
  const { drill } = props;
  const [pages, setPages] = useState<CyclePage[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(false);
  const query = (cursor?: string) => {
    const p = new URLSearchParams();
    // Running cycles are as of now: a range would not narrow them, so none is sent.
    if (drill.outcome !== "open_missed" && drill.outcome !== "in_progress") {
      p.set("from", iso(drill.from));
      p.set("to", iso(drill.to));
    }
    for (const k of ["metric", "outcome", "policy", "priority"] as const) if (drill[k]) p.set(k, drill[k]!);
    p.set("limit", "100");
    if (cursor) p.set("cursor", cursor);
    return storePath(props.storeId, `/reports/sla/cycles?${p.toString()}`);
  };
  const load = async (cursor?: string) => {
    setLoading(true);
    try {
      const page = await api<CyclePage>("GET", query(cursor));
      setPages((ps) => (cursor ? [...ps, page] : [page]));
      setError(undefined);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    setPages([]);
    void load();
  }, [drill]);
  const cycles: CycleView[] = pages.flatMap((p) => p.cycles);
  const next = pages.at(-1)?.nextCursor ?? null;
  return (
    <section id="drill" class="card drill" tabIndex={-1} aria-labelledby="h-drill">
      <div class="page-head">
        <h2 id="h-drill">Cycles behind: {drill.title}</h2>
        <button type="button" class="link" onClick={props.close}>
          Close
        </button>
      </div>
      <ErrorNote error={error} what="Cycles" />
      {!loading && !error && cycles.length === 0 && <p class="muted">No cycles.</p>}
      {cycles.length > 0 && (
        <table class="list cycles">
          <caption class="sr-only">The cycles, each with its case</caption>
          <thead>
            <tr>
              <th scope="col">Case</th>
              <th scope="col">Metric</th>
              <th scope="col">Outcome</th>
              <th scope="col">Policy · priority</th>
              <th scope="col">Assignee</th>
              <th scope="col">Started</th>
              <th scope="col">Due</th>
              <th scope="col">Ended</th>
              <th scope="col">Business time used of target</th>
            </tr>
          </thead>
          <tbody>
            {cycles.map((c) => (
              <tr key={`${c.caseId}|${c.metric}|${c.startedAt}`} data-case-id={c.caseId}>
                <td data-label="Case">
                  <Link href={`/cases/${encodeURIComponent(c.caseId)}`} class="case-link">
                    {c.caseId}
                  </Link>
                </td>
                <td data-label="Metric">{METRIC_LABEL[c.metric]}</td>
                <td data-label="Outcome">
                  <Tag kind={c.outcome === "met" ? "ok" : c.outcome === "in_progress" ? "muted" : "breached"}>{OUTCOME_LABEL[c.outcome]}</Tag>
                </td>
                <td data-label="Policy · priority">
                  {c.policy} · {c.priority}
                </td>
                <td data-label="Assignee">{c.assignee ?? "—"}</td>
                <td data-label="Started">{formatInstant(c.startedAt)}</td>
                <td data-label="Due">{formatInstant(c.dueAt)}</td>
                <td data-label="Ended">{c.endedAt ? formatInstant(c.endedAt) : "running"}</td>
                <td data-label="Business time used of target">
                  {businessTime(c.usedMs)} of {businessTime(c.targetMs)}
                  {c.pausedMs > 0 && <span class="block small muted">paused {businessTime(c.pausedMs)}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {loading && <p class="muted">Loading…</p>}
      {next && !loading && (
        <button type="button" class="secondary" onClick={() => void load(next)}>
          Load more
        </button>
      )}
    </section>
  );
}
