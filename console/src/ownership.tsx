/**
 * Who owns a case's breach (issue 23), on the board and the case page, and "Take it".
 *
 * "Take it" posts `POST …/cases/:caseId/acknowledge {by}`: the name is the agent's display name,
 * typed once in a labelled field and remembered in localStorage. It is a name for the team to
 * read, never a credential: the session cookie is what authorises the call.
 */
import { useState } from "preact/hooks";
import { api, enc } from "./api";
import { ErrorNote, Field, Tag } from "./components";
import { t } from "./i18n";
import { formatInstant } from "./time";

export interface Owner {
  by: string;
  at: string;
  via: string;
}

const NAME_KEY = "promptly.agentName";

function storedName(): string {
  try {
    return localStorage.getItem(NAME_KEY) ?? "";
  } catch {
    return "";
  }
}

/** The board's row: who took the case, next to its breach. */
export function OwnerTag(props: { owner: Owner }) {
  return (
    <Tag kind="ok" title={formatInstant(props.owner.at)}>
      {t("board.ownedBy", { name: props.owner.by })}
    </Tag>
  );
}

/** The case header's line: owner, when, and how (console, Slack, API, helpdesk assignment). */
export function OwnerLine(props: { owner: Owner | null }) {
  if (!props.owner) return <span class="muted">{t("case.ownerNone")}</span>;
  return <span class="owner">{t("case.ownerLine", { name: props.owner.by, at: formatInstant(props.owner.at), via: props.owner.via })}</span>;
}

export function TakeIt(props: { storeId: string; caseId: string; owner: Owner | null; onTaken: () => void }) {
  const [name, setName] = useState(storedName);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string | null>(null);
  const take = async () => {
    const by = name.trim();
    setBusy(true);
    setError(undefined);
    try {
      try {
        localStorage.setItem(NAME_KEY, by);
      } catch {
        // not remembered; the case is still taken
      }
      const out = await api<{ stoppedEscalations: unknown[] }>("POST", `/v1/stores/${enc(props.storeId)}/cases/${enc(props.caseId)}/acknowledge`, { by });
      setDone(t("case.taken", { count: out.stoppedEscalations.length }));
      props.onTaken();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const mine = props.owner !== null && props.owner.by === name.trim();
  return (
    <form
      class="card take-it"
      aria-label={t("case.takeIt")}
      onSubmit={(e) => {
        e.preventDefault();
        void take();
      }}
    >
      <Field label={t("case.yourName")} name="agentName" value={name} onInput={setName} autoComplete="name" required hint={t("case.yourNameHint")} />
      <button type="submit" disabled={busy || name.trim() === "" || mine}>
        {t("case.takeIt")}
      </button>
      {done && (
        <p class="ok" role="status">
          {done}
        </p>
      )}
      <ErrorNote error={error} />
    </form>
  );
}
