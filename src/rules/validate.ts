/**
 * Validation beyond the schema: the mistakes zod cannot see because they span two places in the
 * document (a policy naming a calendar that does not exist, a warning earlier than the target
 * itself, two policies with one name, escalation levels out of order).
 *
 * These checks walk the raw input defensively, so they run even when the schema also failed:
 * an admin gets every problem in one 400 instead of fixing them one round trip at a time.
 */
import { z } from "zod";
import { ApiError, formatPath, issuesFromZod, type ErrorIssue } from "../http/errors";
import { ALWAYS_OPEN, METRICS, RulesDocument } from "./schema";
import { formatDuration, parseDuration } from "./duration";
import { channelDestinationIssues, type DestinationPolicy } from "../notify/destinations";
import { fanOutIssues } from "./fan-out";
import { RULES_LIMITS } from "./limits";

type Path = (string | number)[];
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function durationMs(v: unknown): number | undefined {
  if (typeof v !== "string") return undefined;
  try {
    return parseDuration(v);
  } catch {
    return undefined;
  }
}

const PRIORITIES = ["low", "normal", "high", "urgent"] as const;
const PLAYBOOK_RULES = ["badRating", "goingInCircles", "disputeRisk", "callback", "shipmentDelay"] as const;

/**
 * Own `__proto__` keys, which JSON.parse creates but zod skips without a word: a calendar or
 * channel so named would vanish from the saved document instead of being reported.
 */
function protoKeys(input: unknown): Path[] {
  const found: Path[] = [];
  const stack: [unknown, Path][] = [[input, []]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v !== "object" || v === null || path.length > 64) continue;
    if (Array.isArray(v)) v.forEach((item, i) => stack.push([item, [...path, i]]));
    else {
      if (Object.hasOwn(v, "__proto__")) found.push([...path, "__proto__"]);
      for (const [k, child] of Object.entries(v)) stack.push([child, [...path, k]]);
    }
  }
  return found;
}

