/** Benchmarks whose subjects land in other issues: each section says plainly when it could not run. */
type Section = { title: string; lines: string[] };

export async function businessTimeSection(): Promise<Section> {
  const { benchBusinessTime } = await import("./business-time");
  const r = await benchBusinessTime();
  return {
    title: "3. Business time: addBusinessTime over a calendar with 500 holidays",
    lines: [
      `Prepared calendar, ${r.iterations} iterations each, Node, performance.now().`,
      "",
      "| operation | µs per call |",
      "|---|---|",
      `| addBusinessTime, 1-day span | ${r.oneDayMicros.toFixed(2)} |`,
      `| addBusinessTime, 10-year span | ${r.tenYearMicros.toFixed(2)} |`,
      `| businessTimeBetween, 10-year span | ${r.betweenTenYearMicros.toFixed(2)} |`,
      "",
      `Target ≤ 20 µs for 10 years: ${r.tenYearMicros <= 20 ? "met" : "NOT met"}.`,
    ],
  };
}

export async function extraSections(_want: (name: string) => boolean): Promise<Section[]> {
  return [];
}
