/**
 * Times as the console shows them: always with their zone (the store's calendar zone and the
 * viewer's), durations in support terms ("2h 05m"), and wall-clock input in a calendar's zone
 * turned into an instant. Plain Intl, no date library: it keeps the first page small.
 */
import { locale } from "./i18n/locale";

export const viewerZone: string = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string, withDate: boolean): Intl.DateTimeFormat {
  // In the console's language (i18n/), so a Turkish reader sees "Sal 8 Ara" and not "Tue 8 Dec".
  const lang = locale();
  const key = `${lang}|${zone}|${withDate}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, {
      timeZone: zone,
      ...(withDate ? { weekday: "short", day: "numeric", month: "short" } : {}),
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    });
    formatters.set(key, f);
  }
  return f;
}

/** "Tue 8 Dec, 14:05 GMT+1" in `zone` (default: the viewer's). */
export function formatInstant(iso: string | number | null | undefined, zone: string = viewerZone): string {
  if (iso === null || iso === undefined) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return formatter(zone, true).format(d);
}

/** The zone's short name at that instant ("CET", "GMT+3"), for labels. */
export function zoneLabel(zone: string, at: number = Date.now()): string {
  const part = formatter(zone, false).formatToParts(new Date(at)).find((p) => p.type === "timeZoneName");
  return part && part.value !== zone ? `${zone} (${part.value})` : zone;
}

/** "3d 4h", "2h 05m", "4m 09s", "12s". */
export function formatDuration(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${two(m)}m`;
  if (m > 0) return `${m}m ${two(sec)}s`;
  return `${sec}s`;
}

/** "in 2h 05m" or "2h 05m overdue". */
export function countdown(dueAt: string | number, now: number): string {
  const ms = new Date(dueAt).getTime() - now;
  return ms >= 0 ? `in ${formatDuration(ms)}` : `${formatDuration(ms)} overdue`;
}

export interface WallParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
}

const partFormatters = new Map<string, Intl.DateTimeFormat>();
export function wallParts(at: number, zone: string): WallParts {
  let f = partFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", weekday: "short", hourCycle: "h23" });
    partFormatters.set(zone, f);
  }
  const p: Record<string, string> = {};
  for (const x of f.formatToParts(new Date(at))) p[x.type] = x.value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour) % 24,
    minute: Number(p.minute),
    weekday: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(p.weekday ?? ""),
  };
}

/** `YYYY-MM-DDTHH:MM` (a datetime-local value) for the instant, in `zone`. */
export function toWallInput(at: number, zone: string): string {
  const p = wallParts(at, zone);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}`;
}

/**
 * The instant a wall-clock `YYYY-MM-DDTHH:MM` names in `zone`, or null when it is not one. In a
 * spring-forward gap the later reading wins, as calendars do.
 */
export function fromWallInput(value: string, zone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  let guess = asUtc;
  // Two rounds settle the zone's offset at that instant (DST changes included).
  for (let i = 0; i < 2; i++) {
    const p = wallParts(guess, zone);
    const seen = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    guess += asUtc - seen;
  }
  return guess;
}
