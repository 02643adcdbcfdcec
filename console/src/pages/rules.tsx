/**
 * Rules: the editor of the store's rules document.
 *
 * - A form for the everyday edits and a JSON view for everything (rules/form.tsx); the API's
 *   errors land at the field they name.
 * - Preview: the draft and the rules in force, dry-run side by side on a real case the admin picks
 *   (POST …/rules/dry-run with `caseId`), reminder timelines next to each other.
 * - Backtest last 30 days (POST …/rules/backtest, polled): attainment and reminder counts under
 *   each, and the cases that would have changed, each opening its case page.
 * - Saving shows the diff first and sends If-Match with the version the edit started from. On 412
 *   (someone saved meanwhile) it shows what they changed and offers to merge this edit onto theirs
 *   or to discard it and start again from theirs.
 * - History: versions with their diff and a rollback, and the starter templates.
 * Timers on a case page link here as `/rules?path=<rule path>&version=<n>`: that field is opened.
 */
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, ApiFailure, storePath, type ApiIssue } from "../api";
import { ErrorNote, Layout, Tag, useApi, useSession } from "../components";
import { Link, useLocation } from "../router";
import { diffDocs, fieldPath, mergeOnto, show, type Change, type Json } from "../rules/doc";
import { BACKTESTED_DRAFT_KEY, ReminderColumn, type DryRunAnswer } from "../rules/compare";
import { RulesForm } from "../rules/form";
import { formatInstant } from "../time";

interface RulesView {
  version: number;
  createdAt: string;
  author: string;
  summary: string;
  rules: Json;
}
interface VersionMeta {
  version: number;
  author: string;
  createdAt: string;
  summary: string;
  action: string;
}
type DryRun = DryRunAnswer;

const etag = (v: number) => `"v${v}"`;

