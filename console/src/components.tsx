/**
 * The console's shared pieces, for every page (and the rules editor built on them):
 * - `SessionContext` / `useSession()`: the signed-in store (from GET /v1/session).
 * - `Layout`: header, navigation (Board, Rules, Connections, Deliveries, Audit, Reports), sign-out.
 * - `useApi(load, deps)`: runs a call, keeps `{ data, error, loading, reload }`; `every` (ms)
 *   refreshes it by itself while the page is visible.
 * - `ErrorNote`: the API's own message (and field issues), in an alert region.
 * - `Empty`: an empty state that says what to do next.
 * - `Field`: a labelled input with its error under it (`error` from `ApiFailure.issueAt`).
 * - `Countdown` / `useNow`: one shared one-second tick for every live countdown on a page.
 * - `Tag`: a small label; colour is only ever a second signal next to its words.
 */
import { createContext, type ComponentChildren } from "preact";
import { useContext, useEffect, useRef, useState } from "preact/hooks";
import { api, describeError } from "./api";
import { Link, navigate, useLocation } from "./router";
import { CONSOLE_LANGUAGES, LANGUAGE_NAMES, language, setLanguage, t, type ConsoleLanguage, type MessageKey } from "./i18n";
import { countdown, formatInstant, viewerZone } from "./time";
import type { SessionView } from "./types";

export interface SessionState {
  session: SessionView;
  /** Forget the session here (after DELETE /v1/session, or a 401). */
  signedOut: () => void;
}

export const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside a signed-in page");
  return s;
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

export function useApi<T>(load: () => Promise<T>, deps: unknown[], every?: number): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => mine === seq.current && setState({ data, error: undefined, loading: false }),
      (error: unknown) => mine === seq.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
  }, [...deps, tick]);
  useEffect(() => {
    if (!every) return;
    const id = setInterval(() => {
      if (document.visibilityState === "visible") setTick((t) => t + 1);
    }, every);
    return () => clearInterval(id);
  }, [every]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

const NAV: { href: string; label: MessageKey }[] = [
  { href: "/", label: "nav.board" },
  { href: "/rules", label: "nav.rules" },
  { href: "/connections", label: "nav.connections" },
  { href: "/deliveries", label: "nav.deliveries" },
  { href: "/audit", label: "nav.audit" },
  { href: "/reports", label: "nav.reports" },
];

/** The header's language switch; the choice is remembered in this browser (i18n/index.ts). */
export function LanguageSwitch() {
  return (
    <span class="lang">
      <label for="console-language" class="sr-only">
        {t("lang.label")}
      </label>
      <select id="console-language" value={language()} onChange={(e) => setLanguage((e.currentTarget as HTMLSelectElement).value as ConsoleLanguage)}>
        {CONSOLE_LANGUAGES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANGUAGE_NAMES[l]}
          </option>
        ))}
      </select>
    </span>
  );
}

export function Layout(props: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  const { session, signedOut } = useSession();
  const loc = useLocation();
  useEffect(() => {
    document.title = `${props.title} · ${session.storeName} · Promptly`;
  }, [props.title, session.storeName]);
  const signOut = async () => {
    try {
      await api("DELETE", "/v1/session");
    } finally {
      signedOut();
      navigate("/signin", true);
    }
  };
  const active = (href: string) => (href === "/" ? loc.path === "/" || loc.path.startsWith("/cases/") : loc.path.startsWith(href));
  return (
    <div class="shell">
      <a class="skip" href="#main">
        {t("nav.skip")}
      </a>
      <header class="top">
        <Link href="/" class="brand">
          Promptly
        </Link>
        <span class="store" title={session.storeId}>
          {session.storeName}
        </span>
        <nav aria-label={t("nav.label")}>
          <ul>
            {NAV.map((n) => (
              <li key={n.href}>
                <Link href={n.href} aria-current={active(n.href) ? "page" : undefined}>
                  {t(n.label)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <LanguageSwitch />
        <button type="button" class="link signout" onClick={() => void signOut()}>
          {t("nav.signOut")}
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <div class="page-head">
          <h1>{props.title}</h1>
          {props.actions}
        </div>
        {props.children}
      </main>
    </div>
  );
}

export function ErrorNote(props: { error: unknown; what?: string }) {
  if (props.error === undefined || props.error === null) return null;
  return (
    <p class="error" role="alert">
      {props.what ? `${props.what}: ` : ""}
      {describeError(props.error)}
    </p>
  );
}

export function Empty(props: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p class="empty-title">{props.title}</p>
      {props.children}
    </div>
  );
}

let fieldSeq = 0;
export function Field(props: {
  label: string;
  value: string;
  onInput: (v: string) => void;
  type?: string;
  name?: string;
  error?: string | undefined;
  hint?: ComponentChildren;
  autoComplete?: string;
  required?: boolean;
}) {
  const id = useRef(`f${++fieldSeq}`).current;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value}
        required={props.required}
        autoComplete={props.autoComplete}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={props.error || props.hint ? `${id}-note` : undefined}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
      />
      {(props.error || props.hint) && (
        <p id={`${id}-note`} class={props.error ? "field-error" : "hint"}>
          {props.error ?? props.hint}
        </p>
      )}
    </div>
  );
}

const tickers = new Set<(now: number) => void>();
let tickTimer: ReturnType<typeof setInterval> | undefined;

/** The current time, re-rendering once a second; one timer for the whole page. */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    tickers.add(setNow);
    tickTimer ??= setInterval(() => {
      const t = Date.now();
      tickers.forEach((f) => f(t));
    }, 1000);
    return () => {
      tickers.delete(setNow);
      if (tickers.size === 0 && tickTimer !== undefined) {
        clearInterval(tickTimer);
        tickTimer = undefined;
      }
    };
  }, []);
  return now;
}

/** A live "in 4m 09s" / "4m 09s overdue", with the due instant (and its zone) as its title. */
export function Countdown(props: { at: string; zone?: string }) {
  const now = useNow();
  const overdue = Date.parse(props.at) < now;
  return (
    <time dateTime={props.at} title={formatInstant(props.at, props.zone ?? viewerZone)} class={overdue ? "overdue" : undefined}>
      {countdown(props.at, now)}
    </time>
  );
}

export function Tag(props: { kind?: "breached" | "risk" | "ok" | "muted" | "warn"; children: ComponentChildren; title?: string }) {
  return (
    <span class={`tag ${props.kind ?? ""}`} title={props.title}>
      {props.children}
    </span>
  );
}
