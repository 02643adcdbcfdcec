/**
 * `POST …/cases/:caseId/acknowledge`: someone takes the case from the API or the console ("Take
 * it"), as "I'm on it" does from Slack. Breaches up to now stop escalating (src/cases/ownership.ts);
 * the SLA clocks run on. Recorded on the case's timeline and in the store's audit log.
 */
import { z } from "zod";
import { caseObjectName } from "../events/model";
import { ApiError } from "../http/errors";
import { defineRoute, json } from "../http/route";
import { loadRules } from "../rules-store/kv";
import { echoToSlack } from "../slack/echo";

export const AcknowledgeBody = z
  .object({
    by: z.string().trim().min(1).max(200).meta({ description: "The person taking the case, as the team knows them (shown in the case view and in escalation reasons)." }),
    note: z.string().trim().min(1).max(1000).optional(),
  })
  .strict();

export const AcknowledgeAnswer = z.object({
  owner: z.object({ by: z.string(), at: z.string(), via: z.literal("api") }),
  stoppedEscalations: z.array(z.object({ key: z.string(), kind: z.string(), dueAt: z.string() })).meta({ description: "Escalation levels that were pending and no longer fire." }),
});

const caseNotFound = () => new ApiError(404, "not_found", "no such case in this store");

export const acknowledgeRoutes = [
  defineRoute({
    method: "post",
    path: "/v1/stores/:storeId/cases/:caseId/acknowledge",
    summary: "Take a case (acknowledge)",
    description:
      "Someone owns the case: the remaining escalation levels of every breach so far are cancelled with the reason \"acknowledged by <by>\". It is not a reply: SLA clocks, warnings and breach reminders are unchanged, and a later breach (a new customer message's target, say) escalates again.",
    tags: ["Cases"],
    auth: "store",
    body: AcknowledgeBody,
    responses: { 200: { description: "Acknowledged", schema: AcknowledgeAnswer }, 404: { description: "No such case in this store" } },
    handler: async ({ env, ctx, auth, params, body }) => {
      const storeId = auth!.storeId;
      const caseId = params.caseId!;
      const registry = env.STORES.getByName(storeId);
      if (caseId.length > 300 || !(await registry.hasCase(caseId))) throw caseNotFound();
      const stub = env.CASES.getByName(caseObjectName(storeId, caseId));
      const before = await stub.view();
      if (!before) throw caseNotFound();
      const out = await stub.acknowledge({ by: body.by, via: "api", note: body.note });
      if (!out) throw caseNotFound();
      const after = await stub.view();
      const stillPending = new Set((after?.timers.pending ?? []).map((t) => t.key));
      const stopped = before.timers.pending.filter((t) => t.kind.endsWith(".escalation") && !stillPending.has(t.key)).map((t) => ({ key: t.key, kind: t.kind, dueAt: t.dueAt }));
      // Slack app messages of the case's breaches say so too, in the background.
      const reminderIds = before.timeline.reminders.map((r) => r.reminderId);
      const echo = async () => {
        const { document } = await loadRules(env, storeId);
        await echoToSlack(env, storeId, document, reminderIds, { kind: "acknowledge", summary: `${body.by} took the case`, by: body.by, at: Date.parse(out.at) });
      };
      if (!out.duplicate) ctx.waitUntil(echo().catch((err: unknown) => console.log(JSON.stringify({ msg: "slack.echo_failed", storeId, error: err instanceof Error ? err.message : String(err) }))));
      await registry.recordCaseAction({ actor: auth!.tokenId, action: "case.acknowledge", caseId, summary: `${body.by} took the case${body.note ? `: ${body.note}` : ""}; ${stopped.length} escalation(s) stopped` });
      return json({ owner: { by: body.by, at: out.at, via: "api" }, stoppedEscalations: stopped });
    },
  }),
];
