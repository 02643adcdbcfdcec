/**
 * The workerd side of the local receiver (see receiver-server.ts): one sink per test, scripted
 * over loopback HTTP, read back to assert what a channel's owner would have received.
 */
import { inject } from "vitest";
import type { Behaviour, Received } from "./receiver-server";

export type { Behaviour, Received };

export class Sink {
  private constructor(
    readonly id: string,
    private readonly origin: string,
  ) {}

  static async create(opts: { oauthTokens?: boolean } = {}): Promise<Sink> {
    const origin = `http://127.0.0.1:${inject("receiverPort")}`;
    const res = await fetch(`${origin}/__sinks`, { method: "POST", body: JSON.stringify(opts) });
    if (res.status !== 201) throw new Error(`receiver did not create a sink: ${res.status}`);
    const { id } = (await res.json()) as { id: string };
    return new Sink(id, origin);
  }

  /** Base URL to put in a channel's config. */
  get url(): string {
    return `${this.origin}/s/${this.id}`;
  }

  /** Answers in this order (first matching `match`, a path substring), then the fallback. */
  async respondWith(...behaviours: Behaviour[]): Promise<void> {
    await fetch(`${this.origin}/__sinks/${this.id}/script`, { method: "POST", body: JSON.stringify(behaviours) });
  }

  async setFallback(b: Behaviour): Promise<void> {
    await fetch(`${this.origin}/__sinks/${this.id}/fallback`, { method: "PUT", body: JSON.stringify(b) });
  }

  async requests(): Promise<Received[]> {
    return (await (await fetch(`${this.origin}/__sinks/${this.id}/requests`)).json()) as Received[];
  }
}
