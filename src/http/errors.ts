/**
 * The one error envelope every endpoint answers with:
 * `{ "error": { "code", "message", "issues": [{ "path": "a.b[0]", "message" }] } }`.
 */
import { z } from "zod";

export const ErrorIssue = z.object({ path: z.string(), message: z.string() });
export type ErrorIssue = z.infer<typeof ErrorIssue>;

export const ErrorEnvelope = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(ErrorIssue).optional(),
  }),
});

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: ErrorIssue[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

/** `["rules", 0, "name"]` → `rules[0].name`, the form admins see in error messages. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out === "" ? "(root)" : out;
}

export function issuesFromZod(error: z.ZodError, prefix: PropertyKey[] = []): ErrorIssue[] {
  return error.issues.flatMap((issue) =>
    // A strict object's unknown keys are named one by one (`query.assigne`), not as the object.
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ path: formatPath([...prefix, ...issue.path, key]), message: `unknown field "${key}"` }))
      : [{ path: formatPath([...prefix, ...issue.path]), message: issue.message }],
  );
}

export function validationError(error: z.ZodError, what = "request body", prefix: PropertyKey[] = []): ApiError {
  const issues = issuesFromZod(error, prefix);
  return new ApiError(400, "validation_failed", `${what} is not valid: ${issues.length} problem(s)`, issues);
}

export function errorResponse(err: ApiError, requestId?: string): Response {
  const body: z.infer<typeof ErrorEnvelope> = {
    error: { code: err.code, message: err.message, ...(err.issues && err.issues.length > 0 ? { issues: err.issues } : {}) },
  };
  const headers: Record<string, string> = { ...(err.headers ?? {}) };
  if (requestId) headers["x-request-id"] = requestId;
  return Response.json(body, { status: err.status, headers });
}

export const notFound = (what = "resource") => new ApiError(404, "not_found", `${what} not found`);
