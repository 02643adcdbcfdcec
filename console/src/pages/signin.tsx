/**
 * Sign-in and first run. A store admin signs in with the store id and an admin token, traded for
 * an HttpOnly session cookie (POST /v1/session): the token is never stored in the page. On first
 * run the operator token `npm start` printed creates a store (POST /v1/stores); its admin token is
 * shown once, then the console signs in to that store with it.
 */
import { useState } from "preact/hooks";
import { api, ApiFailure, describeError } from "../api";
import { Field, LanguageSwitch } from "../components";
import { t } from "../i18n";
import type { SessionView, StoreCreated } from "../types";

export function SignInPage(props: { current: SessionView | null; onSignedIn: (s: SessionView) => void }) {
  const params = new URLSearchParams(location.search);
  const [storeId, setStoreId] = useState(params.get("store") ?? "");
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const goingTo = params.get("next");

  const signIn = async (sid: string, tok: string) => {
    setBusy(true);
    setError(undefined);
    try {
      props.onSignedIn(await api<SessionView>("POST", "/v1/session", { storeId: sid.trim(), token: tok.trim() }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const issue = (path: string) => (error instanceof ApiFailure ? error.issueAt(path) : undefined);

  return (
    <main id="main" class="narrow signin">
      <div class="signin-lang">
        <LanguageSwitch />
      </div>
      <h1>Promptly</h1>
      <p class="lede">{t("signin.lede")}</p>
      {props.current && (
        <p class="note">
          You are signed in to <strong>{props.current.storeName}</strong> ({props.current.storeId}). This link is for another store: sign in to it below.
        </p>
      )}
      {goingTo && goingTo !== "/" && !props.current && <p class="note">Sign in to open {goingTo.startsWith("/cases/") ? "the case" : "that page"}.</p>}
      <section aria-labelledby="signin-h" class="card">
        <h2 id="signin-h">{t("signin.heading")}</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void signIn(storeId, token);
          }}
        >
          <Field label={t("signin.storeId")} name="storeId" value={storeId} onInput={setStoreId} autoComplete="username" required error={issue("storeId")} hint="st_… — from the answer that created the store" />
          <Field label={t("signin.token")} name="token" type="password" value={token} onInput={setToken} autoComplete="current-password" required error={issue("token")} hint="prm.… — kept only as a session cookie, never in this page" />
          {error !== undefined && !issue("storeId") && !issue("token") && (
            <p class="error" role="alert">
              {describeError(error)}
            </p>
          )}
          <button type="submit" disabled={busy}>
            {busy ? "…" : t("signin.submit")}
          </button>
        </form>
      </section>
      <FirstRun onSignedIn={props.onSignedIn} />
    </main>
  );
}

/** The operator panel: creates a store with the operator token and shows its admin token once. */
function FirstRun(props: { onSignedIn: (s: SessionView) => void }) {
  const [open, setOpen] = useState(false);
  const [operatorToken, setOperatorToken] = useState("");
  const [name, setName] = useState("");
  const [created, setCreated] = useState<StoreCreated | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const create = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setCreated(await api<StoreCreated>("POST", "/v1/stores", { name: name.trim() }, { authorization: `Bearer ${operatorToken.trim()}` }));
      setOperatorToken("");
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const continueIn = async () => {
    if (!created) return;
    setBusy(true);
    try {
      props.onSignedIn(await api<SessionView>("POST", "/v1/session", { storeId: created.storeId, token: created.adminToken }));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  if (created) {
    return (
      <section aria-labelledby="created-h" class="card">
        <h2 id="created-h">Store created: {created.name}</h2>
        <p>Copy the admin token now: it is shown only this once (Promptly keeps only its hash).</p>
        <dl class="pairs">
          <dt>Store ID</dt>
          <dd>
            <code data-testid="new-store-id">{created.storeId}</code>
          </dd>
          <dt>Admin token</dt>
          <dd>
            <code class="secret" data-testid="new-admin-token">
              {created.adminToken}
            </code>
          </dd>
        </dl>
        {error !== undefined && (
          <p class="error" role="alert">
            {describeError(error)}
          </p>
        )}
        <button type="button" onClick={() => void continueIn()} disabled={busy}>
          I have copied it: sign in
        </button>
      </section>
    );
  }
  return (
    <section aria-labelledby="firstrun-h" class="card muted-card">
      <h2 id="firstrun-h">
        <button type="button" class="link" aria-expanded={open} onClick={() => setOpen(!open)}>
          First run? Create a store with the operator token
        </button>
      </h2>
      {open && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <Field label="Operator token" name="operatorToken" type="password" value={operatorToken} onInput={setOperatorToken} required hint="printed by npm start (in .dev.vars); used for this request only" autoComplete="off" />
          <Field label="Store name" name="storeName" value={name} onInput={setName} required error={error instanceof ApiFailure ? error.issueAt("name") : undefined} />
          {error !== undefined && !(error instanceof ApiFailure && error.issueAt("name")) && (
            <p class="error" role="alert">
              {describeError(error)}
            </p>
          )}
          <button type="submit" disabled={busy}>
            {busy ? "Creating…" : "Create store"}
          </button>
        </form>
      )}
    </section>
  );
}
