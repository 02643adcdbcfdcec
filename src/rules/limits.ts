/**
 * Every collection in a rules document has a cap, and so does the document as a whole. One
 * store's rules are read by every one of its cases and copied into every version, diff and audit
 * entry: an unbounded document (a calendar with 50,000 holidays) once crashed the shared runtime.
 * The numbers are far above what a real store writes; docs/rules.md lists them.
 */
import { MAX_CALENDAR_DATES, MAX_HOURS_PER_DAY } from "../calendar/schema";

export const RULES_LIMITS = {
  /** The request body of `PUT /rules`, measured before parsing, and the stored JSON. */
  documentBytes: 256 * 1024,
  calendars: 50,
  channels: 50,
  policies: 100,
  /** Holidays, closures and openings, each, per calendar. */
  calendarDates: MAX_CALENDAR_DATES,
  hoursPerDay: MAX_HOURS_PER_DAY,
  /** Channel names in one `notify`, escalation or playbook list. */
  channelNames: 50,
  /** Tags (any / all / none), groups and segment tags in one policy condition, tags of the dispute rule. */
  tags: 100,
  tagLength: 200,
  /** Enum lists (case types, channels, priorities, providers, pause statuses, metrics): no more than the distinct values need. */
  enumValues: 30,
  /** Dispute words. */
  words: 200,
} as const;

export function documentBytes(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}
