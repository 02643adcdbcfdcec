/**
 * A small history router: paths are real URLs (`/cases/<caseId>`), so a reminder's link, a reload
 * and the back button all land on the same page. The Worker's static assets answer every
 * console path with index.html (single-page-application fallback), and this module picks the page.
 *
 *   const loc = useLocation();          // re-renders on navigation
 *   navigate("/deliveries");            // push; navigate(url, true) replaces
 *   <Link href="/audit">Audit</Link>    // a real <a>, so middle-click and keyboard work
 */
import { h, type ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";

export interface Loc {
  path: string;
  query: URLSearchParams;
  /** path + search, for "come back here after signing in". */
  href: string;
}

function current(): Loc {
  return { path: location.pathname, query: new URLSearchParams(location.search), href: location.pathname + location.search };
}

const listeners = new Set<() => void>();
window.addEventListener("popstate", () => listeners.forEach((l) => l()));

export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  listeners.forEach((l) => l());
  window.scrollTo(0, 0);
}

export function useLocation(): Loc {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const l = () => setLoc(current());
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return loc;
}

export function Link(props: { href: string; class?: string; children: ComponentChildren; "aria-current"?: "page" | undefined }) {
  return h(
    "a",
    {
      ...props,
      onClick: (e: MouseEvent) => {
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(props.href);
      },
    },
    props.children,
  );
}
