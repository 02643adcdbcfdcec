/**
 * The case API: list a store's cases, read one with every timer explained, and act on a case
 * where the helpdesk cannot tell us (a callback promised on the phone, a snooze, a phone-only
 * case resolved). Every action is an event in the case's log, like a webhook.
 *
 * A case is looked up in the store's index before its object is touched, so an unknown case id
 * answers 404 without creating anything, and a store can only ever address its own cases (the
 * object name starts with the authenticated store id).
 */
import { z } from "zod";
import { caseObjectName } from "../events/model";
import { ApiError } from "../http/errors";
import { defineRoute, json, type RouteContext } from "../http/route";
import { isValidCursor } from "../stores/case-index";
import { CallbackBody, CallbackDoneBody, CaseList, CaseListQuery, CaseView, ContactedAnswer, ContactedBody, ResolveBody, SnoozeBody } from "./schema";
import { withDeliveries } from "./view";

const caseNotFound = () => new ApiError(404, "not_found", "no such case in this store");

async function caseStub(ctx: Pick<RouteContext<unknown, unknown>, "env" | "auth" | "params">) {
  const storeId = ctx.auth!.storeId;
  const caseId = ctx.params.caseId!;
  if (caseId.length > 300 || !(await ctx.env.STORES.getByName(storeId).hasCase(caseId))) throw caseNotFound();
  return ctx.env.CASES.getByName(caseObjectName(storeId, caseId));
}

const caseParam = { caseId: "The case id, e.g. `ticket:zendesk:123` or `shipment:ups:1Z999…` (URL-encode it)." };

