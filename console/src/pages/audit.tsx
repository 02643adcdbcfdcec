/** Audit: who changed what in the store, and when (GET …/audit), newest first. */
import { api, storePath } from "../api";
import { Empty, ErrorNote, Layout, useApi, useSession } from "../components";
import { formatInstant } from "../time";
import type { AuditEntry, StoreView } from "../types";

export function AuditPage() {
  const { session } = useSession();
  const list = useApi(() => api<{ entries: AuditEntry[] } | AuditEntry[]>("GET", storePath(session.storeId, "/audit?limit=100")), [session.storeId]);
  const store = useApi(() => api<StoreView>("GET", storePath(session.storeId)), [session.storeId]);
  const entries = Array.isArray(list.data) ? list.data : (list.data?.entries ?? []);
  // Actors are admin token ids; the store's token list gives each its label.
  const who = (actor: string) => {
    const token = store.data?.adminTokens.find((t) => t.tokenId === actor);
    const name = token ? `${token.label ?? "admin token"} (${actor})` : actor;
    return actor === session.tokenId ? `${name}, you` : name;
  };
  return (
    <Layout title="Audit">
      <ErrorNote error={list.error} what="Could not load the audit log" />
      {list.data && entries.length === 0 && <Empty title="Nothing has been changed yet. Rule saves and rollbacks are recorded here." />}
      {entries.length > 0 && (
        <table class="list">
          <caption class="sr-only">Changes, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td data-label="When">{formatInstant(e.at)}</td>
                <td data-label="Who">{who(e.actor)}</td>
                <td data-label="What">
                  {e.action} <span class="muted">{e.subject}</span>
                  {e.fromVersion !== null || e.toVersion !== null ? <span class="block small">v{e.fromVersion ?? "–"} → v{e.toVersion ?? "–"}</span> : null}
                </td>
                <td data-label="Change">
                  {e.summary}
                  {e.changes && e.changes.length > 0 && (
                    <details>
                      <summary>{e.changes.length} field(s)</summary>
                      <pre class="small">{JSON.stringify(e.changes, null, 2)}</pre>
                    </details>
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
