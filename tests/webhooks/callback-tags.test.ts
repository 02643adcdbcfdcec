/**
 * A callback promised by tagging a ticket, on helpdesks whose webhooks send the ticket as it is
 * now (a snapshot) rather than what changed. Through the real fetch handler and case object: a
 * snapshot still carrying the tag does not move the promise; removing the tag marks it done; the
 * tag added again later is a second promise with its own reminder.
 */
import { describe, expect, it } from "vitest";
import { connect } from "./intake-harness";

const HOUR = 3_600_000;

function freshdesk(tags: string, at: number): string {
  return JSON.stringify({
    freshdesk_webhook: { event: "ticket_updated", ticket_id: 5150, ticket_status: "Open", ticket_subject: "Refund for a broken lamp", ticket_tags: tags, triggered_at: new Date(at).toISOString() },
  });
}

interface CallbackView {
  at: string | null;
  tag: string | null;
  doneAt: string | null;
  doneReason: string | null;
}

describe("callback tags on snapshot helpdesks", () => {
  it("restated while tagged, done when untagged, a new promise when tagged again", async () => {
    const hook = await connect("freshdesk", { options: { callbackTag: "callback", callbackWithinMinutes: 30 } });
    const t0 = Date.now() + HOUR; // promises in the future, so no reminder fires during the test
    const callbacks = async () => (await hook.readCase("ticket:freshdesk:5150")).body.callbacks as CallbackView[];

    await hook.send(freshdesk("vip, callback", t0));
    await hook.send(freshdesk("vip, callback", t0 + 10 * 60_000));
    expect(await callbacks()).toEqual([expect.objectContaining({ at: new Date(t0 + 30 * 60_000).toISOString(), tag: "callback", doneAt: null })]);

    await hook.send(freshdesk("vip", t0 + 20 * 60_000));
    const afterRemoval = await callbacks();
    expect(afterRemoval).toHaveLength(1);
    expect(afterRemoval[0]).toMatchObject({ doneAt: new Date(t0 + 20 * 60_000).toISOString(), doneReason: 'tag "callback" removed' });

    const again = freshdesk("vip, callback", t0 + 60 * 60_000);
    expect((await hook.send(again)).body.duplicate).toBe(false);
    expect((await hook.send(again)).body.duplicate).toBe(true);
    const both = await callbacks();
    expect(both).toHaveLength(2);
    expect(both[1]).toMatchObject({ at: new Date(t0 + 90 * 60_000).toISOString(), tag: "callback", doneAt: null });
    const view = (await hook.readCase("ticket:freshdesk:5150")).body as { timers: { pending: { kind: string; dueAt: string }[] } };
    // The reminders now pending belong to the second promise (the first one's were cancelled).
    const reminders = view.timers.pending.filter((t) => t.kind.startsWith("callback")).map((t) => Date.parse(t.dueAt));
    expect(reminders.length).toBeGreaterThan(0);
    expect(reminders.every((at) => at > t0 + 60 * 60_000)).toBe(true);
  });

  it("the same story delivered out of order ends the same way", async () => {
    const hook = await connect("freshdesk", { options: { callbackTag: "callback", callbackWithinMinutes: 30 } });
    const t0 = Date.now() + HOUR;
    for (const [tags, minutes] of [["callback", 60], ["callback", 10], ["", 20], ["callback", 0]] as const) await hook.send(freshdesk(tags, t0 + minutes * 60_000));
    const callbacks = (await hook.readCase("ticket:freshdesk:5150")).body.callbacks as CallbackView[];
    expect(callbacks.map((c) => [c.at, c.doneAt !== null])).toEqual([
      [new Date(t0 + 30 * 60_000).toISOString(), true],
      [new Date(t0 + 90 * 60_000).toISOString(), false],
    ]);
  });
});
