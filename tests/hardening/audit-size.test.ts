/**
 * Issue 22, item 3: the audit log stays readable however large the saved documents are. 40 saves
 * of a 1 MB document once made GET /audit answer 500; with the 256 KB document cap the attack is
 * repeated with the largest valid document, each save replacing every holiday.
 */
import { describe, expect, it } from "vitest";
import { call } from "../support/api";
import { newStore, rulesPath, saveRules } from "../rules-store/helpers";
import { AUDIT_CHANGES_MAX_BYTES } from "../../src/rules-store/audit-bounds";

/** 18 calendars of 1,000 holidays each: ~240 KB, just under the document cap. */
function largestDocument(offsetDays: number) {
  const calendars: Record<string, unknown> = {};
  for (let c = 0; c < 18; c++) {
    const holidays: string[] = [];
    for (let i = 0; i < 1000; i++) holidays.push(new Date(Date.UTC(2001, 0, 1) + (offsetDays + c * 1000 + i) * 86_400_000).toISOString().slice(0, 10));
    calendars[`Calendar ${c}`] = { timeZone: "UTC", week: { mon: [["09:00", "17:00"]] }, holidays };
  }
  return { calendars };
}

describe("the audit log under the largest valid documents", () => {
  it("40 saves that each replace ~240 KB: every save 200, GET /audit 200 and small, pages continue, full diff still served", async () => {
    const store = await newStore();
    const docs = [largestDocument(0), largestDocument(20_000)];
    expect(JSON.stringify(docs[0]).length).toBeGreaterThan(200_000);
    for (let i = 0; i < 40; i++) {
      const res = await saveRules(store, docs[i % 2]);
      expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    }
    const audit = await call("GET", `/v1/stores/${store.storeId}/audit?limit=200`, { token: store.adminToken });
    expect(audit.status).toBe(200);
    expect(JSON.stringify(audit.body).length).toBeLessThan(2 * 1024 * 1024);
    const entries = audit.body.entries as { id: number; toVersion: number; changes: { path: string; note?: string; from?: unknown }[] }[];
    expect(entries.length).toBe(40);
    for (const e of entries) expect(JSON.stringify(e.changes).length).toBeLessThanOrEqual(AUDIT_CHANGES_MAX_BYTES);
    // The newest entry names what changed and says where the full values are.
    const newest = entries[0]!;
    expect(newest.changes.map((c) => c.path)).toContain("calendars.Calendar 0.holidays");
    expect(newest.changes.find((c) => c.path === "calendars.Calendar 0.holidays")?.note).toContain(`/rules/versions/${newest.toVersion}/diff`);

    // Paging by count still works on top of the size bound.
    const first = await call("GET", `/v1/stores/${store.storeId}/audit?limit=15`, { token: store.adminToken });
    expect(first.body.entries).toHaveLength(15);
    const next = await call("GET", `/v1/stores/${store.storeId}/audit?limit=50&before=${first.body.nextBefore}`, { token: store.adminToken });
    expect(next.body.entries).toHaveLength(25);
    expect(next.body.nextBefore).toBeNull();

    // The full diff of a version is still there, computed from the whole versions.
    const diff = await call("GET", rulesPath(store, `/versions/${newest.toVersion}/diff`), { token: store.adminToken });
    expect(diff.status).toBe(200);
    expect((diff.body.changes as { path: string; to: string[] }[]).find((c) => c.path === "calendars.Calendar 0.holidays")?.to).toHaveLength(1000);
  }, 120_000);
});
