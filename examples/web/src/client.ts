// The urql client: automatic persisted queries over GET (cacheable), tracing headers;
// subscriptions over the WebSocket (src/socket.ts).
import { Client, fetchExchange, subscriptionExchange } from "@urql/core";
import { persistedExchange } from "@urql/exchange-persisted";
import type { LiveSocket } from "./socket";

const CLIENT_NAME = "newsgraph-example-web";
const CLIENT_VERSION = "1.0.0";

function hex(bytes: number): string {
  const values = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(values, (value) => value.toString(16).padStart(2, "0")).join("");
}

/** A W3C trace context for one request, as an OpenTelemetry browser SDK would send. */
export function traceparent(): string {
  return `00-${hex(16)}-${hex(8)}-01`;
}

export function makeClient(url: string, live: LiveSocket): Client {
  return new Client({
    url,
    // No document cache: urql's would add `__typename` to each document, so the text
    // sent would no longer be the manifest's. The pages keep what they fetched.
    exchanges: [
      // queries only (its default): subscriptions pass on, with their full text
      persistedExchange({ preferGetForPersistedQueries: "within-url-limit" }),
      subscriptionExchange({ forwardSubscription: live.forward }),
      fetchExchange,
    ],
    preferGetMethod: false,
    fetchOptions: () => ({
      headers: {
        traceparent: traceparent(),
        "apollographql-client-name": CLIENT_NAME,
        "apollographql-client-version": CLIENT_VERSION,
      },
    }),
  });
}
