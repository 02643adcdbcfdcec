/**
 * A draft's reminder timeline beside the rules in force, for one real case: the rules editor's
 * preview, and the case page opened from a backtest's list of changed cases (the draft that was
 * backtested is kept in sessionStorage for that, never anything secret-bearing beyond what the
 * page already showed: secrets read back as "********").
 */
import { api, storePath } from "../api";
import { ErrorNote, Tag, useApi } from "../components";
import { formatInstant } from "../time";

export interface PreviewReminder {
  at: string;
  kind: string;
  title: string;
  urgency: string;
}
export interface DryRunAnswer {
  reminders: PreviewReminder[];
  truncated: boolean;
}

/** Where the rules editor leaves the draft it backtested, for the case pages its results open. */
export const BACKTESTED_DRAFT_KEY = "promptly.backtestedDraft";

export function ReminderColumn(props: { title: string; items: PreviewReminder[]; other?: PreviewReminder[] }) {
  const key = (r: PreviewReminder) => `${r.kind}@${r.at}`;
  const others = new Set((props.other ?? []).map(key));
  return (
    <div>
      <h3>
        {props.title} ({props.items.length} reminder{props.items.length === 1 ? "" : "s"})
      </h3>
      {props.items.length === 0 ? (
        <p class="muted">No reminder would fire.</p>
      ) : (
        <ol class="timeline">
          {props.items.map((r) => (
            <li key={key(r)}>
              {formatInstant(r.at)} · <strong>{r.kind}</strong> {props.other && !others.has(key(r)) && <Tag kind="warn">only in the draft</Tag>}
              <br />
              <span class="small">{r.title}</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

/** The backtested draft's timeline for this case beside the one the rules in force give it. */
export function BacktestedDraftComparison(props: { storeId: string; caseId: string }) {
  const raw = sessionStorage.getItem(BACKTESTED_DRAFT_KEY);
  const result = useApi(async () => {
    if (!raw) return null;
    const path = storePath(props.storeId, "/rules/dry-run");
    const [current, draft] = await Promise.all([api<DryRunAnswer>("POST", path, { caseId: props.caseId }), api<DryRunAnswer>("POST", path, { caseId: props.caseId, rules: JSON.parse(raw) as unknown })]);
    return { current, draft };
  }, [props.storeId, props.caseId, raw]);
  return (
    <section class="card" aria-labelledby="draft-compare-h">
      <h2 id="draft-compare-h">Under the backtested draft</h2>
      {!raw && <p class="muted">No backtested draft in this tab: run a backtest from the rules editor and open a case from its list.</p>}
      <ErrorNote error={result.error} what="Could not replay the case" />
      {result.data && (
        <div class="side-by-side" data-testid="draft-compare">
          <ReminderColumn title="Rules in force" items={result.data.current.reminders} />
          <ReminderColumn title="Draft" items={result.data.draft.reminders} other={result.data.current.reminders} />
        </div>
      )}
    </section>
  );
}