export function RulesPage() {
  const { session } = useSession();
  const loc = useLocation();
  const current = useApi(() => api<RulesView>("GET", storePath(session.storeId, "/rules")), [session.storeId]);
  const [base, setBase] = useState<RulesView | null>(null);
  const [draft, setDraft] = useState<Json>(null);
  const [rev, setRev] = useState(0);
  const [mode, setMode] = useState<"form" | "json">("form");
  const [jsonText, setJsonText] = useState("");
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [issues, setIssues] = useState<ApiIssue[]>([]);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string | null>(null);
  const [review, setReview] = useState<Change[] | null>(null);
  const [conflict, setConflict] = useState<{ theirs: RulesView; theirChanges: Change[] } | null>(null);
  const [saving, setSaving] = useState(false);

  // The first load (and every "start again from theirs") sets both the base and the draft.
  const load = (v: RulesView) => {
    setBase(v);
    setDraft(v.rules);
    setJsonText(JSON.stringify(v.rules, null, 2));
    setRev((r) => r + 1);
    setIssues([]);
  };
  useEffect(() => {
    if (current.data && !base) load(current.data);
  }, [current.data]);

  // A link from a case's timer opens the field it names.
  const focusPath = loc.query.get("path");
  useEffect(() => {
    if (!focusPath || !base) return;
    const el = document.querySelector<HTMLElement>(`[data-path^="${CSS.escape(focusPath)}"]`);
    el?.closest("details")?.setAttribute("open", "");
    el?.focus();
  }, [focusPath, base, rev]);

  const errorAt = (path: string) => issues.find((i) => fieldPath(i.path) === path)?.message;
  const changes = useMemo(() => (base ? diffDocs(base.rules, draft) : []), [base, draft]);

  const setFromForm = (next: Json) => {
    setDraft(next);
    setJsonText(JSON.stringify(next, null, 2));
  };
  const setFromJson = (text: string) => {
    setJsonText(text);
    try {
      setDraft(JSON.parse(text) as Json);
      setJsonError(null);
    } catch (err) {
      setJsonError(`Not valid JSON yet: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const showFailure = (err: unknown) => {
    setError(err);
    if (err instanceof ApiFailure) setIssues(err.issues);
  };

  const save = async () => {
    if (!base) return;
    setSaving(true);
    setError(undefined);
    setNotice(null);
    try {
      const saved = await api<RulesView>("PUT", storePath(session.storeId, "/rules"), draft, { "if-match": etag(base.version) });
      setReview(null);
      load(saved);
      setNotice(`Saved as version ${saved.version}.`);
      current.reload();
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 412) {
        const theirs = await api<RulesView>("GET", storePath(session.storeId, "/rules"));
        setConflict({ theirs, theirChanges: diffDocs(base.rules, theirs.rules) });
        setReview(null);
      } else showFailure(err);
    } finally {
      setSaving(false);
    }
  };

  if (!base) {
    return (
      <Layout title="Rules">
        <ErrorNote error={current.error} what="Could not load the rules" />
        {!current.error && <p class="muted">Loading the rules…</p>}
      </Layout>
    );
  }

  return (
    <Layout
      title="Rules"
      actions={
        <span class="muted small">
          Editing version {base.version} · {changes.length === 0 ? "no changes" : `${changes.length} change${changes.length === 1 ? "" : "s"}`}
        </span>
      }
    >
      {notice && (
        <p class="ok" role="status">
          {notice}
        </p>
      )}
      <ErrorNote error={error} what="The API refused" />
      {conflict && (
        <section class="card conflict" role="alert" aria-labelledby="conflict-title">
          <h2 id="conflict-title">Someone saved version {conflict.theirs.version} while you were editing</h2>
          <p>What changed in the meantime (from version {base.version}):</p>
          <ChangeList changes={conflict.theirChanges} />
          <p>
            <button
              type="button"
              onClick={() => {
                const { merged, overlaps } = mergeOnto(base.rules, draft, conflict.theirs.rules);
                setBase(conflict.theirs);
                setFromForm(merged);
                setRev((r) => r + 1);
                setConflict(null);
                setNotice(`Your edit now sits on version ${conflict.theirs.version}.${overlaps.length ? ` Where you both changed a field yours was kept: ${overlaps.join(", ")}.` : ""} Review and save again.`);
              }}
            >
              Merge my changes onto version {conflict.theirs.version}
            </button>{" "}
            <button
              type="button"
              class="secondary"
              onClick={() => {
                load(conflict.theirs);
                setConflict(null);
                setNotice(`Loaded version ${conflict.theirs.version}; redo your edit on it.`);
              }}
            >
              Discard mine and load version {conflict.theirs.version}
            </button>
          </p>
        </section>
      )}

      <div class="toolbar" role="group" aria-label="Editor view">
        <button type="button" class={mode === "form" ? "pill active" : "pill"} aria-pressed={mode === "form"} onClick={() => setMode("form")}>
          Form
        </button>
        <button type="button" class={mode === "json" ? "pill active" : "pill"} aria-pressed={mode === "json"} onClick={() => setMode("json")}>
          JSON
        </button>
        <button type="button" disabled={changes.length === 0 || jsonError !== null} onClick={() => setReview(changes)}>
          Review and save
        </button>
      </div>

      {review && (
        <section class="card" aria-labelledby="review-title">
          <h2 id="review-title">Save these changes as version {base.version + 1}?</h2>
          <ChangeList changes={review} />
          <button type="button" disabled={saving} onClick={() => void save()}>
            {saving ? "Saving…" : "Save"}
          </button>{" "}
          <button type="button" class="secondary" onClick={() => setReview(null)}>
            Keep editing
          </button>
        </section>
      )}

      {mode === "form" ? (
        <RulesForm key={rev} draft={draft} onChange={setFromForm} errorAt={errorAt} />
      ) : (
        <div class="field">
          <label for="rules-json">The whole document (JSON)</label>
          <textarea id="rules-json" class="json" rows={28} value={jsonText} onInput={(e) => setFromJson((e.currentTarget as HTMLTextAreaElement).value)} aria-invalid={jsonError ? "true" : undefined} />
          {jsonError && <p class="field-error">{jsonError}</p>}
          {issues.length > 0 && (
            <ul class="field-error">
              {issues.map((i) => (
                <li key={i.path + i.message}>
                  <code>{i.path}</code>: {i.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}

      <Preview storeId={session.storeId} draft={draft} onFailure={showFailure} />
      <Backtest storeId={session.storeId} draft={draft} onFailure={showFailure} />
      <History storeId={session.storeId} currentVersion={current.data?.version ?? base.version} onRolledBack={(v) => { load(v); setNotice(`Rolled back: version ${v.version} restores an earlier document.`); current.reload(); }} onTemplate={(rules) => { setFromForm(rules); setRev((r) => r + 1); setNotice("Template loaded into the draft: review and save it to use it."); }} onFailure={showFailure} />
    </Layout>
  );
}

function ChangeList({ changes }: { changes: Change[] }) {
  if (changes.length === 0) return <p class="muted">No changes.</p>;
  return (
    <ul class="changes">
      {changes.map((c) => (
        <li key={c.path}>
          <Tag kind={c.op === "removed" ? "breached" : c.op === "added" ? "ok" : "warn"}>{c.op}</Tag> <code>{c.path}</code>: {c.op === "added" ? show(c.to) : c.op === "removed" ? show(c.from) : `${show(c.from)} → ${show(c.to)}`}
        </li>
      ))}
    </ul>
  );
}

function Preview(props: { storeId: string; draft: Json; onFailure: (err: unknown) => void }) {
  const cases = useApi(() => api<{ cases: { caseId: string; subject: string | null; ticketId: string | null }[] }>("GET", storePath(props.storeId, "/cases?limit=100")), [props.storeId]);
  const [caseId, setCaseId] = useState("");
  const [result, setResult] = useState<{ current: DryRun; draft: DryRun } | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      const path = storePath(props.storeId, "/rules/dry-run");
      const [current, draft] = await Promise.all([api<DryRun>("POST", path, { caseId }), api<DryRun>("POST", path, { caseId, rules: props.draft })]);
      setResult({ current, draft });
    } catch (err) {
      props.onFailure(err);
    } finally {
      setBusy(false);
    }
  };
  const list = cases.data?.cases ?? [];
  return (
    <section class="card" aria-labelledby="preview-title">
      <h2 id="preview-title">Preview on a real case</h2>
      {list.length === 0 ? (
        <p class="muted">No case yet to preview on: connect a helpdesk on Connections, and the first ticket appears here.</p>
      ) : (
        <div class="row">
          <div class="field">
            <label for="preview-case">Case</label>
            <select id="preview-case" value={caseId} onChange={(e) => setCaseId((e.currentTarget as HTMLSelectElement).value)}>
              <option value="">Pick a case…</option>
              {list.map((c) => (
                <option key={c.caseId} value={c.caseId}>
                  {c.ticketId ? `#${c.ticketId}` : c.caseId} {c.subject ? `· ${c.subject}` : ""}
                </option>
              ))}
            </select>
          </div>
          <button type="button" disabled={!caseId || busy} onClick={() => void run()}>
            {busy ? "Running…" : "Preview"}
          </button>
        </div>
      )}
      {result && (
        <div class="side-by-side" data-testid="preview-result">
          <ReminderColumn title="Current rules" items={result.current.reminders} />
          <ReminderColumn title="Draft" items={result.draft.reminders} other={result.current.reminders} />
        </div>
      )}
    </section>
  );
}

