/**
 * vitest globalSetup for the cost measurement (runs in Node, not workerd): a loopback HTTP
 * server that is both the reminders' webhook receiver (answers 200, counts deliveries) and the
 * place the measurement inside workerd hands its result to, since workerd cannot write files.
 * The result lands in bench/out/cost.json, where bench/cost.ts reads it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { Socket } from "node:net";
import { dirname, join } from "node:path";
import type { TestProject } from "vitest/node";

export const COST_RESULT_FILE = join(import.meta.dirname, "../out/cost.json");

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let delivered = 0;
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://collector").pathname;
      if (req.method === "POST" && path === "/__result") {
        mkdirSync(dirname(COST_RESULT_FILE), { recursive: true });
        writeFileSync(COST_RESULT_FILE, Buffer.concat(chunks));
        res.writeHead(204).end();
        return;
      }
      if (req.method === "GET" && path === "/__delivered") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ delivered }));
        return;
      }
      delivered += 1;
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const addr = server.address();
  project.provide("costCollectorPort", typeof addr === "object" && addr ? addr.port : 0);
  return async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    costCollectorPort: number;
  }
}
