/**
 * A real local HTTP receiver for outbound reminders (Slack, signed webhooks, helpdesk APIs).
 * Tests script its answers (500, 429 with Retry-After, hang past the sender's timeout, 200) and
 * read back every request it got, with headers and raw body.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface Received {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

export type Behaviour = { status: number; headers?: Record<string, string>; body?: string } | { hangMs: number };

export class Receiver {
  readonly received: Received[] = [];
  private script: Behaviour[] = [];
  private fallback: Behaviour = { status: 200, body: "ok" };
  private server: Server | null = null;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Answers in this order, one behaviour per request, then the fallback. */
  respondWith(...behaviours: Behaviour[]): void {
    this.script.push(...behaviours);
  }

  setFallback(b: Behaviour): void {
    this.fallback = b;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    // A receiver that comes back after an outage comes back on the same port.
    await new Promise<void>((r) => this.server!.listen(this.port, "127.0.0.1", () => r()));
    const addr = this.server.address();
    this.port = typeof addr === "object" && addr ? addr.port : 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(", ") : (v ?? "");
    this.received.push({ method: req.method ?? "", path: req.url ?? "", headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() });
    const b = this.script.shift() ?? this.fallback;
    if ("hangMs" in b) {
      await new Promise((r) => setTimeout(r, b.hangMs));
      res.destroy();
      return;
    }
    res.writeHead(b.status, { "content-type": "text/plain", ...(b.headers ?? {}) });
    res.end(b.body ?? "");
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = null;
  }
}
