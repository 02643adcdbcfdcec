/**
 * The console's one way to the API. Every call goes to the same origin with the session cookie
 * (`credentials: "same-origin"`; the admin token is never kept in the page), and every failure
 * becomes an `ApiFailure` carrying the API's own error envelope
 * `{ error: { code, message, issues: [{ path, message }] } }`, so a page shows the API's message
 * (and can put each issue at the field its `path` names) instead of "something went wrong".
 *
 * A 401 on a store route means the session ended (signed out elsewhere, token revoked, expired):
 * `onSignedOut` listeners hear of it, and the app sends the user to sign in, then back.
 *
 *   const cases = await api<CaseList>("GET", storePath(storeId, "/cases?state=open"));
 *   const { data, headers } = await apiWithHeaders<RulesView>("GET", storePath(storeId, "/rules"));
 *   await api("POST", storePath(storeId, `/cases/${enc(caseId)}/callbacks`), { at });
 */
export interface ApiIssue {
  path: string;
  message: string;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: ApiIssue[] = [],
  ) {
    super(message);
  }

  /** The issue at `path` (as the API formats it: `at`, `rules[0].name`), for a field's message. */
  issueAt(path: string): string | undefined {
    return this.issues.find((i) => i.path === path || i.path === `body.${path}`)?.message;
  }
}

const signedOutListeners = new Set<() => void>();

/** Called whenever a store call answers 401; returns the unsubscribe function. */
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

export async function api<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  return (await apiWithHeaders<T>(method, path, body, headers)).data;
}

/**
 * The same call, with the answer's headers and status: for ETag / If-Match (the rules editor
 * reads `etag` from GET …/rules and sends it back as `If-Match`; a 412 is an `ApiFailure` whose
 * `status` is 412) and for 304.
 */
export async function apiWithHeaders<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ data: T; headers: Headers; status: number }> {
  const init: RequestInit = { method, credentials: "same-origin", headers: { accept: "application/json", ...headers } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch (err) {
    throw new ApiFailure(0, "network", `Promptly did not answer (${err instanceof Error ? err.message : String(err)}). Is the service running?`);
  }
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: kept as text below */
  }
  if (!res.ok && res.status !== 304) {
    const envelope = (data as { error?: { code?: string; message?: string; issues?: ApiIssue[] } } | null)?.error;
    const failure = new ApiFailure(res.status, envelope?.code ?? `http_${res.status}`, envelope?.message ?? `${res.status} ${res.statusText}${text ? `: ${text.slice(0, 200)}` : ""}`, envelope?.issues ?? []);
    if (res.status === 401 && path.startsWith("/v1/stores/")) for (const l of signedOutListeners) l();
    throw failure;
  }
  return { data: data as T, headers: res.headers, status: res.status };
}

/** `/v1/stores/<storeId><rest>`; `rest` must already be encoded. */
export function storePath(storeId: string, rest = ""): string {
  return `/v1/stores/${encodeURIComponent(storeId)}${rest}`;
}

export const enc = encodeURIComponent;

/** The message to show for any thrown value: the API's message, with its field issues. */
export function describeError(err: unknown): string {
  if (err instanceof ApiFailure) {
    const issues = err.issues.map((i) => `${i.path}: ${i.message}`).join("; ");
    return issues ? `${err.message} (${issues})` : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
