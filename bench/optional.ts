/** Benchmarks whose subjects land in other issues: each section says plainly when it could not run. */
type Section = { title: string; lines: string[] };

export async function businessTimeSection(): Promise<Section> {
  const { benchBusinessTime } = await import("./business-time");
  const r = await benchBusinessTime();
  return {
    title: "3. Business time: addBusinessTime over a calendar with 500 holidays",
    lines: [
      `Europe/Berlin, Mon–Fri 09:00–12:30 + 13:30–18:00 and Sat 10:00–14:00, 500 holidays over 2026–2035; prepared (validated, and 10 years of coverage built by a warm-up). Each operation: ${r.iterations} calls from 64 start instants, timed in ${r.batches} batches, median batch reported; Node, performance.now(). The 1-day span is one calendar day's business time from the start, the 10-year span the business time in 3,652 days; every result was checked by a round trip first.`,
      "",
      "| operation | µs per call |",
      "|---|---|",
      `| addBusinessTime, 1-day span | ${r.oneDayMicros.toFixed(2)} |`,
      `| addBusinessTime, 10-year span | ${r.tenYearMicros.toFixed(2)} |`,
      `| businessTimeBetween, 10-year span | ${r.betweenTenYearMicros.toFixed(2)} |`,
      "",
      `The tail the batch medians hide: ${r.tenYearTail.calls.toLocaleString("en-US")} calls of addBusinessTime over 10 years, each timed alone: p50 ${r.tenYearTail.p50Micros.toFixed(1)} µs, p99 ${r.tenYearTail.p99Micros.toFixed(1)} µs, p99.9 ${r.tenYearTail.p999Micros.toFixed(1)} µs, max ${r.tenYearTail.maxMicros.toFixed(0)} µs (single calls include the timer's own cost, about a microsecond). The first call on a calendar never used before (validating it and building its coverage for the span, as a case pays when it first meets a calendar) took **${r.firstCallMs.toFixed(0)} ms**.`,
      "",
      `Target ≤ 20 µs for 10 years (per call, the batch median): ${r.tenYearMicros <= 20 ? "met" : "**not met**"}; its p99 single call ${r.tenYearTail.p99Micros.toFixed(1)} µs ${r.tenYearTail.p99Micros <= 20 ? "is within it too" : "is not"}, and the first call on a fresh calendar is ${r.firstCallMs.toFixed(0)} ms (shown, no target).`,
    ],
  };
}

/**
 * Not one of the four figures: what one webhook costs the case engine as its case grows,
 * next to the fold from scratch it replaced. Held to our own bound: flat with case length.
 */
export async function replanSection(): Promise<Section> {
  const { benchReplan } = await import("./replan");
  const r = benchReplan();
  const first = r.rows[0]!;
  const last = r.rows[r.rows.length - 1]!;
  const flat = last.oneNewEventMicros <= 2 * first.oneNewEventMicros;
  return {
    title: "5. Re-plan cost per case length (the case engine)",
    lines: [
      `Default rules; a ticket conversation (customer messages, an agent reply every fourth event). "One new event": a case engine holding N events folds one more and plans its timers, as a case object does per webhook. "From scratch": all N events folded again, as every webhook did before the engine kept its fold, and as a late event or a newly applied rules version still does. Median of ${r.batches} batches of ${r.perBatch}; Node, performance.now().`,
      "",
      "| events in the case | one new event, µs (case length while timed) | from scratch, µs (at exactly that length) |",
      "|---|---|---|",
      ...r.rows.map((x) => `| ${x.events.toLocaleString("en-US")} | ${x.oneNewEventMicros.toFixed(0)} (${x.timedFrom.toLocaleString("en-US")}–${x.timedTo.toLocaleString("en-US")}) | ${x.fromScratchMicros.toFixed(0)} |`),
      "",
      `Target (ours; the issue sets none): one new event at ${last.events.toLocaleString("en-US")} events costs at most twice what it costs at ${first.events}: ${flat ? "met" : "NOT met"} (${last.oneNewEventMicros.toFixed(0)} vs ${first.oneNewEventMicros.toFixed(0)} µs).`,
    ],
  };
}

/** Figure 2 (timer lateness) and figure 4 (cost): see bench/sections.ts. */
export async function extraSections(want: (name: string) => boolean, full: boolean): Promise<Section[]> {
  const { extraBenchSections } = await import("./sections");
  return extraBenchSections(want, full);
}

/** Figure 6: a 10,000-case backtest on `wrangler dev`, state on tmpfs (with --full, or `npm run bench -- backtest`). */
export async function backtestSection(): Promise<Section> {
  const { benchBacktest } = await import("./backtest");
  const { statePlace } = await import("./storage");
  console.log("bench: backtest …");
  try {
    // BENCH_BACKTEST_CASES: a smaller store for a quick check of the bench itself.
    const r = await benchBacktest(statePlace("memory"), { cases: Number(process.env.BENCH_BACKTEST_CASES ?? 10_000) });
    return {
      title: `8. Backtest: a 30-day rules change replayed on ${r.cases.toLocaleString("en-US")} cases`,
      lines: [
        `Real \`wrangler dev\`, state on ${r.state.label}. ${r.cases.toLocaleString("en-US")} tickets posted as signed \`custom\` webhooks (opened over the last 28 days, each answered 5–40 minutes later; posting took ${(r.postingMs / 1000).toFixed(0)} s), then one backtest of a draft that halves the first-reply target (30 → 15 minutes) over the last 30 days, timed from the 202 to \`done\` (polled every 250 ms). Each case is one RPC to its object, which reads its events and folds them twice; the store's runner object takes 40 case ids per alarm step from the registry's index and replays 8 at once.`,
        "",
        "| cases replayed | changed | backtest | per case |",
        "|---|---|---|---|",
        `| ${r.replayed.toLocaleString("en-US")} | ${r.changed.toLocaleString("en-US")} | ${(r.backtestMs / 1000).toFixed(1)} s | ${r.perCaseMs.toFixed(2)} ms |`,
        "",
        "Target (issue 24): a store of a few thousand cases sees its answer within a minute; measured here for 10,000 (no pass/fail beyond that).",
      ],
    };
  } catch (err) {
    return { title: "8. Backtest", lines: [`Could not run: ${err instanceof Error ? err.message : String(err)}`] };
  }
}
