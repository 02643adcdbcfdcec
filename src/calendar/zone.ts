/**
 * UTC-offset transitions of one IANA zone, computed lazily with temporal-polyfill and then
 * answered with plain binary searches, so the hot path of a business-time query never
 * creates a Temporal object.
 */
import { Temporal } from "temporal-polyfill";

const NS_PER_MS = 1_000_000;

function temporalOffsetMs(zone: string, atMs: number): number {
  return Temporal.Instant.fromEpochMilliseconds(atMs).toZonedDateTimeISO(zone).offsetNanoseconds / NS_PER_MS;
}

/**
 * True when `zone` is an IANA zone name the time-zone database knows. Temporal also accepts
 * fixed offsets such as "+02:00"; those are refused, because a calendar in a fixed offset
 * silently ignores the region's daylight saving time, which is never what an admin means.
 */
export function isValidTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) return false;
  try {
    temporalOffsetMs(zone, 0);
    return true;
  } catch {
    return false;
  }
}

export class ZoneOffsets {
  /** Instants (UTC ms) at which the offset changes, ascending. */
  private readonly at: number[] = [];
  /** Offset in force just before / from each transition on. */
  private readonly before: number[] = [];
  private readonly after: number[] = [];
  /** `at[i] + before[i]`: the local wall time at which transition i happens, used for local→UTC. */
  private readonly localKey: number[] = [];
  private offsetBeforeAll = 0;
  private lo = 0;
  private hi = 0;
  private started = false;
  private noneBefore = false;
  private noneAfter = false;

  constructor(readonly zone: string) {}

  /** Makes sure every transition in [loMs, hiMs] is known. */
  ensure(loMs: number, hiMs: number): void {
    if (!this.started) {
      this.started = true;
      this.lo = this.hi = loMs;
      this.offsetBeforeAll = temporalOffsetMs(this.zone, loMs);
    }
    while (hiMs > this.hi && !this.noneAfter) {
      const next = Temporal.Instant.fromEpochMilliseconds(this.hi)
        .toZonedDateTimeISO(this.zone)
        .getTimeZoneTransition("next");
      if (next === null) {
        this.noneAfter = true;
        break;
      }
      const t = next.epochMilliseconds;
      const prevOffset = this.after.length > 0 ? (this.after[this.after.length - 1] as number) : this.offsetBeforeAll;
      const offset = next.offsetNanoseconds / NS_PER_MS;
      this.at.push(t);
      this.before.push(prevOffset);
      this.after.push(offset);
      this.localKey.push(t + prevOffset);
      this.hi = t;
    }
    if (loMs < this.lo && !this.noneBefore) {
      const found: { t: number; before: number; after: number }[] = [];
      let cursor = this.lo;
      while (loMs < cursor) {
        const prev = Temporal.Instant.fromEpochMilliseconds(cursor)
          .toZonedDateTimeISO(this.zone)
          .getTimeZoneTransition("previous");
        if (prev === null) {
          this.noneBefore = true;
          break;
        }
        const t = prev.epochMilliseconds;
        found.push({ t, before: temporalOffsetMs(this.zone, t - 1), after: prev.offsetNanoseconds / NS_PER_MS });
        cursor = t;
      }
      found.reverse();
      if (found.length > 0) {
        this.offsetBeforeAll = (found[0] as { before: number }).before;
        this.at.unshift(...found.map((f) => f.t));
        this.before.unshift(...found.map((f) => f.before));
        this.after.unshift(...found.map((f) => f.after));
        this.localKey.unshift(...found.map((f) => f.t + f.before));
      }
      this.lo = this.noneBefore ? -Infinity : cursor;
    }
  }

  /** Transitions within [loMs, hiMs] (already ensured), as [instant, offsetBefore, offsetAfter]. */
  transitionsBetween(loMs: number, hiMs: number): [number, number, number][] {
    const out: [number, number, number][] = [];
    for (let i = upperBound(this.at, loMs - 1); i < this.at.length; i++) {
      const t = this.at[i] as number;
      if (t > hiMs) break;
      out.push([t, this.before[i] as number, this.after[i] as number]);
    }
    return out;
  }

  /** UTC offset (ms) in force at instant `u`. */
  offsetAt(u: number): number {
    const i = upperBound(this.at, u) - 1;
    return i < 0 ? this.offsetBeforeAll : (this.after[i] as number);
  }

  /**
   * Local wall time (as if it were UTC) → instant. A wall time skipped by a forward jump is
   * read with the offset from before the jump, which moves it forward by the gap (02:30 →
   * 03:30 in Berlin); a repeated wall time takes its first occurrence. This is Temporal's
   * "compatible" disambiguation, done without allocating.
   */
  localToUtc(local: number): number {
    const i = upperBound(this.localKey, local) - 1;
    if (i < 0) return local - this.offsetBeforeAll;
    const t = this.at[i] as number;
    const b = this.before[i] as number;
    const a = this.after[i] as number;
    if (a > b && local < t + a) return local - b;
    return local - a;
  }
}

/** Index of the first element greater than `x` in an ascending array. */
export function upperBound(arr: readonly number[], x: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((arr[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element greater than or equal to `x` in an ascending array. */
export function lowerBound(arr: readonly number[], x: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((arr[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const zones = new Map<string, ZoneOffsets>();

/** One shared transition cache per zone per isolate. */
export function zoneOffsets(zone: string): ZoneOffsets {
  let z = zones.get(zone);
  if (z === undefined) {
    z = new ZoneOffsets(zone);
    zones.set(zone, z);
  }
  return z;
}
