/** Types for scripts/dev-start.mjs, so TypeScript tests can import it (allowJs is off). */
export function dotenvValue(text: string, name: string): string | undefined;
export function waitForHealth(url: string, options?: { attempts?: number; intervalMs?: number }): Promise<boolean>;
export function readyBanner(options: { url: string; token: string }): string;
export function notAnsweringMessage(options: { url: string; waitedSeconds: number }): string;
export const LOCAL_VARS: Readonly<Record<string, string>>;
