/**
 * What a store's people receive: a real local receiver standing in for their webhook endpoint
 * and helpdesk API, with every signed webhook checked by the `standardwebhooks` library.
 */
import { Webhook } from "standardwebhooks";
import { waitFor } from "./http";
import { Receiver, type Received } from "./receiver";

export const CHANNEL_SECRET = `whsec_${Buffer.from("e2e-channel-signing-secret-abcdefghij").toString("base64")}`;

export interface Delivered {
  path: string;
  type: string;
  id: string;
  channel: string;
  data: { kind: string; title: string; nextAction: string; details: string[]; urgency: string; id: string; [k: string]: unknown } & Record<string, unknown>;
  raw: Received;
}

export class Inbox extends Receiver {
  /** A signed-webhook channel for the rules document, posting to `/<name>` here. */
  channel(name: string) {
    return { type: "webhook", url: `${this.url}/${name}`, secret: CHANNEL_SECRET };
  }

  /** Every signed webhook received so far (signature verified; throws on a bad one). */
  webhooks(): Delivered[] {
    const wh = new Webhook(CHANNEL_SECRET);
    return this.received
      .filter((r) => r.headers["webhook-signature"] !== undefined)
      .map((r) => {
        const body = wh.verify(r.body, { "webhook-id": r.headers["webhook-id"]!, "webhook-timestamp": r.headers["webhook-timestamp"]!, "webhook-signature": r.headers["webhook-signature"]! }) as Omit<Delivered, "raw" | "path">;
        return { ...body, path: r.path, raw: r };
      });
  }

  reminders(kind?: string): Delivered[] {
    return this.webhooks().filter((d) => d.type === "reminder.fired" && (kind === undefined || d.data.kind === kind));
  }

  /** Waits for at least `count` reminders of `kind` (distinct idempotency keys). */
  async waitForReminders(kind: string, count = 1, timeoutMs = 30_000): Promise<Delivered[]> {
    return waitFor(async () => {
      const seen = new Map(this.reminders(kind).map((d) => [d.id, d]));
      return seen.size >= count ? [...seen.values()] : undefined;
    }, timeoutMs);
  }

  async waitForPath(prefix: string, count = 1, timeoutMs = 30_000): Promise<Received[]> {
    return waitFor(async () => {
      const got = this.received.filter((r) => r.path.startsWith(prefix));
      return got.length >= count ? got : undefined;
    }, timeoutMs);
  }
}
