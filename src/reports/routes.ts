/** /v1/stores/:storeId/reports: SLA attainment and the cycles behind each figure. */
import { defineRoute, json } from "../http/route";
import { slaReportCsv } from "./aggregate";
import { CyclePage, CyclesQuery, PlaybookCasePage, PlaybookCasesQuery, PlaybookReport, RangeQuery, ShipmentCasePage, ShipmentCasesQuery, ShipmentsReport, SlaReport, SlaReportQuery } from "./schema";

const DEFAULT_RANGE_MS = 30 * 86_400_000;

/** `[from, to)` in epoch ms: `to` defaults to now, `from` to 30 days before `to`. */
function rangeOf(q: { from?: string | undefined; to?: string | undefined }, now: number): { from: number; to: number } {
  const to = q.to !== undefined ? Date.parse(q.to) : now;
  const from = q.from !== undefined ? Date.parse(q.from) : to - DEFAULT_RANGE_MS;
  return { from, to };
}

const wantsCsv = (request: Request, format: string | undefined): boolean =>
  format === "csv" || (format === undefined && (request.headers.get("accept") ?? "").toLowerCase().includes("text/csv"));

export const reportRoutes = [
  defineRoute({
    method: "get",
    path: "/v1/stores/:storeId/reports/sla",
    summary: "SLA attainment",
    description:
      "Finished SLA cycles that **ended** in `[from, to)` (default: the 30 days up to now), grouped by `groupBy` (always per metric): met, missed, attainment (met ÷ finished; null with none), median and 90th-percentile business time used (to the minute). `openMissed` and `inProgress` count the cycles running now, whatever the range. CSV with `Accept: text/csv` or `format=csv`.",
    tags: ["Reports"],
    auth: "store",
    query: SlaReportQuery,
    responses: {
      200: { description: "The report (JSON, or CSV with a header line)", schema: SlaReport },
      400: { description: "A bad query: from after to, a range over 400 days, an unknown groupBy field or filter, or a grouping across policy and team fields over more than 31 days" },
    },
    handler: async ({ env, auth, query, request }) => {
      const { from, to } = rangeOf(query, Date.now());
      const report = await env.STORES.getByName(auth!.storeId).slaReport({ from, to, groupBy: query.groupBy });
      if (!wantsCsv(request, query.format)) return json(report);
      return new Response(slaReportCsv(report.groupBy, report.rows), {
        headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="sla-${report.from.slice(0, 10)}-${report.to.slice(0, 10)}.csv"` },
      });
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/stores/:storeId/reports/sla/cycles",
    summary: "The cycles behind an SLA figure",
    description:
      "Each with its case id. Without `outcome`, or with `met`/`missed`: finished cycles that ended in `[from, to)`, oldest end first. With `open_missed`/`in_progress`: the cycles running now, by due instant. Filters match the report's grouped fields exactly. Paginated: pass `nextCursor` back as `cursor`.",
    tags: ["Reports"],
    auth: "store",
    query: CyclesQuery,
    responses: {
      200: { description: "A page of cycles", schema: CyclePage },
      400: { description: "A bad query (unknown filter, bad range or cursor)" },
    },
    handler: async ({ env, auth, query }) => {
      const { from, to } = rangeOf(query, Date.now());
      return json(await env.STORES.getByName(auth!.storeId).reportCycles({ ...query, from, to }));
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/stores/:storeId/reports/playbook",
    summary: "Playbook outcomes",
    description:
      "Per playbook rule (callback promises with a time, bad ratings, going-in-circles nudges, dispute risk): how often it asked something of the store in `[from, to)` (by the instant it triggered; default the 30 days up to now), how often the store acted by the due instant, and how often it acted late or not at all past due (as of now). The rest are still open.",
    tags: ["Reports"],
    auth: "store",
    query: RangeQuery,
    responses: {
      200: { description: "The report", schema: PlaybookReport },
      400: { description: "A bad range (from after to, over 400 days) or an unknown parameter" },
    },
    handler: async ({ env, auth, query }) => json(await env.STORES.getByName(auth!.storeId).playbookReport(rangeOf(query, Date.now()))),
  }),
  defineRoute({
    method: "get",
    path: "/v1/stores/:storeId/reports/playbook/cases",
    summary: "The cases behind a playbook figure",
    description: "Each triggered record with its case id, oldest trigger first, filtered by `rule` and `outcome` (`actedInTime`, `missed`, `open`, as of now). Paginated: pass `nextCursor` back as `cursor`.",
    tags: ["Reports"],
    auth: "store",
    query: PlaybookCasesQuery,
    responses: {
      200: { description: "A page of records", schema: PlaybookCasePage },
      400: { description: "A bad query (unknown filter, bad range or cursor)" },
    },
    handler: async ({ env, auth, query }) => json(await env.STORES.getByName(auth!.storeId).playbookCases({ ...query, ...rangeOf(query, Date.now()) })),
  }),
  defineRoute({
    method: "get",
    path: "/v1/stores/:storeId/reports/shipments",
    summary: "Late parcels: did we reach the customer first?",
    description:
      "Shipment delay episodes detected in `[from, to)` (default the 30 days up to now): who wrote first (the store's first contact or the customer's first message after detection, as recorded on the parcel's case), the reached-first rate (contactedFirst ÷ delays; null with none), how many first contacts came by the proactive-contact target, updates owed and sent until delivery, and the median time from detection to first contact.",
    tags: ["Reports"],
    auth: "store",
    query: RangeQuery,
    responses: {
      200: { description: "The report", schema: ShipmentsReport },
      400: { description: "A bad range (from after to, over 400 days) or an unknown parameter" },
    },
    handler: async ({ env, auth, query }) => json(await env.STORES.getByName(auth!.storeId).shipmentsReport(rangeOf(query, Date.now()))),
  }),
  defineRoute({
    method: "get",
    path: "/v1/stores/:storeId/reports/shipments/cases",
    summary: "The parcels behind a shipments figure",
    description: "Each delay episode detected in `[from, to)` with its case id, oldest detection first, filtered by `outcome` and `proactiveTargetMet`. Paginated: pass `nextCursor` back as `cursor`.",
    tags: ["Reports"],
    auth: "store",
    query: ShipmentCasesQuery,
    responses: {
      200: { description: "A page of episodes", schema: ShipmentCasePage },
      400: { description: "A bad query (unknown filter, bad range or cursor)" },
    },
    handler: async ({ env, auth, query }) => json(await env.STORES.getByName(auth!.storeId).shipmentCases({ ...query, ...rangeOf(query, Date.now()) })),
  }),
];
