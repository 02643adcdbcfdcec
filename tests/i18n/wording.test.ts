/**
 * Issue 25's reminder wording, as an agent reads it: no duration rounded up, no made-up deadline
 * on a dispute alarm, the phone number where the call is, and an escalation that says
 * "escalation" once.
 */
import { describe, expect, it } from "vitest";
import { slackPayload } from "../../src/notify/channels/slack";
import { reminderText } from "../../src/notify/render";
import type { RulesDocumentInput } from "../../src/rules/schema";
import { AYSE, caseEvents, fireOne, type EventInput } from "./support";

const STORE = "st_wording";
const slack = { team: { type: "slack", webhookUrl: "https://hooks.slack.com/services/T/B/x" } } as const;

/** What a later event of the same ticket says; the ticket's provider and key are filled in. */
type Later = Omit<EventInput, "provider" | "caseKey">;

function chat(ticketId: string, customer: Record<string, string> = AYSE, extra: Later[] = []) {
  const base = { provider: "zendesk" as const, caseKey: { type: "ticket" as const, provider: "zendesk" as const, ticketId } };
  return caseEvents(STORE, { ...base, occurredAt: "2026-03-02T13:30:00.000Z", kind: "case.opened", channel: "chat", priority: "urgent", status: "open", customer }, ...extra.map((e) => ({ ...base, ...e })));
}

describe("reminder wording (issue 25)", () => {
  it("a warning with 40 s left says 'under a minute', not 'due in 1m'", () => {
    const rules: RulesDocumentInput = { channels: slack, policies: [{ name: "Chat", targets: { firstReply: { byPriority: { urgent: "5m" }, warnings: ["40s"] } }, notify: ["team"] }] };
    const r = fireOne(STORE, rules, chat("1"), "first_reply.warning");
    expect(r.title).toBe("First reply due in under a minute — urgent chat");
  });

  it("an escalation 30 s after the breach says 'by under a minute', not 'by 1m'", () => {
    const rules: RulesDocumentInput = {
      channels: slack,
      policies: [{ name: "Chat", targets: { firstReply: { byPriority: { urgent: "5m" } } }, notify: ["team"], escalations: [{ level: 1, after: "30s", message: "Shift lead: take it." }] }],
    };
    const r = fireOne(STORE, rules, chat("2"), "first_reply.escalation");
    expect(r.title).toBe("First reply still overdue, by under a minute — urgent chat");
    // 4 min 59 s late is "4m": rounded down, never up.
    const later = fireOne(STORE, rules, chat("3"), "first_reply.breach", 4 * 60_000 + 59_000);
    expect(later.title).toBe("First reply overdue by 4m — urgent chat");
  });

  it("a dispute alarm shows when it was raised, not 'Due … (due now)'", () => {
    const rules: RulesDocumentInput = { channels: slack, policies: [{ name: "All", targets: {}, notify: ["team"] }] };
    const r = fireOne(STORE, rules, chat("4", AYSE, [{ occurredAt: "2026-03-02T13:40:00.000Z", kind: "case.customer_message", body: "I will file a chargeback" }]), "dispute.escalation");
    const text = reminderText(r, r.id);
    expect(text).not.toMatch(/Due:|due now/);
    expect(text).toContain("Raised: 2026-03-02 13:40 UTC");
    const fields = JSON.stringify(slackPayload({ kind: "reminder", key: r.id, deliveryId: `${r.id}#team`, reminder: r }).blocks);
    expect(fields).toContain("*Raised*");
    expect(fields).not.toMatch(/\*Due\*|due now/);
  });

  it("going in circles puts the phone number where the call is, never after 'if there is no phone number'", () => {
    const rules: RulesDocumentInput = { channels: slack, policies: [{ name: "All", targets: {}, notify: ["team"] }] };
    const messages: Later[] = [1, 2, 3, 4].map((i) => ({ occurredAt: `2026-03-02T13:3${i}:00.000Z`, kind: "case.customer_message", body: "hello?" }));
    const withPhone = fireOne(STORE, rules, chat("5", AYSE, messages), "circles.call_nudge");
    expect(withPhone.nextAction).toBe("Call the customer on +90 532 000 00 00 instead of writing again.");
    const noPhone = fireOne(STORE, rules, chat("6", { name: "Jonas Weber", email: "jonas@example.com" }, messages), "circles.call_nudge");
    expect(noPhone.nextAction).toBe("Call the customer instead of writing again; if there is no phone number, offer a call slot.");
    const own = fireOne(STORE, { ...rules, playbook: { goingInCircles: { suggestion: "Phone them; if you cannot reach them, email a summary." } } }, chat("7", AYSE, messages), "circles.call_nudge");
    expect(own.nextAction).toBe("Phone: +90 532 000 00 00. Phone them; if you cannot reach them, email a summary.");
  });

  it("an escalation says 'escalation' once: 'URGENT · escalation level 1: Callback to … still not made'", () => {
    const rules: RulesDocumentInput = { channels: slack, policies: [{ name: "All", targets: {}, notify: ["team"] }] };
    const r = fireOne(STORE, rules, chat("8", AYSE, [{ occurredAt: "2026-03-02T13:35:00.000Z", kind: "case.callback_promised", callback: { at: "2026-03-02T15:00:00.000Z" } }]), "callback.escalation");
    const payload = slackPayload({ kind: "reminder", key: r.id, deliveryId: `${r.id}#team`, reminder: r });
    expect(payload.text).toMatch(/^URGENT · escalation level 1: Callback to Ayşe Yılmaz still not made\. /);
    expect(reminderText(r, r.id).split("\n")[0]).toBe("[URGENT · escalation level 1] Callback to Ayşe Yılmaz still not made");
    for (const text of [payload.text, JSON.stringify(payload.blocks), reminderText(r, r.id)]) expect(text).not.toMatch(/escalation level 1: escalation/i);
    // The Slack header still leads with the level, once.
    expect(payload.blocks[0]).toMatchObject({ type: "header", text: { text: "🔴 URGENT · escalation level 1: Callback to Ayşe Yılmaz still not made" } });
  });
});
