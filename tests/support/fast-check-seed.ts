/**
 * One seed for every property test of a run (a vitest setup file, inside workerd and in Node).
 *
 * By default that is the recorded seed below, so a green run is the same green run every time and
 * two runs on a clean clone agree; a red run prints its seed (fast-check's message, or the fuzz
 * envelope's "replay with VITE_FUZZ_SEED=…") and `VITE_FUZZ_SEED=<seed> npm test` replays it.
 * `VITE_FUZZ_SEED=random` explores new inputs, and prints the seed it drew. A counterexample found
 * that way is pinned as a plain regression test beside the property (tests/rules-store/fuzz.test.ts).
 */
import fc from "fast-check";

export const RECORDED_SEED = 20_261_207;

const asked = import.meta.env.VITE_FUZZ_SEED as string | undefined;
const seed = asked === "random" ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : asked ? Number(asked) : RECORDED_SEED;
if (!Number.isInteger(seed)) throw new Error(`VITE_FUZZ_SEED must be an integer or "random", not ${JSON.stringify(asked)}`);
if (asked === "random") console.log(`fast-check seed for this file: ${seed} (replay with VITE_FUZZ_SEED=${seed})`);
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
