/**
 * The backtest API: replay a draft rules document on the store's real history (src/backtest/).
 * Start one (202), poll it, cancel it. One runs at a time per store.
 */
import { z } from "zod";
import { ApiError } from "../http/errors";
import { defineRoute, json } from "../http/route";
import { checkRules } from "../rules/validate";
import { BacktestRequest, BacktestView, KEEP_RESULTS_DAYS, MAX_WINDOW_DAYS } from "./schema";

const TAGS = ["Rules"];
const storeDoc = { storeId: "The store's id (`st_…`)." };
const BacktestId = z.string().regex(/^bt_[0-9a-f]{32}$/, "a backtest id from POST /rules/backtest");

function backtestIdOf(raw: string | undefined): string {
  const parsed = BacktestId.safeParse(raw);
  if (!parsed.success) throw new ApiError(404, "not_found", "no such backtest in this store");
  return parsed.data;
}

export const backtestRoutes = [
  defineRoute({
    method: "post",
    path: "/v1/stores/:storeId/rules/backtest",
    summary: "Backtest a rules draft on the store's history",
    description: `Replays every case that had events between \`from\` and \`to\` (at most ${MAX_WINDOW_DAYS} days), in virtual time up to \`to\` or now, whichever is earlier, twice: under the rules versions each case actually ran with, and under the draft. Nothing is stored on the cases and nothing is sent. Answers 202 with the backtest's id; poll \`GET …/rules/backtests/:id\`. One backtest runs at a time per store (409 names the running one). Results are kept ${KEEP_RESULTS_DAYS} days.`,
    tags: TAGS,
    auth: "store",
    headers: storeDoc,
    body: BacktestRequest,
    responses: {
      202: { description: "Started", schema: z.object({ backtestId: z.string() }) },
      400: { description: "Invalid draft, from after to, or a window over 90 days (every problem with its path)" },
      409: { description: "Another backtest of this store is running" },
    },
    handler: async ({ env, auth, body }) => {
      const storeId = auth!.storeId;
      const checked = checkRules(body.rules, ["rules"]);
      if (!checked.ok) throw new ApiError(400, "validation_failed", `the draft has ${checked.issues.length} problem(s)`, checked.issues);
      const current = (await env.STORES.getByName(storeId).rulesVersions(1)).current;
      const outcome = await env.BACKTESTS.getByName(storeId).start({
        storeId,
        draft: checked.document,
        draftVersion: current + 1,
        from: Date.parse(body.from),
        to: Date.parse(body.to),
      });
      if (!outcome.started) throw new ApiError(409, "backtest_running", `backtest ${outcome.running} is still running: wait for it or cancel it (DELETE /v1/stores/${storeId}/rules/backtests/${outcome.running})`);
      return json({ backtestId: outcome.backtestId }, 202);
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/stores/:storeId/rules/backtests/:backtestId",
    summary: "Read a backtest: state, progress and, once done, the result",
    tags: TAGS,
    auth: "store",
    headers: storeDoc,
    responses: { 200: { description: "The backtest", schema: BacktestView }, 404: { description: "No such backtest in this store (or its result expired)" } },
    handler: async ({ env, auth, params }) => {
      const view = await env.BACKTESTS.getByName(auth!.storeId).read(backtestIdOf(params.backtestId));
      if (!view) throw new ApiError(404, "not_found", "no such backtest in this store");
      return json(view);
    },
  }),
  defineRoute({
    method: "delete",
    path: "/v1/stores/:storeId/rules/backtests/:backtestId",
    summary: "Cancel a backtest",
    tags: TAGS,
    auth: "store",
    headers: storeDoc,
    responses: { 200: { description: "The backtest, cancelled (or as it ended, if it had already)", schema: BacktestView }, 404: { description: "No such backtest in this store" } },
    handler: async ({ env, auth, params }) => {
      const view = await env.BACKTESTS.getByName(auth!.storeId).cancel(backtestIdOf(params.backtestId));
      if (!view) throw new ApiError(404, "not_found", "no such backtest in this store");
      return json(view);
    },
  }),
];

