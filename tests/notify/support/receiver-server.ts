/**
 * vitest globalSetup (runs in Node, not workerd): a real HTTP receiver on 127.0.0.1 that the
 * Worker under test posts reminders to. Code inside workerd reaches it over plain loopback
 * HTTP; the port is handed to the tests with `provide("receiverPort")`.
 *
 * Tests run in parallel files, so the receiver is split into sinks: each test creates its own
 * (`POST /__sinks`), points a channel at `http://127.0.0.1:<port>/s/<sink>`, scripts its answers
 * (500, 429 with Retry-After, hang past the sender's timeout, 200…) and reads back every request
 * it got, with headers and raw body, over the `/__sinks/<sink>/…` control paths.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { TestProject } from "vitest/node";

export type Behaviour = { match?: string } & ({ status: number; headers?: Record<string, string>; body?: string } | { hangMs: number });

export interface Received {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  at: number;
  answered: number | "hang";
}

interface Sink {
  script: Behaviour[];
  fallback: Behaviour;
  received: Received[];
  oauthTokens: boolean;
  tokensIssued: number;
}

const sinks = new Map<string, Sink>();
let nextSink = 1;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  if (req.method === "POST" && path === "/__sinks") {
    const opts = JSON.parse((await readBody(req)) || "{}") as { oauthTokens?: boolean };
    const id = `k${nextSink++}`;
    sinks.set(id, { script: [], fallback: { status: 200, body: "ok" }, received: [], oauthTokens: opts.oauthTokens ?? false, tokensIssued: 0 });
    return send(res, 201, { id });
  }
  const m = /^\/__sinks\/([^/]+)\/(script|fallback|requests)$/.exec(path);
  const sink = m ? sinks.get(m[1]!) : undefined;
  if (!m || !sink) return send(res, 404, { error: "no such sink" });
  if (m[2] === "script" && req.method === "POST") {
    sink.script.push(...(JSON.parse(await readBody(req)) as Behaviour[]));
    return send(res, 200, { queued: sink.script.length });
  }
  if (m[2] === "fallback" && req.method === "PUT") {
    sink.fallback = JSON.parse(await readBody(req)) as Behaviour;
    return send(res, 200, {});
  }
  if (m[2] === "requests" && req.method === "GET") return send(res, 200, sink.received);
  return send(res, 405, { error: "method" });
}

async function receive(req: IncomingMessage, res: ServerResponse, sinkId: string, rest: string): Promise<void> {
  const sink = sinks.get(sinkId);
  const body = await readBody(req);
  if (!sink) return send(res, 404, { error: "no such sink" });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(", ") : (v ?? "");
  const entry: Received = { method: req.method ?? "", path: rest, headers, body, at: Date.now(), answered: 200 };
  sink.received.push(entry);
  const index = sink.script.findIndex((b) => b.match === undefined || rest.includes(b.match));
  let b: Behaviour | undefined = index >= 0 ? sink.script.splice(index, 1)[0] : undefined;
  if (!b && sink.oauthTokens && rest.endsWith("/v2/oauth2/token")) {
    sink.tokensIssued += 1;
    b = { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ token_type: "bearer", access_token: `token-${sink.tokensIssued}`, expires_in: 172800 }) };
  }
  b ??= sink.fallback;
  if ("hangMs" in b) {
    entry.answered = "hang";
    await new Promise((r) => setTimeout(r, b.hangMs));
    res.destroy();
    return;
  }
  entry.answered = b.status;
  res.writeHead(b.status, { "content-type": "text/plain", ...(b.headers ?? {}) });
  res.end(b.body ?? "");
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://receiver").pathname;
    const sink = /^\/s\/([^/]+)(\/.*)?$/.exec(path);
    const handled = sink ? receive(req, res, sink[1]!, sink[2] ?? "/") : control(req, res, path);
    handled.catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { error: String(err) });
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const addr = server.address();
  project.provide("receiverPort", typeof addr === "object" && addr ? addr.port : 0);
  return async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    receiverPort: number;
  }
}
