/**
 * The rules admin API: `/v1/stores/:storeId/rules…` and `/v1/stores/:storeId/audit`.
 *
 * Every read goes to the store's registry object, never to KV: an admin who just saved sees
 * their save. Every document that leaves here has its channel secrets masked. The store id is
 * always the authenticated one, so a token of store A can only ever reach A's registry.
 */
import { z } from "zod";
import { ApiError } from "../http/errors";
import { defineRoute, json } from "../http/route";
import { diffRules, DiffEntry, renderDiff, summarizeDiff } from "../rules/diff";
import { RulesDocument, SECRET_FIELDS } from "../rules/schema";
import { maskSecrets } from "../rules/secrets";
import { RULES_LIMITS } from "../rules/limits";
import { rulesTemplates, RulesTemplate } from "../rules/templates";
import type { ProviderConfig } from "../webhooks/adapter";
import { caseObjectName } from "../events/model";
import { destinationPolicy } from "../notify/destinations";
import { dryRun, DryRunResult, MAX_CASE_DRY_RUN_EVENTS, MAX_DRY_RUN_EVENTS } from "./dry-run";
import { AuditEntry, VersionMeta } from "./schema";
import type { RollbackOutcome, StoredRules } from "./versions";

const TAGS = ["Rules"];

/** The document schema for OpenAPI, on a body that is validated in the registry (see below). */
function documented(schema: z.ZodType, description: string): z.ZodType {
  const js = z.toJSONSchema(schema, { io: "input", target: "draft-2020-12", unrepresentable: "any" }) as Record<string, unknown>;
  delete js.$schema;
  return z.unknown().meta({ ...js, description });
}

/**
 * The PUT body is checked inside the registry, not by the router: kept secrets ("********")
 * resolve against the stored version in the same step that validates, and the 400 lists schema
 * and cross-reference problems together.
 */
const RulesDocumentBody = documented(
  RulesDocument,
  'The complete rules document. Channel secrets read back as "********"; sending "********" keeps the stored value.',
);

const RulesView = VersionMeta.extend({ rules: RulesDocument.meta({ description: "The document, every default filled in, secrets masked." }) });
const OpenCasesOutcome = z
  .object({
    moved: z.number().int().nullable().meta({ description: "Open cases now on this version (null when moving them failed)." }),
    error: z.string().optional(),
  })
  .meta({ description: "Present when the save asked to apply the version to open cases." });
const SavedView = RulesView.extend({
  changes: z.array(DiffEntry).meta({ description: "What this version changed compared to the one it replaced." }),
  openCases: OpenCasesOutcome.optional(),
});
const DiffView = z.object({
  from: z.number().int(),
  to: z.number().int(),
  summary: z.string(),
  changes: z.array(DiffEntry),
  lines: z.array(z.string()).meta({ description: "The same changes, one readable line each: `+` added, `-` removed, `~` changed." }),
});

const VersionNumber = z.string().regex(/^\d{1,9}$/, "a version number: 0, 1, 2…");
const Limit = (max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d{1,4}$/, "a whole number")
    .transform(Number)
    .pipe(z.number().int().min(1).max(max))
    .optional()
    .transform((v) => v ?? fallback);
const Cursor = z.string().regex(/^\d{1,12}$/, "a whole number").transform(Number).optional();

const storeDoc = { storeId: "The store's id (`st_…`)." };
const ifMatchDoc = {
  "If-Match": 'The ETag from `GET /rules` (e.g. `"v3"`): the version you edited. Missing → 428; no longer current → 412.',
};

/** Deeper than any real document: refused before it reaches the registry (and its RPC copy). */
const MAX_DEPTH = 32;

function tooDeep(value: unknown): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (depth >= MAX_DEPTH) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

export function etagOf(version: number): string {
  return `"v${version}"`;
}

