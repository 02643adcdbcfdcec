/**
 * Links shown to people (case views, case lists, reminders) come from webhook bodies and provider
 * options, which a sender or a store admin controls. A `javascript:`, `data:` or `file:` link
 * rendered by a dashboard runs in whoever clicks it, so only http(s) links are ever emitted.
 */
export function safeLink(url: string | null | undefined): string | undefined {
  if (typeof url !== "string") return undefined;
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:" ? url : undefined;
  } catch {
    return undefined;
  }
}
