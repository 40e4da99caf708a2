// The WebSocket half of the client: graphql-ws (the graphql-transport-ws protocol newsgraph
// serves at /graphql), reconnecting on its own, and its state for the components that
// resume their subscriptions after a reconnection (src/Live.tsx).
import type { SubscriptionForwarder } from "@urql/core";
import { type Client as WsClient, createClient } from "graphql-ws";

export interface LiveState {
  /** Whether the socket is up (acknowledged by the server). */
  connected: boolean;
  /** How many times it connected: a new value is a new connection to resubscribe on. */
  connections: number;
}

/** Waits before reconnection attempt `retries` (0 first): 0.5 s doubling up to 15 s, with
 * jitter so that clients dropped together do not come back together. */
async function backoff(retries: number): Promise<void> {
  const delay = Math.min(500 * 2 ** retries, 15_000) + Math.random() * 500;
  await new Promise((resolve) => setTimeout(resolve, delay));
}

/** The endpoint's WebSocket URL: `url` (absolute, or relative to this page) as ws(s)://. */
export function webSocketUrl(url: string): string {
  const resolved = new URL(url, window.location.href);
  resolved.protocol = resolved.protocol === "https:" ? "wss:" : "ws:";
  return resolved.href;
}

export class LiveSocket {
  readonly client: WsClient;
  private state: LiveState = { connected: false, connections: 0 };
  private readonly listeners = new Set<() => void>();

  constructor(url: string) {
    this.client = createClient({
      url: webSocketUrl(url),
      // Connected (and reconnecting) even while no subscription runs: subscriptions end
      // with the socket that carried them, and components start new ones, with the
      // cursor to resume after, once it is back (graphql-ws alone would resend the
      // first subscribe message, with its first variables).
      lazy: false,
      retryAttempts: Number.POSITIVE_INFINITY,
      retryWait: backoff,
      // also when the socket errs instead of closing (a server restarting refuses it)
      shouldRetry: () => true,
      // An API key would go here: connectionParams: { authorization: `Bearer ${key}` }.
      on: {
        connected: () => this.set({ connected: true, connections: this.state.connections + 1 }),
        closed: () => this.set({ ...this.state, connected: false }),
      },
    });
  }

  /** For `useSyncExternalStore`: the state now (the same object until it changes). */
  readonly current = (): LiveState => this.state;

  /** For `useSyncExternalStore`: calls `listener` on every change; the unsubscriber. */
  readonly onChange = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** urql's `subscriptionExchange` hands subscriptions to the socket through this. The
   * document goes in full: over a WebSocket the server takes no persisted-query hash, and
   * a public server with a trusted-documents manifest checks the text against it. */
  readonly forward: SubscriptionForwarder = (request) => {
    const payload = { ...request, query: request.query ?? "" };
    return {
      subscribe: (sink) => ({ unsubscribe: this.client.subscribe(payload, sink) }),
    };
  };

  private set(state: LiveState): void {
    if (state.connected === this.state.connected && state.connections === this.state.connections) {
      return;
    }
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}
