/**
 * Channel credentials are write-only. Every response that shows a rules document (GET, versions,
 * diff, dry-run, audit) goes through `maskSecrets`; a PUT may send the mask back to mean "keep
 * what is stored", so an admin can edit a document they fetched without retyping every key.
 *
 * A kept secret stays bound to its destination: if the channel's type, URL, base URL or account
 * changes, the secret must be sent again. Otherwise anyone who can edit rules could point a
 * stored API key at their own server and read it from the first delivery.
 */
import { formatPath, type ErrorIssue } from "../http/errors";
import { SECRET_FIELDS, SECRET_MASK, type ChannelType, type RulesDocument } from "./schema";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Fields that say where a secret is sent; changing any of them invalidates a kept secret. */
const DESTINATION_FIELDS = ["url", "baseUrl", "email", "username", "appId"] as const;

function secretFields(type: unknown): readonly string[] {
  // Own keys only: a channel of type "toString" must read as "no secret fields", not crash.
  return typeof type === "string" && Object.hasOwn(SECRET_FIELDS, type) ? SECRET_FIELDS[type as ChannelType] : [];
}

/** A deep copy of the document with every channel secret replaced by the mask. */
export function maskSecrets<T extends Pick<RulesDocument, "channels">>(doc: T): T {
  const copy = structuredClone(doc);
  for (const channel of Object.values(copy.channels) as unknown as Obj[]) {
    for (const field of secretFields(channel.type)) {
      if (typeof channel[field] === "string") channel[field] = SECRET_MASK;
    }
  }
  return copy;
}

/**
 * Replaces masks in an incoming (unvalidated) document with the stored secrets. Returns the
 * resolved input and an issue for every mask that cannot be resolved.
 */
export function restoreSecrets(input: unknown, stored: RulesDocument | null, prefix: (string | number)[] = []): { input: unknown; issues: ErrorIssue[] } {
  if (!isObj(input) || !isObj(input.channels)) return { input, issues: [] };
  const issues: ErrorIssue[] = [];
  // Built as entries: assigning a key named "__proto__" would set the prototype and hide the key from validation.
  const channels: [string, unknown][] = [];
  for (const [name, raw] of Object.entries(input.channels)) {
    if (!isObj(raw)) {
      channels.push([name, raw]);
      continue;
    }
    const channel: Obj = { ...raw };
    // Own keys only: a channel named "constructor" must not find Object.prototype's.
    const previous = stored && Object.hasOwn(stored.channels, name) ? (stored.channels[name] as unknown as Obj) : undefined;
    for (const field of secretFields(channel.type)) {
      if (channel[field] !== SECRET_MASK) continue;
      const path = formatPath([...prefix, "channels", name, field]);
      if (!previous || typeof previous[field] !== "string") {
        issues.push({ path, message: `"${SECRET_MASK}" keeps a stored secret, but channel "${name}" has none stored: send the actual value` });
      } else if (previous.type !== channel.type || DESTINATION_FIELDS.some((f) => (channel[f] ?? defaultFor(channel.type, f)) !== previous[f])) {
        issues.push({ path, message: `channel "${name}" now points somewhere else, so its secret must be sent again (a stored secret is never sent to a new destination)` });
      } else {
        channel[field] = previous[field];
      }
    }
    channels.push([name, channel]);
  }
  return { input: { ...input, channels: Object.fromEntries(channels) }, issues };
}

/** Defaults the schema fills in, so an omitted field compares equal to the stored default. */
function defaultFor(type: unknown, field: string): unknown {
  if (type === "slack_app" && field === "baseUrl") return "https://slack.com/api";
  return type === "helpscout_note" && field === "baseUrl" ? "https://api.helpscout.net" : undefined;
}
