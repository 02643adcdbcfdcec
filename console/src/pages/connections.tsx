/**
 * Connections: the store's providers (helpdesks and carriers sending webhooks) and its
 * notification channels. For a provider: the hook URL to paste and the setup steps from
 * GET …/providers/:provider/setup; secrets are write-only (a form sets them, nothing shows them).
 * For channels: each channel the rules define, with its health (GET …/channel-health).
 */
import { useState } from "preact/hooks";
import { api, ApiFailure, enc, storePath } from "../api";
import { Empty, ErrorNote, Field, Layout, Tag, useApi, useSession } from "../components";
import { Link } from "../router";
import { formatInstant } from "../time";
import type { ChannelHealthView, DeliveryView, RulesDocument } from "../types";

/** Checked against the server's ProviderId type; the order is what a store connects first. */
const PROVIDERS = ["zendesk", "freshdesk", "gorgias", "helpscout", "zammad", "chatwoot", "intercom", "front", "shopify", "easypost", "aftership", "shippo", "17track", "shipengine", "custom"] as const satisfies readonly ProviderId[];
type ProviderId = import("../../../src/events/model").ProviderId;

interface ProviderRow {
  provider: string;
  secretsConfigured: number;
  toleranceSeconds: number;
  createdAt: string;
  updatedAt: string;
  hookUrl: string;
  /** Absent on a server older than the Connections activity fields. */
  lastReceivedAt?: string | null;
  lastRefused?: { at: string; reason: string } | null;
}

interface Setup {
  provider: string;
  title: string;
  hookUrl: string;
  steps: string[];
  template?: unknown;
  headers?: Record<string, string>;
}

