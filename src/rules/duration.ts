/**
 * Human durations in rule documents: "90s", "5m", "2h", "3d", "1h30m", "1w".
 *
 * Support leads write targets the way they say them; the document keeps their text (so a GET
 * returns what was written) and everything that computes time converts with `parseDuration`.
 * Whole numbers only: "1h30m" says what "1.5h" would, without float rounding in deadlines.
 */
import { z } from "zod";

const UNIT_MS = { w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const;
type Unit = keyof typeof UNIT_MS;

const WHOLE = /^(?:\d{1,6}[wdhms])+$/;
const PART = /(\d{1,6})([wdhms])/g;

/** Longest duration a rule may use: beyond a year it is a typo, and it keeps instants in range. */
export const MAX_DURATION_MS = 400 * UNIT_MS.d;

export class DurationError extends Error {}

function hint(text: string): string {
  return `"${text}" is not a duration: write a whole number and a unit (s, m, h, d, w), e.g. "90s", "5m", "2h", "3d" or "1h30m"`;
}

/**
 * Parsed durations by their text: a rules document holds a handful, and every re-plan of a case
 * reads them all again, which showed in profiles. Only successful parses are kept.
 */
const parsed = new Map<string, number>();

/** Milliseconds in a duration string; throws DurationError with a message an admin can act on. */
export function parseDuration(text: string): number {
  const hit = parsed.get(text);
  if (hit !== undefined) return hit;
  const ms = parseDurationText(text);
  if (parsed.size >= 4096) parsed.clear();
  parsed.set(text, ms);
  return ms;
}

function parseDurationText(text: string): number {
  const compact = text.trim().toLowerCase().replace(/\s+/g, "");
  if (!WHOLE.test(compact)) throw new DurationError(hint(text));
  let ms = 0;
  for (const m of compact.matchAll(PART)) ms += Number(m[1]) * UNIT_MS[m[2] as Unit];
  if (ms > MAX_DURATION_MS) throw new DurationError(`"${text}" is longer than 400 days`);
  return ms;
}

/** The duration as the shortest readable string ("5400000" → "1h30m"); used in dry-run output and diffs. */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(Math.round(ms / 1000)) * 1000;
  let out = "";
  for (const unit of ["d", "h", "m", "s"] as const) {
    const n = Math.floor(rest / UNIT_MS[unit]);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * UNIT_MS[unit];
  }
  return sign + (out === "" ? "0s" : out);
}

function durationSchema(minMs: number, what: string) {
  return z
    .string()
    .meta({ description: `A duration such as "90s", "5m", "2h", "3d" or "1h30m" (${what}).`, examples: ["5m", "2h", "1h30m"] })
    .superRefine((text, ctx) => {
      try {
        const ms = parseDuration(text);
        if (ms < minMs) ctx.addIssue({ code: "custom", message: `"${text}" must be at least ${formatDuration(minMs)}` });
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
      }
    });
}

/** Zero or more: grace periods, "escalate immediately" (`"0s"`). */
export const Duration = durationSchema(0, "zero allowed");
/** A target or interval: at least one second (a 0s target would breach on arrival). */
export const PositiveDuration = durationSchema(1000, "at least 1s");