/** The version an `If-Match` header names. `*` is refused: it would save over anyone's change. */
export function versionFromIfMatch(header: string | null): number {
  const value = header?.trim() ?? "";
  if (value === "" || value === "*") {
    throw new ApiError(
      428,
      "precondition_required",
      `send If-Match with the ETag of the version you edited (from GET /rules, e.g. If-Match: ${etagOf(1)}), so a save can never overwrite a change you have not seen`,
    );
  }
  const m = /^(?:W\/)?"?v?(\d{1,9})"?$/.exec(value);
  if (!m) throw new ApiError(400, "bad_if_match", `If-Match ${JSON.stringify(value)} is not a rules ETag; send the ETag header of GET /rules, e.g. ${etagOf(1)}`);
  return Number(m[1]);
}

/**
 * RPC results are typed as their serializable shape (tuples widen to arrays); the values are
 * exactly what the registry returned, so this only restores the declared types.
 */
async function readRules(env: Env, storeId: string, version?: number): Promise<StoredRules | null> {
  return (await env.STORES.getByName(storeId).rulesRead(version)) as StoredRules | null;
}

function view(stored: StoredRules) {
  const { document, ...meta } = stored;
  return { ...meta, rules: maskSecrets(document) };
}

/**
 * The answer to a save. When asked, open cases move to the new version after it is saved; the
 * save stands even if that fan-out fails (the version and its flag are already stored), so the
 * answer is still 200 and says what went wrong.
 */
async function answerSave(env: Env, storeId: string, outcome: RollbackOutcome): Promise<Response> {
  switch (outcome.type) {
    case "saved": {
      let openCases: z.infer<typeof OpenCasesOutcome> | undefined;
      if (outcome.saved.appliedToOpenCases) {
        try {
          openCases = { moved: (await env.STORES.getByName(storeId).applyRulesToOpenCases(outcome.saved.version)).cases };
        } catch (err) {
          console.log(JSON.stringify({ msg: "rules.apply_open_cases_failed", storeId, version: outcome.saved.version, error: err instanceof Error ? err.message : String(err) }));
          openCases = { moved: null, error: "the version is saved, but moving open cases to it failed; save again with applyToOpenCases=true to retry" };
        }
      }
      return json({ ...view(outcome.saved), changes: outcome.changes, ...(openCases ? { openCases } : {}) }, 200, { etag: etagOf(outcome.saved.version) });
    }
    case "invalid":
      throw new ApiError(400, "invalid_rules", `the rules document has ${outcome.issues.length} problem(s); nothing was saved`, outcome.issues);
    case "conflict":
      throw new ApiError(
        412,
        "precondition_failed",
        `the rules changed since you read them: version ${outcome.current} is current now. GET /rules, apply your change to it and send its ETag`,
        undefined,
        { etag: etagOf(outcome.current) },
      );
    case "not_found":
      throw new ApiError(404, "not_found", "no such rules version");
  }
}