/** Referential and ordering problems in a (possibly not yet schema-valid) document. */
export function referentialIssues(input: unknown): ErrorIssue[] {
  const issues: ErrorIssue[] = [];
  if (!isObj(input)) return issues;
  const add = (path: Path, message: string) => issues.push({ path: formatPath(path), message });
  for (const path of protoKeys(input)) add(path, `"__proto__" is not allowed as a name or field`);

  const calendars = isObj(input.calendars) ? Object.keys(input.calendars) : [];
  const channels = isObj(input.channels) ? Object.keys(input.channels) : [];
  // zod records have no size check; the caps are in limits.ts (and the OpenAPI maxProperties).
  if (calendars.length > RULES_LIMITS.calendars) add(["calendars"], `at most ${RULES_LIMITS.calendars} calendars (this document has ${calendars.length})`);
  if (channels.length > RULES_LIMITS.channels) add(["channels"], `at most ${RULES_LIMITS.channels} channels (this document has ${channels.length})`);
  if (calendars.includes(ALWAYS_OPEN)) add(["calendars", ALWAYS_OPEN], `"${ALWAYS_OPEN}" is built in and cannot be redefined`);
  // References are exact, so two names that differ only in case are one typo away from the wrong target.
  for (const [section, names] of [["calendars", calendars], ["channels", channels]] as const) {
    const seen = new Map<string, string>();
    for (const name of names) {
      const first = seen.get(name.toLowerCase());
      if (first !== undefined) add([section, name], `duplicate name: "${name}" differs from "${first}" only in upper/lower case`);
      else seen.set(name.toLowerCase(), name);
    }
  }

  const checkCalendar = (value: unknown, path: Path) => {
    const name = str(value);
    if (name === undefined || name === ALWAYS_OPEN || calendars.includes(name)) return;
    add(path, `unknown calendar "${name}"; define it under calendars or use "${ALWAYS_OPEN}"${known(calendars)}`);
  };
  const checkChannels = (value: unknown, path: Path) => {
    arr(value).forEach((c, i) => {
      const name = str(c);
      if (name !== undefined && !channels.includes(name)) add([...path, i], `unknown channel "${name}"; define it under channels${known(channels)}`);
    });
  };

  const seenNames = new Map<string, number>();
  arr(input.policies).forEach((p, pi) => {
    if (!isObj(p)) return;
    const base: Path = ["policies", pi];
    const name = str(p.name);
    if (name !== undefined) {
      const key = name.trim().toLowerCase();
      const first = seenNames.get(key);
      if (first !== undefined) add([...base, "name"], `duplicate policy name "${name}" (also policies[${first}].name)`);
      else seenNames.set(key, pi);
    }
    const when = isObj(p.when) ? p.when : {};
    if (isObj(when.tags)) checkTagConditions(when.tags, [...base, "when", "tags"], add);
    const targets = isObj(p.targets) ? p.targets : {};
    for (const metric of METRICS) {
      const t = targets[metric];
      if (!isObj(t)) continue;
      const tPath: Path = [...base, "targets", metric];
      checkCalendar(t.calendar, [...tPath, "calendar"]);
      const byPriority = isObj(t.byPriority) ? t.byPriority : undefined;
      if (byPriority && PRIORITIES.every((pr) => byPriority[pr] === undefined)) {
        add([...tPath, "byPriority"], "set a target for at least one priority (low, normal, high, urgent), or remove this metric");
      }
      const shortest = PRIORITIES.map((pr) => ({ pr, ms: durationMs(byPriority?.[pr]) })).filter((x): x is { pr: (typeof PRIORITIES)[number]; ms: number } => x.ms !== undefined);
      const offsets = new Map<number, number>();
      arr(t.warnings).forEach((w, wi) => {
        const ms = durationMs(w);
        if (ms === undefined) return;
        const same = offsets.get(ms);
        if (same !== undefined) add([...tPath, "warnings", wi], `duplicate warning: ${String(w)} is the same offset as warnings[${same}]`);
        else offsets.set(ms, wi);
        const tooLong = shortest.filter((s) => ms >= s.ms);
        if (tooLong.length > 0) {
          add(
            [...tPath, "warnings", wi],
            `warning ${String(w)} before the due time is not shorter than the ${tooLong.map((s) => `${s.pr} target (${formatDuration(s.ms)})`).join(", ")}: it would fire at or before the clock starts`,
          );
        }
      });
    }
    checkChannels(p.notify, [...base, "notify"]);
    let prevLevel: number | undefined;
    let prevAfter: number | undefined;
    arr(p.escalations).forEach((e, ei) => {
      if (!isObj(e)) return;
      const ePath: Path = [...base, "escalations", ei];
      checkChannels(e.channels, [...ePath, "channels"]);
      if (typeof e.level === "number") {
        if (prevLevel !== undefined && e.level <= prevLevel) add([...ePath, "level"], `escalation levels must increase down the list (level ${e.level} comes after level ${prevLevel})`);
        prevLevel = e.level;
      }
      const after = durationMs(e.after);
      if (after !== undefined) {
        if (prevAfter !== undefined && after < prevAfter) add([...ePath, "after"], `a higher escalation level cannot fire earlier than the one before it (${String(e.after)} < ${formatDuration(prevAfter)})`);
        prevAfter = after;
      }
      arr(e.metrics).forEach((m, mi) => {
        if (typeof m === "string" && (METRICS as readonly string[]).includes(m) && !isObj(targets[m])) {
          add([...ePath, "metrics", mi], `this policy has no ${m} target, so nothing of it can breach`);
        }
      });
    });
  });

  const playbook = isObj(input.playbook) ? input.playbook : {};
  for (const rule of PLAYBOOK_RULES) {
    const r = playbook[rule];
    if (!isObj(r)) continue;
    checkChannels(r.channels, ["playbook", rule, "channels"]);
    if (r.calendar !== undefined) checkCalendar(r.calendar, ["playbook", rule, "calendar"]);
    if (r.escalationChannels !== undefined) checkChannels(r.escalationChannels, ["playbook", rule, "escalationChannels"]);
  }
  if (isObj(input.quietHours)) {
    const cal = str(input.quietHours.calendar);
    if (cal === ALWAYS_OPEN) add(["quietHours", "calendar"], `"${ALWAYS_OPEN}" is always open, so quiet hours would never hold anything back; name a business calendar`);
    else checkCalendar(input.quietHours.calendar, ["quietHours", "calendar"]);
  }
  return issues;
}

