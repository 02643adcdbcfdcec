/**
 * The per-store cap on outbound requests: at most `perWindow` deliveries (reminders, digests,
 * notices) are posted per store per clock minute. One store's burst (a flood of signed tickets,
 * an outage that ends with everything due at once) then cannot turn the shared service into a
 * firehose at its receivers. Deliveries over the cap are never dropped: each is given the next
 * window with room and told to wait until it starts, and when it comes back it is sent without
 * being counted again. So a burst is spread over the following minutes in arrival order, and each
 * delivery waits (one queue retry with a delay) about once.
 *
 * Pure and in memory: it lives in the store's registry object, the single place every one of the
 * store's deliveries is claimed (src/stores/store-registry.ts `deliveryStartBatch`). A restart of
 * that object forgets the counts, which at worst lets one extra window's worth through.
 */

export const DEFAULT_STORE_DELIVERIES_PER_MINUTE = 12_000;
const MINUTE_MS = 60_000;
/** Queues accept delays up to 12 hours: a later slot is waited for in steps. */
const MAX_WAIT_SECONDS = 12 * 3600;
/** Reservations whose delivery never came back (another copy sent it) are forgotten after this many windows. */
const FORGET_AFTER_WINDOWS = 60;

export type BudgetVerdict = { send: true } | { send: false; waitSeconds: number };

export class OutboundBudget {
  /** Booked sends per window index (a window is `windowMs` long, aligned to the clock). */
  private readonly booked = new Map<number, number>();
  /** Deliveries told to wait, with the window they were given. */
  private readonly reserved = new Map<string, number>();

  constructor(
    readonly perWindow: number,
    /** A minute; tests use a shorter window to see the same behaviour in seconds. */
    readonly windowMs: number = MINUTE_MS,
  ) {}

  /** The setting's value, or the default when it is unset or not a positive integer. */
  static perMinuteFrom(value: string | undefined): number {
    const n = Number(value);
    return Number.isInteger(n) && n > 0 ? n : DEFAULT_STORE_DELIVERIES_PER_MINUTE;
  }

  /** Whether `deliveryId` may be posted now, or how long it waits for its turn. */
  take(deliveryId: string, now: number): BudgetVerdict {
    const window = Math.floor(now / this.windowMs);
    this.forgetOld(window);
    const slot = this.reserved.get(deliveryId);
    if (slot !== undefined) {
      // Its window was counted when it was given; early (a copy, a short delay) it waits again.
      if (slot <= window) {
        this.reserved.delete(deliveryId);
        return { send: true };
      }
      return { send: false, waitSeconds: this.secondsUntil(slot, now) };
    }
    let w = window;
    while ((this.booked.get(w) ?? 0) >= this.perWindow) w += 1;
    this.booked.set(w, (this.booked.get(w) ?? 0) + 1);
    if (w === window) return { send: true };
    this.reserved.set(deliveryId, w);
    return { send: false, waitSeconds: this.secondsUntil(w, now) };
  }

  /** How many deliveries are waiting for a later window (for logs and tests). */
  get waiting(): number {
    return this.reserved.size;
  }

  private secondsUntil(window: number, now: number): number {
    // One second past the window's start, so a delay rounded down by the queue still lands in it.
    return Math.min(MAX_WAIT_SECONDS, Math.max(1, Math.ceil((window * this.windowMs - now) / 1000) + 1));
  }

  private forgetOld(window: number): void {
    for (const w of this.booked.keys()) if (w < window) this.booked.delete(w);
    for (const [id, w] of this.reserved) if (w < window - FORGET_AFTER_WINDOWS) this.reserved.delete(id);
  }
}
