/**
 * The console's entry: finds out who is signed in (GET /v1/session), then shows the page the URL
 * names. Without a session every page sends the user to sign in and then back to where they
 * were going, so a reminder's link (`/cases/<caseId>?store=<storeId>`) lands on its case.
 *
 * Pages live in ./pages, one file each; shared pieces in ./components.tsx, the API client in
 * ./api.ts, the router in ./router.ts.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, ApiFailure, onSignedOut } from "./api";
import { SessionContext } from "./components";
import { useLanguage } from "./i18n";
import { navigate, useLocation } from "./router";
import type { SessionView } from "./types";
import { AuditPage } from "./pages/audit";
import { BoardPage } from "./pages/board";
import { CasePage } from "./pages/case";
import { ConnectionsPage } from "./pages/connections";
import { DeliveriesPage } from "./pages/deliveries";
import { ReportsPage } from "./pages/reports";
import { RulesPage } from "./pages/rules";
import { SignInPage } from "./pages/signin";

type SessionLoad = { state: "loading" } | { state: "none" } | { state: "error"; error: unknown } | { state: "in"; session: SessionView };

/** Keyed by the language, so the header's switch re-renders every page in the new one. */
function Localized() {
  const lang = useLanguage();
  return <App key={lang} />;
}

function App() {
  const loc = useLocation();
  const [load, setLoad] = useState<SessionLoad>({ state: "loading" });

  const check = () =>
    api<SessionView>("GET", "/v1/session").then(
      (session) => setLoad({ state: "in", session }),
      (error: unknown) => setLoad(error instanceof ApiFailure && error.status === 401 ? { state: "none" } : { state: "error", error }),
    );
  useEffect(() => {
    void check();
    return onSignedOut(() => setLoad({ state: "none" }));
  }, []);

  const wantedStore = loc.query.get("store");
  const needsSignIn = load.state === "none" || (load.state === "in" && wantedStore !== null && wantedStore !== load.session.storeId);
  useEffect(() => {
    if (needsSignIn && loc.path !== "/signin") {
      const q = new URLSearchParams({ next: loc.href });
      if (wantedStore) q.set("store", wantedStore);
      navigate(`/signin?${q}`, true);
    }
  }, [needsSignIn, loc.href]);

  const signedInAlready = load.state === "in" && !needsSignIn && loc.path === "/signin";
  useEffect(() => {
    if (signedInAlready) navigate(nextPath(), true);
  }, [signedInAlready]);

  if (load.state === "loading" || signedInAlready) return <p class="boot">Loading the Promptly console…</p>;
  if (load.state === "error") {
    return (
      <main class="narrow">
        <h1>Promptly</h1>
        <p class="error" role="alert">
          {load.error instanceof Error ? load.error.message : String(load.error)}
        </p>
        <button type="button" onClick={() => void check()}>
          Try again
        </button>
      </main>
    );
  }
  if (loc.path === "/signin" || needsSignIn) {
    return (
      <SignInPage
        current={load.state === "in" ? load.session : null}
        onSignedIn={(session) => {
          setLoad({ state: "in", session });
          navigate(nextPath(), true);
        }}
      />
    );
  }

  const state = { session: load.session, signedOut: () => setLoad({ state: "none" }) };
  const caseMatch = /^\/cases\/([^/]+)\/?$/.exec(loc.path);
  let page;
  if (loc.path === "/") page = <BoardPage />;
  else if (caseMatch) page = <CasePage caseId={decodeURIComponent(caseMatch[1]!)} />;
  else if (loc.path === "/deliveries") page = <DeliveriesPage />;
  else if (loc.path === "/audit") page = <AuditPage />;
  else if (loc.path === "/connections") page = <ConnectionsPage />;
  else if (loc.path === "/reports") page = <ReportsPage />;
  else if (loc.path === "/rules" || loc.path.startsWith("/rules/")) page = <RulesPage />;
  else page = <NotFound path={loc.path} />;
  return <SessionContext.Provider value={state}>{page}</SessionContext.Provider>;
}

/** Where to go after signing in: the `next` the link carried, only ever a path on this console. */
function nextPath(): string {
  const next = new URLSearchParams(location.search).get("next");
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
}

function NotFound(props: { path: string }) {
  return (
    <main class="narrow">
      <h1>No such page</h1>
      <p>
        Nothing lives at <code>{props.path}</code>. <a href="/">Go to the board</a>.
      </p>
    </main>
  );
}

render(<Localized />, document.getElementById("app")!);