/**
 * Tag conditions that contradict each other: the policy would silently never match, which an
 * admin finds out only when a VIP case falls through to the catch-all.
 */
function checkTagConditions(tags: Obj, path: Path, add: (path: Path, message: string) => void): void {
  const none = new Set(arr(tags.none).flatMap((t) => (typeof t === "string" ? [t.toLowerCase()] : [])));
  if (none.size === 0) return;
  arr(tags.all).forEach((t, i) => {
    if (typeof t === "string" && none.has(t.toLowerCase())) add([...path, "all", i], `"${t}" is also in tags.none: a case cannot both have and lack it, so this policy would never match`);
  });
  const any = arr(tags.any).filter((t): t is string => typeof t === "string");
  if (any.length > 0 && any.every((t) => none.has(t.toLowerCase()))) {
    add([...path, "any"], "every tag here is also in tags.none, so this policy would never match");
  }
}

function known(names: string[]): string {
  return names.length === 0 ? " (none defined yet)" : ` (defined: ${names.join(", ")})`;
}

export type RulesCheck = { ok: true; document: RulesDocument } | { ok: false; issues: ErrorIssue[] };

/**
 * Schema + referential checks; every problem, with paths relative to `prefix`. Channel
 * destinations are judged under `destinations` (the deployment's loopback allowance, passed in by
 * the route: validation has no env); without it only public https hosts pass.
 */
export function checkRules(input: unknown, prefix: Path = [], destinations: DestinationPolicy = { allowLoopback: false }): RulesCheck {
  const parsed = RulesDocument.safeParse(input);
  const issues: ErrorIssue[] = parsed.success ? [] : zodIssues(parsed.error, prefix);
  const seen = new Set(issues.map((i) => `${i.path}\u0000${i.message}`));
  const hardening = [...channelDestinationIssues(input, destinations), ...fanOutIssues(input)].map((i) => ({ path: formatPath(i.path), message: i.message }));
  for (const issue of [...referentialIssues(input), ...hardening]) {
    const withPrefix = prefix.length === 0 ? issue : { ...issue, path: joinPath(prefix, issue.path) };
    const key = `${withPrefix.path}\u0000${withPrefix.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(withPrefix);
    }
  }
  if (parsed.success && issues.length === 0) return { ok: true, document: parsed.data };
  return { ok: false, issues };
}

/** Fields that moved elsewhere: an admin sending the old place gets told where it went. */
const MOVED: Record<string, string> = {
  "playbook.callback.detect":
    "unknown field \"detect\": callback promises are recognised per helpdesk, with the provider options callbackTag / callbackField (PUT /v1/stores/:storeId/providers/:provider)",
};

/**
 * Like issuesFromZod, but an unknown field is reported at its own path ("policies[0].whn"), not
 * its parent's, and a bad name in `calendars` / `channels` says what is wrong with it.
 */
function zodIssues(error: z.ZodError, prefix: Path): ErrorIssue[] {
  const out: ErrorIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        // Own keys only: a field named "toString" must not find Object.prototype's function as its message.
        const moved = Object.hasOwn(MOVED, formatPath(path)) ? MOVED[formatPath(path)] : undefined;
        out.push({ path: formatPath([...prefix, ...path]), message: moved ?? `unknown field "${key}"` });
      }
    } else if (issue.code === "invalid_key") {
      const why = issue.issues.map((i) => i.message).join("; ");
      out.push({ path: formatPath([...prefix, ...issue.path]), message: `name ${JSON.stringify(String(issue.path.at(-1)))} is not allowed: ${why}` });
    } else {
      out.push(...issuesFromZod(new z.ZodError([issue]), prefix));
    }
  }
  return out;
}

function joinPath(prefix: Path, path: string): string {
  const head = formatPath(prefix);
  if (path === "(root)") return head;
  return path.startsWith("[") ? head + path : `${head}.${path}`;
}

/** The parsed document, or ApiError 400 `invalid_rules` listing every problem with its field path. */
export function validateRules(input: unknown, prefix: Path = []): RulesDocument {
  const result = checkRules(input, prefix);
  if (result.ok) return result.document;
  throw new ApiError(400, "invalid_rules", `the rules document has ${result.issues.length} problem(s)`, result.issues);
}