export function ConnectionsPage() {
  const { session } = useSession();
  const providers = useApi(() => api<{ providers: ProviderRow[] }>("GET", storePath(session.storeId, "/providers")), [session.storeId]);
  const health = useApi(() => api<{ channels: ChannelHealthView[] }>("GET", storePath(session.storeId, "/channel-health")), [session.storeId], 30_000);
  const rules = useApi(() => api<{ rules: RulesDocument }>("GET", storePath(session.storeId, "/rules")), [session.storeId]);
  const [adding, setAdding] = useState<string>("");
  const connected = providers.data?.providers ?? [];
  const channelNames = Object.keys(rules.data?.rules.channels ?? {});
  const healthOf = (name: string) => health.data?.channels.find((c) => c.channel === name);

  return (
    <Layout title="Connections">
      <section aria-labelledby="prov-h">
        <h2 id="prov-h">Providers</h2>
        <ErrorNote error={providers.error} what="Could not load providers" />
        {providers.data && connected.length === 0 && <Empty title="No provider connected yet: connect Zendesk (or your helpdesk or carrier) below, and its tickets appear on the board." />}
        {connected.map((p) => (
          <ProviderCard key={p.provider} storeId={session.storeId} row={p} onChange={providers.reload} />
        ))}
        <div class="card">
          <div class="facet">
            <label for="add-provider">Connect a provider</label>
            <select id="add-provider" value={adding} onChange={(e) => setAdding((e.currentTarget as HTMLSelectElement).value)}>
              <option value="">Choose…</option>
              {PROVIDERS.filter((p) => !connected.some((c) => c.provider === p)).map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </div>
          {adding && (
            <ProviderCard
              key={adding}
              storeId={session.storeId}
              row={null}
              provider={adding}
              onChange={() => {
                setAdding("");
                providers.reload();
              }}
            />
          )}
        </div>
      </section>

      <section aria-labelledby="chan-h">
        <h2 id="chan-h">Channels</h2>
        <ErrorNote error={health.error ?? rules.error} what="Could not load channels" />
        {rules.data && channelNames.length === 0 && (
          <Empty title="No notification channel yet: reminders have nowhere to go.">
            <p>
              Add a Slack or webhook channel in the <Link href="/rules">rules</Link>.
            </p>
          </Empty>
        )}
        {channelNames.length > 0 && (
          <table class="list">
            <caption class="sr-only">Channels and their health</caption>
            <thead>
              <tr>
                <th scope="col">Channel</th>
                <th scope="col">Type</th>
                <th scope="col">Health</th>
                <th scope="col">Test</th>
              </tr>
            </thead>
            <tbody>
              {channelNames.map((name) => {
                const h = healthOf(name);
                const type = (rules.data!.rules.channels[name] as { type?: string } | undefined)?.type ?? "";
                return (
                  <tr key={name}>
                    <td data-label="Channel">{name}</td>
                    <td data-label="Type">{type}</td>
                    <td data-label="Health">
                      {!h ? (
                        <span class="muted">nothing sent yet</span>
                      ) : h.healthy ? (
                        <>
                          <Tag kind="ok">healthy</Tag> {h.lastSuccessAt && <span class="small">last delivered {formatInstant(h.lastSuccessAt)}</span>}
                        </>
                      ) : (
                        <>
                          <Tag kind="breached">unhealthy</Tag> <span class="small">since {formatInstant(h.unhealthySince)}: {h.consecutiveFailures} failures in a row</span>
                        </>
                      )}
                      {h && h.consecutiveFailures > 0 && h.healthy && <span class="block small">{h.consecutiveFailures} recent failure(s): {h.lastError}</span>}
                    </td>
                    <td data-label="Test">
                      <TestReminder storeId={session.storeId} channel={name} onSent={health.reload} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </Layout>
  );
}

function ProviderCard(props: { storeId: string; row: ProviderRow | null; provider?: string; onChange: () => void }) {
  const provider = props.row?.provider ?? props.provider ?? "";
  const [showSetup, setShowSetup] = useState(props.row === null);
  const setup = useApi(() => (showSetup ? api<Setup>("GET", storePath(props.storeId, `/providers/${enc(provider)}/setup`)) : Promise.resolve(undefined)), [provider, showSetup]);
  const [secret, setSecret] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);

  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api("PUT", storePath(props.storeId, `/providers/${enc(provider)}`), { secrets: secret.trim() ? [secret.trim()] : [] });
      setSecret("");
      setSaved(true);
      props.onChange();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <article class="card provider" aria-label={provider}>
      <h3>
        {setup.data?.title ?? provider} {props.row && <Tag kind="ok">connected</Tag>}
      </h3>
      {props.row && (
        <dl class="pairs">
          <dt>Hook URL</dt>
          <dd>
            <code>{props.row.hookUrl}</code>
          </dd>
          <dt>Secrets</dt>
          <dd>{props.row.secretsConfigured} set (write-only)</dd>
          <dt>Updated</dt>
          <dd>{formatInstant(props.row.updatedAt)}</dd>
          <dt>Last delivery</dt>
          <dd>{props.row.lastReceivedAt ? formatInstant(props.row.lastReceivedAt) : <span class="muted">none received yet: send a test from {provider}'s admin</span>}</dd>
          <dt>Last refused signature</dt>
          <dd>
            {props.row.lastRefused ? (
              <>
                <Tag kind="breached">refused</Tag> {formatInstant(props.row.lastRefused.at)}: {props.row.lastRefused.reason}
              </>
            ) : (
              <span class="muted">none</span>
            )}
          </dd>
        </dl>
      )}
      {props.row && (
        <button type="button" class="link" aria-expanded={showSetup} onClick={() => setShowSetup(!showSetup)}>
          {showSetup ? "Hide setup steps" : "Setup steps"}
        </button>
      )}
      <ErrorNote error={setup.error} what="Could not load the setup steps" />
      {showSetup && setup.data && (
        <div class="setup">
          {!props.row && (
            <p>
              Hook URL to paste: <code>{setup.data.hookUrl}</code>
            </p>
          )}
          <ol>
            {setup.data.steps.map((s, i) => (
              <li key={i}>{s}</li>
            ))}
          </ol>
          {setup.data.template !== undefined && <pre class="json small">{JSON.stringify(setup.data.template, null, 2)}</pre>}
        </div>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Field
          label={props.row ? `New signing secret for ${provider}` : `Signing secret for ${provider}`}
          name="secret"
          type="password"
          value={secret}
          onInput={setSecret}
          autoComplete="off"
          error={error instanceof ApiFailure ? error.issueAt("secrets") : undefined}
          hint="write-only: Promptly never shows it again"
        />
        {error !== undefined && !(error instanceof ApiFailure && error.issueAt("secrets")) && <ErrorNote error={error} />}
        {saved && (
          <p class="ok" role="status">
            Saved.
          </p>
        )}
        <button type="submit" disabled={busy}>
          {props.row ? "Replace secret" : "Connect"}
        </button>
      </form>
    </article>
  );
}

/**
 * "Send a test reminder": POST …/channels/:name/test goes through the real delivery path, so the
 * delivery log (linked) shows it arrive, retry or die like a breach's reminder would.
 */
function TestReminder(props: { storeId: string; channel: string; onSent: () => void }) {
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<DeliveryView | null>(null);
  const [error, setError] = useState<unknown>();
  const send = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const out = await api<{ delivery: DeliveryView }>("POST", storePath(props.storeId, `/channels/${enc(props.channel)}/test`));
      setSent(out.delivery);
      props.onSent();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" disabled={busy} onClick={() => void send()} aria-label={`Send a test reminder to ${props.channel}`}>
        Send a test reminder
      </button>
      {sent && (
        <span class="block small" role="status">
          Test reminder #{sent.id} {sent.state === "skipped" ? `skipped: ${sent.skippedBecause ?? ""}` : "queued"}: follow it in <Link href="/deliveries">Deliveries</Link>.
        </span>
      )}
      <ErrorNote error={error} />
    </>
  );
}
