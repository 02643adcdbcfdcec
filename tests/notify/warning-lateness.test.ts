/**
 * `lateByMs` in the signed webhook body says how late the reminder went out. A warning's
 * `dueAt` is its target's due instant, so a warning sent on time is not "an hour early": it is
 * measured from its own instant.
 */
import { describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { WebhookBody } from "../../src/notify/webhook-body";
import { HOUR, ingest, storeWithRules, ticketEvent } from "../support/cases";
import { eventually } from "./support/store";
import { Sink } from "./support/receiver";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

describe("a warning in the signed webhook body", () => {
  it("is late by how long after its own instant it went out, and still names its target's due instant", async () => {
    const sink = await Sink.create();
    const store = await storeWithRules({
      channels: { hook: { type: "webhook", url: `${sink.url}/hook`, secret: SECRET } },
      policies: [{ name: "All", targets: { firstReply: { calendar: "24/7", byPriority: { normal: "2h" }, warnings: ["1h"] } }, notify: ["hook"] }],
    });
    // The breach is due in 1 h + 1.5 s, so the one-hour warning is due in 1.5 s.
    const t0 = Date.now() - HOUR + 1500;
    await ingest([ticketEvent(store.storeId, "W-late", "case.opened", t0, { status: "open" })]);
    const [req] = await eventually(async () => {
      const got = await sink.requests();
      return got.length > 0 ? got : undefined;
    }, "the warning", 15_000);
    const body = WebhookBody.parse(new Webhook(SECRET).verify(req!.body, req!.headers));
    if (body.type !== "reminder.fired") throw new Error(`unexpected ${body.type}`);
    expect(body.data.kind).toBe("first_reply.warning");
    expect(body.data.dueAt).toBe(new Date(t0 + 2 * HOUR).toISOString());
    const warningAt = t0 + HOUR;
    expect(body.data.lateByMs).toBe(Date.parse(body.data.firedAt) - warningAt);
    expect(body.data.lateByMs).toBeGreaterThanOrEqual(0);
    expect(body.data.lateByMs).toBeLessThan(10_000);
  });
});