export const rulesRoutes = [
  defineRoute({
    method: "get",
    path: "/v1/stores/:storeId/rules",
    summary: "Read the current rules",
    description:
      "The rules in force for new cases, with every default filled in and channel secrets masked. The `ETag` header names the version; send it back as `If-Match` when you save. Always read from the store's registry, so it shows a save made a moment ago.",
    tags: TAGS,
    auth: "store",
    headers: { ...storeDoc, "If-None-Match": "An ETag you hold: 304 when it is still current." },
    responses: { 200: { description: "The current rules", schema: RulesView }, 304: { description: "Unchanged since the ETag you sent" } },
    handler: async ({ env, auth, request }) => {
      const current = await readRules(env, auth!.storeId);
      if (!current) throw new ApiError(404, "not_found", "no rules");
      const etag = etagOf(current.version);
      if (request.headers.get("if-none-match")?.trim() === etag) return new Response(null, { status: 304, headers: { etag } });
      return json(view(current), 200, { etag });
    },
  }),
  defineRoute({
    method: "put",
    path: "/v1/stores/:storeId/rules",
    summary: "Save a new rules version",
    description:
      "Replaces the whole document and saves it as the next version. Requires `If-Match` (428 without it, 412 when someone saved in between). A 400 lists every problem at once with its field path: schema errors, unknown calendar or channel names, warnings not shorter than their target, duplicate names, escalations out of order. New cases use the new version at once; open cases keep the version they were opened under unless `applyToOpenCases=true`. Try a draft first with `POST /rules/dry-run`.",
    tags: TAGS,
    auth: "store",
    body: RulesDocumentBody,
    maxBodyBytes: RULES_LIMITS.documentBytes,
    query: z.object({
      applyToOpenCases: z.enum(["true", "false"]).optional().meta({ description: "Move open cases to this version too (they recompute from the time already used)." }),
      summary: z.string().trim().min(1).max(300).optional().meta({ description: "Why you changed it, for the version list and audit log (written from the diff when left out)." }),
    }),
    headers: { ...storeDoc, ...ifMatchDoc },
    responses: {
      200: { description: "Saved; the ETag header names the new version", schema: SavedView },
      400: { description: "Invalid document (`invalid_rules`, every problem with its path); nothing saved" },
      412: { description: "Stale If-Match: another save happened since you read the rules" },
      428: { description: "If-Match missing" },
    },
    handler: async ({ env, auth, request, body, query }) => {
      const expectedVersion = versionFromIfMatch(request.headers.get("if-match"));
      if (tooDeep(body)) throw new ApiError(400, "invalid_rules", `the document is nested deeper than ${MAX_DEPTH} levels; nothing was saved`);
      const outcome = await env.STORES.getByName(auth!.storeId).rulesSave({
        input: body,
        expectedVersion,
        author: auth!.tokenId,
        summary: query.summary,
        action: "update",
        applyToOpenCases: query.applyToOpenCases === "true",
        allowLoopbackDestinations: destinationPolicy(env.ALLOW_LOOPBACK_DESTINATIONS).allowLoopback,
      });
      return answerSave(env, auth!.storeId, outcome as RollbackOutcome);
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/stores/:storeId/rules/versions",
    summary: "List rules versions",
    description: "Newest first: who saved each version (admin token id), when, and what it changed. Version 0, the starter rules, comes last. Page with `before`.",
    tags: TAGS,
    auth: "store",
    headers: storeDoc,
    query: z.object({
      limit: Limit(100, 20).meta({ description: "1–100, default 20." }),
      before: Cursor.meta({ description: "Only versions older than this one (the `nextBefore` of the previous page)." }),
    }),
    responses: {
      200: {
        description: "Versions, newest first",
        schema: z.object({ current: z.number().int(), versions: z.array(VersionMeta), nextBefore: z.number().int().nullable() }),
      },
    },
    handler: async ({ env, auth, query }) => {
      const { current, versions } = await env.STORES.getByName(auth!.storeId).rulesVersions(query.limit, query.before);
      const last = versions.at(-1);
      const nextBefore = versions.length === query.limit && last !== undefined && last.version > 0 ? last.version : null;
      return json({ current, versions, nextBefore });
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/stores/:storeId/rules/versions/:version",
    summary: "Read one rules version",
    tags: TAGS,
    auth: "store",
    headers: { ...storeDoc, version: "A version number from the version list (0 = starter rules)." },
    responses: { 200: { description: "That version, secrets masked", schema: RulesView }, 404: { description: "No such version" } },
    handler: async ({ env, auth, params }) => {
      const n = parseVersion(params.version!);
      const stored = await readRules(env, auth!.storeId, n);
      if (!stored) throw new ApiError(404, "not_found", `rules version ${n} does not exist`);
      return json(view(stored));
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/stores/:storeId/rules/versions/:version/diff",
    summary: "What a version changed",
    description:
      "A structural diff from version `against` (default: the version it replaced) to this one: one entry per changed field, policies matched by name so a reordering reads as a reordering. Secrets show only as \"secret replaced\".",
    tags: TAGS,
    auth: "store",
    headers: { ...storeDoc, version: "The newer version (the diff shows what it changed)." },
    query: z.object({ against: VersionNumber.transform(Number).optional().meta({ description: "The version to compare with; default the one this version replaced." }) }),
    responses: { 200: { description: "The changes", schema: DiffView }, 404: { description: "No such version" } },
    handler: async ({ env, auth, params, query }) => {
      const n = parseVersion(params.version!);
      const to = await readRules(env, auth!.storeId, n);
      if (!to) throw new ApiError(404, "not_found", `rules version ${n} does not exist`);
      const againstN = query.against ?? to.basedOn;
      const from = await readRules(env, auth!.storeId, againstN);
      if (!from) throw new ApiError(404, "not_found", `rules version ${againstN} does not exist`);
      const changes = diffRules(from.document, to.document);
      return json({ from: againstN, to: n, summary: summarizeDiff(changes), changes, lines: renderDiff(changes) });
    },
  }),
  defineRoute({
    method: "post",
    path: "/v1/stores/:storeId/rules/rollback",
    summary: "Roll back to an earlier version",
    description:
      "Saves a new version whose document equals version `version` (channel credentials as they were then). Nothing is deleted: the version list shows the rollback, and you can roll forward the same way. `If-Match` is optional here; when sent, a stale one answers 412.",
    tags: TAGS,
    auth: "store",
    body: z.object({
      version: z.number().int().nonnegative().meta({ description: "The version to restore (0 = starter rules)." }),
      applyToOpenCases: z.boolean().default(false).meta({ description: "Move open cases to the restored rules too." }),
    }),
    headers: { ...storeDoc, "If-Match": "Optional: the ETag you last read; 412 when it is no longer current." },
    responses: {
      200: { description: "Saved as a new version", schema: SavedView },
      400: { description: "The old document no longer passes today's checks (issues listed)" },
      404: { description: "No such version" },
      412: { description: "Stale If-Match" },
    },
    handler: async ({ env, auth, request, body }) => {
      const header = request.headers.get("if-match");
      const expectedVersion = header === null ? undefined : versionFromIfMatch(header);
      const outcome = await env.STORES.getByName(auth!.storeId).rulesRollback({
        to: body.version,
        author: auth!.tokenId,
        applyToOpenCases: body.applyToOpenCases,
        allowLoopbackDestinations: destinationPolicy(env.ALLOW_LOOPBACK_DESTINATIONS).allowLoopback,
        ...(expectedVersion === undefined ? {} : { expectedVersion }),
      });
      return answerSave(env, auth!.storeId, outcome as RollbackOutcome);
    },
  }),
  defineRoute({
    method: "post",
    path: "/v1/stores/:storeId/rules/dry-run",
    summary: "Simulate rules on events (changes nothing)",
    description: `Runs the case engine, in virtual time, on a sequence of events under a draft document (\`rules\`) or the current one: the policy each case matches, every clock with its deadlines, and every reminder that would fire, in time order, with the rule that caused it. Each event is a normalized event (\`storeId\` is taken from the path) or a raw provider payload \`{ "provider", "payload", "headers"?, "at"? }\`, normalized by that provider's adapter with this store's provider options. Raw payloads are NOT signature-checked: nothing in a dry-run is stored, sent or acted on. \`at\` places a raw payload on the timeline (it replaces the payload's own timestamps). Up to ${MAX_DRY_RUN_EVENTS} events; a 400 lists every problem in the draft and the events at once.`,
    tags: TAGS,
    auth: "store",
    headers: storeDoc,
    body: z.object({
      rules: documented(RulesDocument, "A draft rules document to try; the current rules when left out. Secrets may stay \"********\" (nothing is sent).").optional(),
      events: z.array(z.unknown()).min(1, "give at least one event").optional().meta({ description: "Normalized events or raw provider payloads, in any order (each is placed at its own timestamp). Give these or `caseId`." }),
      caseId: z.string().min(1).max(300).optional().meta({ description: "Or replay this case's own stored events (e.g. `ticket:zendesk:1001`): what the draft would have done to a real case." }),
      until: z.iso.datetime({ offset: true }).optional().meta({ description: "Simulate up to this instant (default 14 days after the last event, at most 90 days after the first)." }),
    }),
    responses: { 200: { description: "What would happen", schema: DryRunResult }, 400: { description: "Invalid draft or events (every problem with its path)" } },
    handler: async ({ env, auth, body }) => {
      if (tooDeep(body)) throw new ApiError(400, "validation_failed", `the request is nested deeper than ${MAX_DEPTH} levels`);
      const storeId = auth!.storeId;
      const current = await readRules(env, storeId);
      if (!current) throw new ApiError(404, "not_found", "no rules");
      const registry = env.STORES.getByName(storeId);
      if ((body.events === undefined) === (body.caseId === undefined)) {
        throw new ApiError(400, "validation_failed", "the dry-run request has 1 problem(s)", [{ path: "events", message: "give either events or caseId" }]);
      }
      let events: unknown[] = body.events ?? [];
      let maxEvents: number | undefined;
      if (body.caseId !== undefined) {
        // Only a case this store's index knows: a name that is not one would create an empty object.
        if (!(await registry.hasCase(body.caseId))) throw new ApiError(404, "not_found", `no case ${body.caseId} in this store`);
        events = (await env.CASES.getByName(caseObjectName(storeId, body.caseId)).storedEvents()) ?? [];
        maxEvents = MAX_CASE_DRY_RUN_EVENTS;
      }
      const answer = await dryRun({
        storeId,
        rules: body.rules,
        events,
        ...(maxEvents === undefined ? {} : { maxEvents }),
        until: body.until,
        current,
        destinations: destinationPolicy(env.ALLOW_LOOPBACK_DESTINATIONS),
        // Only the options are used (callbackTag and the like); the secrets stay in this Worker and go nowhere.
        optionsFor: async (provider) => ((await registry.providerConfig(provider)) as ProviderConfig | null)?.options ?? null,
      });
      return json(answer);
    },
  }),
  defineRoute({
    method: "post",
    path: "/v1/stores/:storeId/rules/purge-secret",
    summary: "Purge a channel secret from old versions",
    description:
      'For a leaked credential: first save the new one (PUT /rules), then purge. The named secret field of the named channel is replaced with "********" in every stored version except the current one, in the registry and in KV, and the purge is recorded in the audit log. A rollback to a purged version cannot bring the old secret back: its "********" resolves to the current version\'s secret for the same destination, or the rollback is refused. Cases still pinned to a purged version deliver to that channel without a working credential, so apply the current version to open cases when you replace a secret.',
    tags: TAGS,
    auth: "store",
    body: z.strictObject({
      channel: z.string().min(1).max(80).meta({ description: "The channel name, as in `channels`." }),
      field: z.enum([...new Set(Object.values(SECRET_FIELDS).flat())] as [string, ...string[]]).meta({ description: "The secret field of that channel, e.g. `webhookUrl`, `secret`, `apiToken`." }),
    }),
    headers: storeDoc,
    responses: {
      200: { description: "The versions rewritten (none when no old version held that secret)", schema: z.object({ purged: z.array(z.number().int()) }) },
      400: { description: "Unknown field" },
    },
    handler: async ({ env, auth, body }) => {
      const { versions } = await env.STORES.getByName(auth!.storeId).rulesPurgeSecret({ channel: body.channel, field: body.field, author: auth!.tokenId });
      return json({ purged: versions });
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/stores/:storeId/rules/retention",
    summary: "Version retention",
    description: "How many old rules versions the store keeps (`keepLast`; null keeps every version).",
    tags: TAGS,
    auth: "store",
    headers: storeDoc,
    responses: { 200: { description: "The setting", schema: z.object({ keepLast: z.number().int().nullable() }) } },
    handler: async ({ env, auth }) => json({ keepLast: await env.STORES.getByName(auth!.storeId).rulesRetention() }),
  }),
  defineRoute({
    method: "put",
    path: "/v1/stores/:storeId/rules/retention",
    summary: "Set version retention",
    description:
      "Keep the current version, every version a case is pinned to, every version superseded in the last 10 minutes, and the last `keepLast` versions; older ones are deleted from the registry and KV now and after each save (audited as `rules.prune`). While a case has not yet reported which versions it uses (one that took no event since this was added), nothing is pruned (`waiting` says so). `null` keeps every version (the default).",
    tags: TAGS,
    auth: "store",
    body: z.strictObject({ keepLast: z.number().int().min(1).max(100_000).nullable().meta({ description: "How many of the newest versions to keep besides pinned ones; null keeps all." }) }),
    headers: storeDoc,
    responses: {
      200: {
        description: "Saved; what was pruned now",
        schema: z.object({ keepLast: z.number().int().nullable(), pruned: z.array(z.number().int()), waiting: z.string().nullable() }),
      },
    },
    handler: async ({ env, auth, body }) => json(await env.STORES.getByName(auth!.storeId).rulesSetRetention(body.keepLast, auth!.tokenId)),
  }),
  defineRoute({
    method: "get",
    path: "/v1/stores/:storeId/rules/templates",
    summary: "Starter templates",
    description:
      'Ready rules documents to start from: a small webshop open 09:00–18:00 on weekdays, a marketplace seller answering around the clock, and a store in Turkey with the 2026–2027 public holidays. Channel credentials are "********": fill them in before you PUT (a PUT that still has them answers 400 at those fields).',
    tags: TAGS,
    auth: "store",
    headers: storeDoc,
    responses: { 200: { description: "Templates", schema: z.object({ templates: z.array(RulesTemplate) }) } },
    handler: () => json({ templates: rulesTemplates() }),
  }),
  defineRoute({
    method: "get",
    path: "/v1/stores/:storeId/audit",
    summary: "Audit log",
    description:
      "Who changed what and when, newest first: each rules save and rollback with the admin token id, the versions it went from and to, and the diff (secrets masked). An entry keeps at most 16 KB of changes: larger values and the changes past that are summarised in a `note` (the versions stay whole; `GET /rules/versions/:version/diff` shows the full diff). A page ends at `limit` entries or about 1 MB; continue with `nextBefore`.",
    tags: ["Audit"],
    auth: "store",
    headers: storeDoc,
    query: z.object({
      limit: Limit(200, 50).meta({ description: "1–200, default 50." }),
      before: Cursor.meta({ description: "Only entries older than this id (the `nextBefore` of the previous page)." }),
    }),
    responses: { 200: { description: "Entries, newest first", schema: z.object({ entries: z.array(AuditEntry), nextBefore: z.number().int().nullable() }) } },
    handler: async ({ env, auth, query }) => {
      // Typed as its serializable shape over RPC (diff values are `unknown`): restore the declared type.
      const page = (await env.STORES.getByName(auth!.storeId).auditLog(query.limit, query.before)) as { entries: AuditEntry[]; more: boolean };
      const last = page.entries.at(-1);
      return json({ entries: page.entries, nextBefore: page.more && last ? last.id : null });
    },
  }),
];

function parseVersion(raw: string): number {
  const parsed = VersionNumber.safeParse(raw);
  if (!parsed.success) throw new ApiError(400, "bad_path", `version ${JSON.stringify(raw)} is not a version number (0, 1, 2…)`, [{ path: "version", message: "a version number: 0, 1, 2…" }]);
  return Number(parsed.data);
}
