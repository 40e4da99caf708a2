// The load generator of `make bench`: autocannon against one GraphQL endpoint, one query.
//
//   node bench/load.mjs --url http://127.0.0.1:5690/graphql --query bench/queries/q2_actor.graphql \
//        --ids ids.json --start 0 --connections 16 --duration 15
//
// Sends `{"query": <file>, "variables": {...}}` as JSON POSTs over keep-alive connections (no
// pipelining). With --ids (a JSON array of global IDs, already in the benchmark's order), the
// k-th request body carries `{"id": ids[(start + k) % ids.length]}`: each request asks for
// another actor or article, built per request by autocannon's `setupRequest`. Without --ids
// every request has `{}` as variables.
//
// Prints one JSON object on stdout: requests (responses received), elapsed_s, rps, p50_ms,
// p99_ms, max_ms (every response's client-side latency), errors (socket errors, timeouts,
// non-2xx, 2xx bodies without `"data": {` or with `"errors":`), bytes_per_response, next (the
// position in the id list after the last body built, for the next phase to continue from).
// Progress goes nowhere: bench/http_bench.py prints the table.
import autocannon from "autocannon";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

const { values: a } = parseArgs({
  options: {
    url: { type: "string" },
    query: { type: "string" },
    ids: { type: "string" },
    start: { type: "string", default: "0" },
    connections: { type: "string", default: "16" },
    duration: { type: "string", default: "15" },
    timeout: { type: "string", default: "30" },
  },
});
if (!a.url || !a.query) {
  process.stderr.write("usage: node load.mjs --url URL --query FILE.graphql [--ids IDS.json] [--start K] [--connections C] [--duration S] [--timeout S]\n");
  process.exit(2);
}
const query = readFileSync(a.query, "utf8");
const ids = a.ids ? JSON.parse(readFileSync(a.ids, "utf8")) : null;
if (ids !== null && (!Array.isArray(ids) || ids.length === 0)) {
  process.stderr.write(`load.mjs: ${a.ids} must hold a non-empty JSON array of ids\n`);
  process.exit(2);
}
let k = Number(a.start);
const fixed = JSON.stringify({ query, variables: {} });
const nextBody = ids === null ? () => fixed : () => JSON.stringify({ query, variables: { id: ids[k++ % ids.length] } });

// GraphQL errors arrive with HTTP 200: a body without data, or with errors, is an error.
const okBody = (b) => /"data"\s*:\s*\{/.test(b) && !/"errors"\s*:/.test(b);

const latencies = [];
let non2xx = 0;
let badBody = 0; // 2xx responses whose body is not a successful GraphQL result
let lastNon2xx = false;
let bytes = 0;
// autocannon emits "response" and then calls verifyBody for the same response, synchronously:
// a non-2xx response is counted once, as non-2xx, not again as a bad body.
const verifyBody = (b) => {
  const ok = okBody(b);
  if (!ok && !lastNon2xx) badBody++;
  return ok;
};
const started = performance.now();
const inst = autocannon({
  url: a.url,
  method: "POST",
  connections: Number(a.connections),
  pipelining: 1,
  duration: Number(a.duration),
  timeout: Number(a.timeout),
  headers: { "content-type": "application/json", accept: "application/json" },
  requests: [{ setupRequest: (req) => ({ ...req, body: nextBody() }) }],
  verifyBody,
});
inst.on("response", (_client, status, resBytes, ms) => {
  latencies.push(ms);
  bytes += resBytes;
  lastNon2xx = status < 200 || status > 299;
  if (lastNon2xx) non2xx++;
});
const res = await inst;
const elapsed = (performance.now() - started) / 1000;
latencies.sort((x, y) => x - y);
const pct = (p) => {
  if (!latencies.length) return null;
  const i = Math.min(latencies.length - 1, Math.max(0, Math.ceil((p / 100) * latencies.length) - 1));
  return r2(latencies[i]);
};
function r2(x) {
  return x == null || Number.isNaN(x) ? null : Math.round(x * 100) / 100;
}
const n = latencies.length;
process.stdout.write(
  JSON.stringify({
    requests: n,
    elapsed_s: r2(elapsed),
    rps: r2(n / elapsed),
    p50_ms: pct(50),
    p99_ms: pct(99),
    max_ms: n ? r2(latencies[n - 1]) : null,
    errors: res.errors + res.timeouts + non2xx + badBody,
    error_detail: { socket_errors: res.errors, timeouts: res.timeouts, non2xx, graphql_errors_or_bad_body: badBody },
    bytes_per_response: n ? Math.round(bytes / n) : null,
    next: ids === null ? 0 : k % ids.length,
  }) + "\n",
);