interface BacktestView {
  backtestId: string;
  state: string;
  progress: { cases: number; done: number };
  result: {
    casesReplayed: number;
    byMetric: { metric: string; current: { cycles: number; met: number; missed: number }; draft: { cycles: number; met: number; missed: number } }[];
    reminders: Record<"current" | "draft", { total: number; duringQuietHours: number; escalationsByLevel: Record<string, number> }>;
    changed: { caseId: string; firstDifference: string }[];
    changedCount: number;
  } | null;
  error: string | null;
}

const pct = (o: { cycles: number; met: number }) => (o.cycles === 0 ? "—" : `${Math.round((100 * o.met) / o.cycles)} %`);

function Backtest(props: { storeId: string; draft: Json; onFailure: (err: unknown) => void }) {
  const [view, setView] = useState<BacktestView | null>(null);
  useEffect(() => {
    if (!view || !["queued", "running"].includes(view.state)) return;
    const t = setTimeout(() => {
      api<BacktestView>("GET", storePath(props.storeId, `/rules/backtests/${view.backtestId}`)).then(setView, props.onFailure);
    }, 1000);
    return () => clearTimeout(t);
  }, [view]);
  const start = async () => {
    try {
      const now = Date.now();
      const { backtestId } = await api<{ backtestId: string }>("POST", storePath(props.storeId, "/rules/backtest"), { rules: props.draft, from: new Date(now - 30 * 86_400_000).toISOString(), to: new Date(now).toISOString() });
      // The changed cases open with this draft's timeline beside the real one (rules/compare.tsx).
      sessionStorage.setItem(BACKTESTED_DRAFT_KEY, JSON.stringify(props.draft));
      setView({ backtestId, state: "queued", progress: { cases: 0, done: 0 }, result: null, error: null });
    } catch (err) {
      props.onFailure(err);
    }
  };
  const r = view?.result;
  return (
    <section class="card" aria-labelledby="backtest-title">
      <h2 id="backtest-title">Backtest on the last 30 days</h2>
      <p class="hint">Replays every case of the last 30 days under the rules it ran with and under this draft. Nothing is stored or sent.</p>
      <button type="button" disabled={view !== null && ["queued", "running"].includes(view.state)} onClick={() => void start()}>
        Backtest last 30 days
      </button>
      {view && !r && (
        <p role="status">
          {view.state === "failed" ? `The backtest failed: ${view.error ?? "unknown error"}` : `Backtest ${view.state}: ${view.progress.done} of ${view.progress.cases || "?"} cases replayed…`}
        </p>
      )}
      {r && (
        <div data-testid="backtest-result">
          <p role="status">
            {r.casesReplayed} cases replayed; {r.changedCount} would change.
          </p>
          <table class="list">
            <caption>Targets met, current rules vs draft</caption>
            <thead>
              <tr>
                <th scope="col">Metric</th>
                <th scope="col">Current: met / missed</th>
                <th scope="col">Draft: met / missed</th>
              </tr>
            </thead>
            <tbody>
              {r.byMetric.map((m) => (
                <tr key={m.metric}>
                  <td data-label="Metric">{m.metric.replace("_", " ")}</td>
                  <td data-label="Current">
                    {m.current.met} / {m.current.missed} ({pct(m.current)})
                  </td>
                  <td data-label="Draft">
                    {m.draft.met} / {m.draft.missed} ({pct(m.draft)})
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            Reminders: {r.reminders.current.total} now, {r.reminders.draft.total} under the draft ({r.reminders.current.duringQuietHours} and {r.reminders.draft.duringQuietHours} during quiet hours).
          </p>
          {r.changed.length > 0 && (
            <ul>
              {r.changed.map((c) => (
                <li key={c.caseId}>
                  <Link href={`/cases/${encodeURIComponent(c.caseId)}?draft=backtest`}>{c.caseId}</Link>: {c.firstDifference}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}

function History(props: { storeId: string; currentVersion: number; onRolledBack: (v: RulesView) => void; onTemplate: (rules: Json) => void; onFailure: (err: unknown) => void }) {
  const versions = useApi(() => api<{ current: number; versions: VersionMeta[] }>("GET", storePath(props.storeId, "/rules/versions?limit=20")), [props.storeId, props.currentVersion]);
  const templates = useApi(() => api<{ templates: { id: string; title: string; description: string; rules: Json }[] }>("GET", storePath(props.storeId, "/rules/templates")), [props.storeId]);
  const [diff, setDiff] = useState<{ version: number; lines: string[] } | null>(null);
  const [template, setTemplate] = useState("");
  return (
    <section class="card" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      <ErrorNote error={versions.error} what="Could not load the versions" />
      <table class="list">
        <caption class="sr-only">Rule versions, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Saved</th>
            <th scope="col">What changed</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {(versions.data?.versions ?? []).map((v) => (
            <tr key={v.version} data-version={v.version}>
              <td data-label="Version">
                {v.version} {v.version === versions.data?.current && <Tag kind="ok">in force</Tag>}
              </td>
              <td data-label="Saved">
                {formatInstant(v.createdAt)} by {v.author}
              </td>
              <td data-label="What changed">{v.summary}</td>
              <td data-label="Actions">
                {v.version > 0 && (
                  <button type="button" class="link" onClick={() => api<{ lines: string[] }>("GET", storePath(props.storeId, `/rules/versions/${v.version}/diff`)).then((d) => setDiff({ version: v.version, lines: d.lines }), props.onFailure)}>
                    Diff
                  </button>
                )}{" "}
                {v.version !== versions.data?.current && (
                  <button
                    type="button"
                    class="link"
                    onClick={() =>
                      api<RulesView>("POST", storePath(props.storeId, "/rules/rollback"), { version: v.version }, { "if-match": etag(versions.data!.current) }).then((saved) => {
                        versions.reload();
                        props.onRolledBack(saved);
                      }, props.onFailure)
                    }
                  >
                    Roll back to {v.version}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {diff && (
        <div>
          <h3>Version {diff.version} changed</h3>
          <pre class="json">{diff.lines.join("\n") || "nothing"}</pre>
        </div>
      )}
      <h3>Start from a template</h3>
      <div class="row">
        <div class="field">
          <label for="rules-template">Template</label>
          <select id="rules-template" value={template} onChange={(e) => setTemplate((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">Pick a template…</option>
            {(templates.data?.templates ?? []).map((t) => (
              <option key={t.id} value={t.id} title={t.description}>
                {t.title}
              </option>
            ))}
          </select>
        </div>
        <button
          type="button"
          disabled={!template}
          onClick={() => {
            const t = templates.data?.templates.find((x) => x.id === template);
            if (t) props.onTemplate(t.rules);
          }}
        >
          Load into the draft
        </button>
      </div>
    </section>
  );
}
