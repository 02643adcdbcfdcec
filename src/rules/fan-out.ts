/**
 * The fan-out cap: how many channels one reminder may go to. Every channel is one outbound
 * request per reminder, so without a cap one signed ticket could be made into hundreds of POSTs
 * (500 webhook channels did exactly that). A reminder goes to exactly one of the lists below (an
 * empty playbook or escalation list falls back to the policy's `notify`, itself capped), so
 * capping each list caps every reminder. The per-store, per-minute cap on what is actually sent
 * lives with delivery (src/notify/store-budget.ts).
 */

/** Channels one reminder may go to; docs/security.md states it. */
export const MAX_CHANNELS_PER_REMINDER = 10;

const PLAYBOOK_RULES = ["badRating", "goingInCircles", "disputeRisk", "callback", "shipmentDelay"] as const;

type Path = (string | number)[];
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every channel list a reminder is sent to that names more than the cap (repeats count once). */
export function fanOutIssues(input: unknown): { path: Path; message: string }[] {
  const out: { path: Path; message: string }[] = [];
  if (!isObj(input)) return out;
  const check = (list: unknown, path: Path) => {
    if (!Array.isArray(list)) return;
    const distinct = new Set(list.filter((c) => typeof c === "string")).size;
    if (distinct > MAX_CHANNELS_PER_REMINDER) {
      out.push({ path, message: `one reminder may go to at most ${MAX_CHANNELS_PER_REMINDER} channels; this list names ${distinct}` });
    }
  };
  if (Array.isArray(input.policies)) {
    input.policies.forEach((p, pi) => {
      if (!isObj(p)) return;
      check(p.notify, ["policies", pi, "notify"]);
      if (Array.isArray(p.escalations)) p.escalations.forEach((e, ei) => isObj(e) && check(e.channels, ["policies", pi, "escalations", ei, "channels"]));
    });
  }
  if (isObj(input.playbook)) {
    for (const rule of PLAYBOOK_RULES) {
      const r = input.playbook[rule];
      if (!isObj(r)) continue;
      check(r.channels, ["playbook", rule, "channels"]);
      check(r.escalationChannels, ["playbook", rule, "escalationChannels"]);
    }
  }
  return out;
}
