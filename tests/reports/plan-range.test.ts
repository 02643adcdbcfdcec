/** How a report splits its range between monthly rollups, daily rollups and raw rows. */
import { describe, expect, it } from "vitest";
import { DAY_MS, planRange } from "../../src/reports/outcome-sql";

const t = (iso: string) => Date.parse(iso);
const day = (iso: string) => t(iso) / DAY_MS;
const month = (y: number, m: number) => y * 12 + (m - 1);

describe("planRange", () => {
  it("a year from the 1st: whole months only, no days, empty raw ends", () => {
    expect(planRange(t("2025-12-01T00:00Z"), t("2026-12-01T00:00Z"))).toEqual({
      months: [month(2025, 12), month(2026, 12)],
      days: [
        [day("2025-12-01T00:00Z"), day("2025-12-01T00:00Z")],
        [day("2026-12-01T00:00Z"), day("2026-12-01T00:00Z")],
      ],
      raw: [
        [t("2025-12-01T00:00Z"), t("2025-12-01T00:00Z")],
        [t("2026-12-01T00:00Z"), t("2026-12-01T00:00Z")],
      ],
    });
  });

  it("ragged ends: rows for the partial days, daily rollups up to the whole months, monthly inside", () => {
    expect(planRange(t("2026-10-14T07:30Z"), t("2026-12-03T12:00Z"))).toEqual({
      months: [month(2026, 11), month(2026, 12)],
      days: [
        [day("2026-10-15T00:00Z"), day("2026-11-01T00:00Z")],
        [day("2026-12-01T00:00Z"), day("2026-12-03T00:00Z")],
      ],
      raw: [
        [t("2026-10-14T07:30Z"), t("2026-10-15T00:00Z")],
        [t("2026-12-03T00:00Z"), t("2026-12-03T12:00Z")],
      ],
    });
  });

  it("less than a whole day: rows only; no whole month: daily rollups and rows", () => {
    expect(planRange(t("2026-11-02T01:00Z"), t("2026-11-02T23:00Z"))).toEqual({ months: null, days: [], raw: [[t("2026-11-02T01:00Z"), t("2026-11-02T23:00Z")]] });
    expect(planRange(t("2026-11-02T01:00Z"), t("2026-11-20T00:00Z"))).toEqual({
      months: null,
      days: [[day("2026-11-03T00:00Z"), day("2026-11-20T00:00Z")]],
      raw: [
        [t("2026-11-02T01:00Z"), t("2026-11-03T00:00Z")],
        [t("2026-11-20T00:00Z"), t("2026-11-20T00:00Z")],
      ],
    });
  });
});
