/**
 * What every error answer must look like to a client: JSON, and exactly the documented envelope
 * `{ error: { code, message, issues?: [{ path, message }] } }` (src/http/errors.ts), nothing else.
 * Written strictly here (no extra keys, non-empty strings, no empty issue list) so a handler that
 * leaks a stack, a raw zod error or an HTML page fails the fuzz.
 */
import type fc from "fast-check";
import { z } from "zod";
import type { Answer } from "./send";

const StrictEnvelope = z.strictObject({
  error: z.strictObject({
    code: z.string().regex(/^[a-z][a-z0-9_]*$/, "a snake_case code"),
    message: z.string().min(1),
    issues: z.array(z.strictObject({ path: z.string().min(1), message: z.string().min(1) })).min(1).optional(),
  }),
});

/** Why `a` is not an acceptable answer, or null when it is. */
export function answerProblem(a: Answer, method: string): string | null {
  if (a.status >= 500) return `server error ${a.status}: ${a.text.slice(0, 500)}`;
  if (a.status < 400) return null;
  // A HEAD answer carries no body by definition; its status is still checked above.
  if (method === "HEAD" && a.text === "") return null;
  const type = a.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) return `error ${a.status} with content-type ${JSON.stringify(type)}: ${a.text.slice(0, 300)}`;
  let body: unknown;
  try {
    body = JSON.parse(a.text);
  } catch {
    return `error ${a.status} whose body is not JSON: ${a.text.slice(0, 300)}`;
  }
  const parsed = StrictEnvelope.safeParse(body);
  if (!parsed.success) return `error ${a.status} is not the envelope (${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}): ${a.text.slice(0, 300)}`;
  return null;
}

/** Fails with the seed, the path and the property's own message (request and answer), not a megabyte of counterexample. */
export function briefReport<T>(out: fc.RunDetails<T>): void {
  if (!out.failed) return;
  const cause = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
  throw new Error(`fuzz failed after ${out.numRuns} run(s); replay with VITE_FUZZ_SEED=${out.seed} (path ${out.counterexamplePath ?? "?"}, shrunk ${out.numShrinks} times)\n${cause}`);
}
