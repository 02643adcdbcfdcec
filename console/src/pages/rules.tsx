/**
 * Rules: placeholder for the rules editor (form, preview, diff with If-Match / 412, history,
 * rollback, templates), which another engineer builds on this console. Timers on the case page
 * already link here as `/rules?path=<rule path>&version=<n>`; the editor should open that field.
 */
import { api, storePath } from "../api";
import { ErrorNote, Layout, useApi, useSession } from "../components";
import { useLocation } from "../router";

export function RulesPage() {
  const { session } = useSession();
  const loc = useLocation();
  const rules = useApi(() => api<{ version: number; rules: unknown }>("GET", storePath(session.storeId, "/rules")), [session.storeId]);
  const path = loc.query.get("path");
  return (
    <Layout title="Rules">
      <p class="note">The rules editor is on its way. Until then, here is the document in force (read-only); edit it through the API (PUT …/rules with If-Match).</p>
      {path && (
        <p>
          Rule path: <code>{path}</code>
          {loc.query.get("version") ? ` (version ${loc.query.get("version")})` : ""}
        </p>
      )}
      <ErrorNote error={rules.error} what="Could not load the rules" />
      {rules.data && (
        <>
          <h2>Version {rules.data.version}</h2>
          <pre class="json">{JSON.stringify(rules.data.rules, null, 2)}</pre>
        </>
      )}
    </Layout>
  );
}
