/**
 * The bench's control: a Worker that only answers, and writes one request log line as
 * Promptly's routes do (the same fields), because under `wrangler dev` every log line crosses the
 * dev tooling and that cost grows with the requests served. Served by the same `wrangler dev`,
 * its latency is the floor the local stack sets for any Worker that logs its requests.
 */
export default {
  fetch(request: Request): Response {
    const started = Date.now();
    const response = new Response('{"ok":true}', { headers: { "content-type": "application/json" } });
    console.log(
      JSON.stringify({ msg: "request", requestId: crypto.randomUUID(), method: request.method, route: "/healthz", status: response.status, storeId: null, durationMs: Date.now() - started }),
    );
    return response;
  },
} satisfies ExportedHandler;