export const caseRoutes = [
  defineRoute({
    method: "get",
    path: "/v1/stores/:storeId/cases",
    summary: "List cases",
    description:
      "Breached first, then by the next due instant (nothing due last), then newest; 50 per page (`limit` up to 1000). `state`: `breached` (open with a breached SLA target or a promised callback past its time), `due-soon` (something due within the hour), `open`, `closed`, `at-risk` (a playbook miss: a late parcel whose customer nobody contacted, a bad rating nobody answered, a callback past due; open or not). `type`, `priority`, `status`, `policy`, `assignee`, `group` and `channel` match exactly; `q` searches ticket ids, order ids, tracking numbers, customer emails and phones (exact or prefix). `counts` gives, per filter, how many cases match each value with the other filters applied. An unknown parameter or value is refused (400). Pass `nextCursor` back as `cursor` for the next page: pages keep the order of the first one's instant.",
    tags: ["Cases"],
    auth: "store",
    query: CaseListQuery,
    responses: { 200: { description: "A page of cases", schema: CaseList } },
    handler: async ({ env, auth, query }) => {
      if (query.cursor !== undefined && !isValidCursor(query.cursor)) {
        throw new ApiError(400, "validation_failed", "query string is not valid: 1 problem(s)", [{ path: "query.cursor", message: "not a cursor returned by this API" }]);
      }
      const { cursor, limit, ...filters } = query;
      return json(await env.STORES.getByName(auth!.storeId).listCases({ filters, cursor, limit }));
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/stores/:storeId/cases/:caseId",
    summary: "Read a case",
    description:
      "State, SLA clocks (status, due, used, remaining), pending timers and what each is for, done timers (fired: how late and after how many attempts; cancelled: why), and the timeline: events (with stale ones marked), metric events, reminders sent with their delivery on each channel (held, pending, delivered, dead; attempts, last status and error), and notes from linked shipments.",
    tags: ["Cases"],
    auth: "store",
    headers: caseParam,
    responses: { 200: { description: "The case", schema: CaseView }, 404: { description: "No such case in this store" } },
    handler: async (ctx) => {
      const view = await (await caseStub(ctx)).view();
      if (!view) throw caseNotFound();
      // Deliveries live in the store's registry; the case object only knows what it handed over.
      const ids = view.timeline.reminders.map((r) => r.reminderId);
      const deliveries = ids.length > 0 ? await ctx.env.STORES.getByName(ctx.auth!.storeId).deliveriesForReminders(ids) : [];
      return json(withDeliveries(view, deliveries));
    },
  }),
  defineRoute({
    method: "post",
    path: "/v1/stores/:storeId/cases/:caseId/callbacks",
    summary: "Promise a callback",
    description:
      "Records a promised call: the owner is reminded before `at`, it is breached at `at` plus the playbook's grace, and escalated after. `at` must be in the future and at most 90 days ahead. A time outside business hours is accepted with a warning.",
    tags: ["Cases"],
    auth: "store",
    body: CallbackBody,
    responses: {
      201: { description: "Callback promised", schema: z.object({ callbackId: z.string(), at: z.string(), warnings: z.array(z.string()) }) },
      404: { description: "No such case in this store" },
    },
    handler: async (ctx) => {
      const { body, auth } = ctx;
      const out = await (await caseStub(ctx)).promiseCallback({ at: body.at, owner: body.owner, note: body.note, phone: body.phone, actor: auth!.tokenId });
      if (!out) throw caseNotFound();
      const warnings = out.outsideHours ? ["the promised time is outside the store's business hours"] : [];
      return json({ callbackId: out.callbackId, at: new Date(body.at).toISOString(), warnings }, 201);
    },
  }),
  defineRoute({
    method: "post",
    path: "/v1/stores/:storeId/cases/:caseId/callbacks/:callbackId/done",
    summary: "Mark a callback done",
    description: "The call happened: its pending reminders are cancelled.",
    tags: ["Cases"],
    auth: "store",
    body: CallbackDoneBody,
    responses: { 200: { description: "Done", schema: z.object({ callbackId: z.string(), done: z.literal(true) }) }, 404: { description: "No open callback with that id" } },
    handler: async (ctx) => {
      const outcome = await (await caseStub(ctx)).completeCallback(ctx.params.callbackId!, ctx.auth!.tokenId, ctx.body.note);
      if (outcome === "not_found") throw new ApiError(404, "not_found", "no open callback with that id on this case");
      return json({ callbackId: ctx.params.callbackId, done: true });
    },
  }),
  defineRoute({
    method: "post",
    path: "/v1/stores/:storeId/cases/:caseId/snooze",
    summary: "Snooze a case",
    description: "Holds the case's reminders until `until` (promised callbacks still fire on time). Timers due meanwhile fire at `until` if still needed.",
    tags: ["Cases"],
    auth: "store",
    body: SnoozeBody,
    responses: { 200: { description: "Snoozed", schema: z.object({ snoozedUntil: z.string() }) }, 404: { description: "No such case in this store" } },
    handler: async (ctx) => {
      if (!(await (await caseStub(ctx)).snooze(ctx.body.until, ctx.body.reason, ctx.auth!.tokenId))) throw caseNotFound();
      return json({ snoozedUntil: new Date(ctx.body.until).toISOString() });
    },
  }),
  defineRoute({
    method: "post",
    path: "/v1/stores/:storeId/cases/:caseId/contacted",
    summary: "Mark the customer contacted",
    description:
      "Someone told the customer (for a late parcel: called or wrote to them about the delay) where Promptly cannot see it. Recorded on the case's timeline as a public agent reply, so a shipment's `shipment.contact_due` timer is cancelled. A reply on the customer's linked helpdesk ticket is another case and does not count: mark the shipment here.",
    tags: ["Cases"],
    auth: "store",
    body: ContactedBody,
    responses: { 200: { description: "Recorded", schema: ContactedAnswer }, 404: { description: "No such case in this store" } },
    handler: async (ctx) => {
      const out = await (await caseStub(ctx)).markContacted({ note: ctx.body.note, channel: ctx.body.channel, actor: ctx.auth!.tokenId });
      if (!out) throw caseNotFound();
      return json({ contactedAt: out.contactedAt, channel: ctx.body.channel ?? null });
    },
  }),
  defineRoute({
    method: "post",
    path: "/v1/stores/:storeId/cases/:caseId/resolve",
    summary: "Resolve a case",
    description: "For cases whose source cannot say so (a phone-only case, a shipment handled by hand): marks it solved, which fulfils its clocks and stops its reminders.",
    tags: ["Cases"],
    auth: "store",
    body: ResolveBody,
    responses: { 200: { description: "Resolved", schema: z.object({ resolved: z.literal(true) }) }, 404: { description: "No such case in this store" } },
    handler: async (ctx) => {
      if (!(await (await caseStub(ctx)).resolve(ctx.body.note, ctx.auth!.tokenId))) throw caseNotFound();
      return json({ resolved: true });
    },
  }),
];
