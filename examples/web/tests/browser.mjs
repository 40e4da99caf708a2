// Drives the built app in headless Chromium (playwright-core, the system's browser) and
// prints what it saw as one JSON object; tests/test_browser.py asserts on it.
//
// Input (JSON in argv[2]): chromium, userDataDir, appOrigin (allowed by the API's CORS),
// blockedOrigin (not allowed), api (automatic persisted queries), trustedApi (public,
// with the app's manifest), pageSize, screenshot (a PNG path), writeKey (to store
// articles through `api` while the app is open), liveDocuments (two documents to store).
import { chromium } from "playwright-core";

const input = JSON.parse(process.argv[2]);
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const TIMEOUT_MS = 20_000;
const LIVE = "[data-testid=live-status][data-state=connected]";

/** The WebSocket URL of an http(s) endpoint. */
function webSocketUrl(url) {
  return url.replace(/^http/, "ws");
}

/** Stores a document through the API's `ingestArticle` mutation, as a writer would. */
async function ingest(document) {
  const response = await fetch(input.api, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${input.writeKey}` },
    body: JSON.stringify({
      query: `mutation ($input: IngestArticleInput!) {
        ingestArticle(input: $input) { article { id } userErrors { message } } }`,
      variables: { input: { document } },
    }),
  });
  const body = await response.json();
  if (!body.data?.ingestArticle?.article) throw new Error(`ingest failed: ${JSON.stringify(body)}`);
}

/** Resolves once `predicate()` holds, polled; throws after TIMEOUT_MS. */
async function until(predicate, what) {
  for (const deadline = Date.now() + TIMEOUT_MS; !predicate(); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function liveState(page) {
  return page.evaluate(() => ({
    status: document.querySelector("[data-testid=live-status]")?.getAttribute("data-state") ?? null,
    error: document.querySelector("[data-testid=live-error]")?.textContent ?? null,
    articles: [...document.querySelectorAll("[data-testid=live-article]")].map((item) => ({
      title: item.querySelector("h3")?.textContent ?? "",
      meta: item.querySelector(".meta")?.textContent ?? "",
      disclaimer: item.querySelector("[data-testid=disclaimer] p")?.textContent ?? null,
    })),
  }));
}

async function waitForLiveArticle(page, title) {
  await page.waitForFunction(
    (title) =>
      [...document.querySelectorAll("[data-testid=live-article] h3")].some(
        (heading) => heading.textContent === title,
      ),
    title,
    { timeout: TIMEOUT_MS },
  );
}

/** A graphql-transport-ws socket opened by the page's own code: whether the server took
 * it (`acked`), and the first answer to `subscribe` if one is given. */
async function socketFromPage(page, url, subscribe) {
  return page.evaluate(
    ({ url, subscribe }) =>
      new Promise((resolve) => {
        const seen = { opened: false, acked: false, message: null, closeCode: null };
        const socket = new WebSocket(url, "graphql-transport-ws");
        const done = () => {
          socket.close();
          resolve(seen);
        };
        setTimeout(done, 5000);
        socket.onopen = () => {
          seen.opened = true;
          socket.send(JSON.stringify({ type: "connection_init", payload: {} }));
        };
        socket.onclose = (event) => {
          seen.closeCode = event.code;
          resolve(seen);
        };
        socket.onmessage = ({ data }) => {
          const message = JSON.parse(data);
          if (message.type === "connection_ack") {
            seen.acked = true;
            if (!subscribe) return done();
            socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: subscribe }));
          } else if (message.id === "1") {
            seen.message = message;
            done();
          }
        };
      }),
    { url, subscribe },
  );
}

/** The API requests a page sends, with what the server answered. */
function recordApi(page, api) {
  const seen = [];
  page.on("requestfinished", async (request) => {
    if (!request.url().startsWith(api)) return;
    const url = new URL(request.url());
    const body = request.postData() ? JSON.parse(request.postData()) : {};
    const response = await request.response();
    let answer = null;
    try {
      answer = await response.json();
    } catch {
      answer = null;
    }
    seen.push({
      method: request.method(),
      hashOnly: !url.searchParams.has("query") && !("query" in body),
      hash:
        JSON.parse(url.searchParams.get("extensions") ?? "null")?.persistedQuery?.sha256Hash ??
        body.extensions?.persistedQuery?.sha256Hash ??
        null,
      traceparent: request.headers()["traceparent"] ?? null,
      clientName: request.headers()["apollographql-client-name"] ?? null,
      status: response.status(),
      code: answer?.errors?.[0]?.extensions?.code ?? null,
      message: answer?.errors?.[0]?.message ?? null,
      cacheControl: response.headers()["cache-control"] ?? null,
    });
  });
  return seen;
}

async function feedState(page) {
  return page.evaluate(() => ({
    articles: [...document.querySelectorAll("[data-testid=article]")].map((item) => ({
      title: item.querySelector("h2")?.textContent ?? "",
      disclaimer: item.querySelector("[data-testid=disclaimer] p")?.textContent ?? null,
      actors: [...item.querySelectorAll(".actors a")].map((a) => a.textContent),
    })),
    count: document.querySelector("[data-testid=count]")?.textContent ?? null,
    sources: [...document.querySelectorAll("[data-testid=sources] [data-testid=disclaimer]")].map(
      (entry) => entry.querySelector(".from")?.textContent?.trim() ?? "",
    ),
    hasMore: !!document.querySelector("button"),
  }));
}

async function openFeed(page, origin, api) {
  await page.goto(`${origin}/?api=${encodeURIComponent(api)}&pageSize=${input.pageSize}`);
  await page.waitForSelector("[data-testid=article], [data-testid=error]", { timeout: TIMEOUT_MS });
}

/** A request sent from the page's own code, as any script of the app could. */
async function fetchFromPage(page, url, init) {
  return page.evaluate(
    async ({ url, init }) => {
      try {
        const response = await fetch(url, init);
        return {
          status: response.status,
          body: await response.json(),
          requestId: response.headers.get("x-request-id"),
        };
      } catch (error) {
        return { blocked: true, error: String(error) };
      }
    },
    { url, init },
  );
}

const context = await chromium.launchPersistentContext(input.userDataDir, {
  executablePath: input.chromium,
  headless: true,
  args: ARGS,
  viewport: { width: 1100, height: 900 },
});
const report = { consoleErrors: [] };
try {
  const page = await context.newPage();
  page.on("pageerror", (error) => report.consoleErrors.push(String(error)));

  // 1. The feed over automatic persisted queries: the hash first, then registration.
  const apq = recordApi(page, input.api);
  await openFeed(page, input.appOrigin, input.api);
  report.firstPage = await feedState(page);
  // its live list's socket, from the app's origin, is taken
  await page.waitForSelector(LIVE, { timeout: TIMEOUT_MS });
  report.liveOnFeed = await liveState(page);
  await page.click("button");
  await page.waitForFunction(
    (n) => document.querySelectorAll("[data-testid=article]").length > n,
    report.firstPage.articles.length,
    { timeout: TIMEOUT_MS },
  );
  report.merged = await feedState(page);

  // 2. An actor's page, from a link in the feed.
  await page.click(".actors a");
  await page.waitForSelector("[data-testid=actor-name]", { timeout: TIMEOUT_MS });
  report.actor = await page.evaluate(() => ({
    name: document.querySelector("[data-testid=actor-name]")?.textContent,
    claims: document.querySelectorAll("[data-testid=claim]").length,
    sources: document.querySelectorAll("[data-testid=sources] [data-testid=disclaimer]").length,
  }));

  // 3. Reloaded: every document is registered, hashes alone are answered.
  const registeredAt = apq.length;
  await openFeed(page, input.appOrigin, input.api);
  report.reloaded = await feedState(page);
  await page.waitForTimeout(200); // let the last requestfinished handler record
  report.apqRequests = apq.slice(0, registeredAt);
  report.afterRegistration = apq.slice(registeredAt);
  report.exposed = await fetchFromPage(page, input.api, {
    method: "POST",
    headers: { "content-type": "application/json", traceparent: "00-" + "a".repeat(32) + "-" + "b".repeat(16) + "-01" },
    body: JSON.stringify({ query: "{ sources { totalCount } }" }),
  });

  // 4. A public server with the app's manifest: its documents by hash, nothing else.
  const trusted = recordApi(page, input.trustedApi);
  await openFeed(page, input.appOrigin, input.trustedApi);
  report.trustedFeed = await feedState(page);
  await page.waitForTimeout(200);
  report.trustedRequests = [...trusted];
  report.unlisted = await fetchFromPage(page, input.trustedApi, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ sources { totalCount } }" }),
  });
  report.unlistedSubscription = await socketFromPage(page, webSocketUrl(input.trustedApi), {
    query: "subscription { claimAdded { cursor } }",
  });

  // 5. The same app served from an origin the API does not allow.
  await openFeed(page, input.blockedOrigin, input.api);
  report.blockedApp = await page.evaluate(
    () => document.querySelector("[data-testid=error]")?.textContent ?? null,
  );
  report.blockedFetch = await fetchFromPage(page, input.api, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ sources { totalCount } }" }),
  });
  report.blockedSocket = await socketFromPage(page, webSocketUrl(input.trustedApi), null);

  // 6. The live list on the public server, its socket routed through here to watch the
  // frames and to drop it: an article stored while the app is open appears; one stored
  // while the socket is down appears once it reconnects (resumed after the last cursor).
  const live = await context.newPage();
  live.on("pageerror", (error) => report.consoleErrors.push(String(error)));
  const [first, missed] = input.liveDocuments;
  const frames = { sent: [], received: [], connections: 0 };
  let current = null; // the routed connection: the page's side and the server's
  let beforeConnecting = null;
  await live.routeWebSocket(webSocketUrl(input.trustedApi), async (socket) => {
    frames.connections += 1;
    if (beforeConnecting) await beforeConnecting(); // the socket stays "connecting" until then
    const server = socket.connectToServer();
    socket.onMessage((message) => {
      frames.sent.push(JSON.parse(message));
      server.send(message);
    });
    server.onMessage((message) => {
      frames.received.push(JSON.parse(message));
      socket.send(message);
    });
    current = { socket, server };
  });
  await openFeed(live, input.appOrigin, input.trustedApi);
  await live.waitForSelector(LIVE, { timeout: TIMEOUT_MS });
  // a write from now on must reach it: the subscription is sent, and the server has read
  // it (it answers a ping sent after it), before the article is stored
  await until(() => frames.sent.some((frame) => frame.type === "subscribe"), "a subscription");
  const answered = frames.received.length;
  current.server.send(JSON.stringify({ type: "ping" }));
  await until(() => frames.received.slice(answered).some((m) => m.type === "pong"), "a pong");
  await ingest(first);
  await waitForLiveArticle(live, first.title);
  report.live = await liveState(live);
  await live.screenshot({ path: input.screenshot, fullPage: true });

  beforeConnecting = async () => {
    beforeConnecting = null;
    await ingest(missed);
  };
  const dropped = current;
  await dropped.socket.close({ code: 1012, reason: "service restart" }); // graphql-ws retries
  await dropped.server.close();
  await waitForLiveArticle(live, missed.title);
  await live.waitForSelector(LIVE, { timeout: TIMEOUT_MS });
  report.resumed = await liveState(live);
  report.liveFrames = frames;
} finally {
  await context.close();
}
process.stdout.write(JSON.stringify(report));
