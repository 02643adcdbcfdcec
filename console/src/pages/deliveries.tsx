/**
 * Deliveries: every reminder × channel the store sent or tried to, newest first, filtered by
 * state, with each attempt (status, error, next retry) and a retry button on dead ones
 * (POST …/deliveries/:id/retry, same idempotency key). Data: GET …/deliveries.
 */
import { useState } from "preact/hooks";
import { api, storePath } from "../api";
import { Empty, ErrorNote, Layout, Tag, useApi, useSession } from "../components";
import { Link, navigate, useLocation } from "../router";
import { formatInstant } from "../time";
import type { DeliveryView } from "../types";

const STATES = ["", "pending", "held", "delivered", "dead", "skipped", "no_channels"] as const;

export function DeliveriesPage() {
  const { session } = useSession();
  const loc = useLocation();
  const state = loc.query.get("state") ?? "";
  const list = useApi(
    () => api<{ deliveries: DeliveryView[]; nextCursor: string | null }>("GET", storePath(session.storeId, `/deliveries?${new URLSearchParams(state ? { state, limit: "100" } : { limit: "100" })}`)),
    [session.storeId, state],
    15_000,
  );
  const [retrying, setRetrying] = useState<number | null>(null);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string | null>(null);

  const retry = async (d: DeliveryView) => {
    setRetrying(d.id);
    setError(undefined);
    setDone(null);
    try {
      await api("POST", storePath(session.storeId, `/deliveries/${d.id}/retry`), {});
      setDone(`Delivery ${d.id} to ${d.channel ?? "?"} queued again.`);
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setRetrying(null);
    }
  };

  return (
    <Layout title="Deliveries">
      <div class="toolbar">
        <div class="facet">
          <label for="delivery-state">State</label>
          <select id="delivery-state" value={state} onChange={(e) => navigate(((e.currentTarget as HTMLSelectElement).value ? `/deliveries?state=${(e.currentTarget as HTMLSelectElement).value}` : "/deliveries"), true)}>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s === "" ? "All" : s.replace("_", " ")}
              </option>
            ))}
          </select>
        </div>
      </div>
      {done && (
        <p class="ok" role="status">
          {done}
        </p>
      )}
      <ErrorNote error={error} what="Retry refused" />
      <ErrorNote error={list.error} what="Could not load deliveries" />
      {list.data && list.data.deliveries.length === 0 && (
        <Empty title={state ? `No ${state.replace("_", " ")} deliveries.` : "No reminder has been sent yet."}>
          <p>
            Reminders go to the channels your <Link href="/rules">rules</Link> name; <Link href="/connections">Connections</Link> shows each channel's health.
          </p>
        </Empty>
      )}
      {list.data && list.data.deliveries.length > 0 && (
        <table class="list">
          <caption class="sr-only">Deliveries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Reminder</th>
              <th scope="col">Channel</th>
              <th scope="col">State</th>
              <th scope="col">Attempts</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.deliveries.map((d) => (
              <tr key={d.id} data-delivery-id={d.id}>
                <td data-label="Reminder">
                  {d.reminder ? (
                    <>
                      <Link href={`/cases/${encodeURIComponent(d.reminder.caseId)}`}>{d.reminder.title}</Link>
                      <span class="block small muted">fired {formatInstant(d.reminder.firedAt)}</span>
                    </>
                  ) : (
                    d.kind
                  )}
                </td>
                <td data-label="Channel">
                  {d.channel ?? "none"} {d.channelType && <span class="muted small">({d.channelType})</span>}
                </td>
                <td data-label="State">
                  <Tag kind={d.state === "delivered" ? "ok" : d.state === "dead" ? "breached" : d.state === "pending" ? "warn" : "muted"}>{d.state.replace("_", " ")}</Tag>
                  {d.lastError && <span class="block small">{d.lastError}</span>}
                  {d.skippedBecause && <span class="block small">{d.skippedBecause}</span>}
                  {d.nextAttemptAt && d.state === "pending" && <span class="block small">next try {formatInstant(d.nextAttemptAt)}</span>}
                  {d.heldUntil && <span class="block small">held until {formatInstant(d.heldUntil)}</span>}
                </td>
                <td data-label="Attempts">
                  <details>
                    <summary>
                      {d.attemptCount} attempt{d.attemptCount === 1 ? "" : "s"}
                      {d.lastStatus !== null ? `, last HTTP ${d.lastStatus}` : ""}
                    </summary>
                    <ol class="small">
                      {d.attempts.map((a) => (
                        <li key={`${a.attempt}-${a.at}`}>
                          {formatInstant(a.at)}: {a.outcome}
                          {a.status !== null ? ` (HTTP ${a.status})` : ""}
                          {a.error ? ` ${a.error}` : ""} · {a.source}
                        </li>
                      ))}
                    </ol>
                  </details>
                </td>
                <td>
                  {d.state === "dead" && (
                    <button type="button" onClick={() => void retry(d)} disabled={retrying !== null}>
                      {retrying === d.id ? "Retrying…" : "Retry"}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
