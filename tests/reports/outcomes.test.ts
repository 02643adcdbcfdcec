/** What a case's push carries for reports: only what changed, and never a case merely ageing. */
import { describe, expect, it } from "vitest";
import { outcomeDiff } from "../../src/reports/outcomes";
import type { CycleRecord } from "../../src/reports/schema";

const base: Omit<CycleRecord, "metric" | "startedAt" | "endedAt" | "usedMs" | "outcome"> = {
  caseId: "ticket:custom:1",
  policy: "Email",
  rulesVersion: 1,
  priority: "normal",
  channel: "email",
  provider: "custom",
  assignee: "ana",
  group: "billing",
  dueAt: 7_200_000,
  targetMs: 7_200_000,
  pausedMs: 0,
};
const firstReply: CycleRecord = { ...base, metric: "first_reply", startedAt: 0, endedAt: 3_600_000, usedMs: 3_600_000, outcome: "met" };
const resolution: CycleRecord = { ...base, metric: "resolution", startedAt: 0, endedAt: null, usedMs: 3_600_000, outcome: "in_progress", dueAt: 57_600_000, targetMs: 57_600_000 };

describe("outcomeDiff", () => {
  it("pushes everything the first time, then nothing while a running cycle only uses more time", () => {
    const first = outcomeDiff({}, [firstReply, resolution]);
    expect(first.push).toEqual({ upsert: [firstReply, resolution], remove: [] });
    expect(outcomeDiff(first.next, [firstReply, { ...resolution, usedMs: 5_400_000 }]).push).toBeNull();
  });

  it("keeps a finished cycle with the agent it ended under when the case is reassigned; the running one moves", () => {
    const { next } = outcomeDiff({}, [firstReply, resolution]);
    const moved = outcomeDiff(next, [{ ...firstReply, assignee: "bo" }, { ...resolution, assignee: "bo" }]);
    expect(moved.push).toEqual({ upsert: [{ ...resolution, assignee: "bo" }], remove: [] });
  });

  it("pushes a cycle whose result changed, and removes one a late event took back", () => {
    const { next } = outcomeDiff({}, [firstReply, resolution]);
    const late = { ...firstReply, endedAt: 9_000_000, usedMs: 9_000_000, outcome: "missed" as const };
    expect(outcomeDiff(next, [late]).push).toEqual({ upsert: [late], remove: ["resolution@0"] });
  });
});
