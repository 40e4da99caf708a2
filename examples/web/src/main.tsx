// The app: `#/` is the live list above the feed, `#/actor/<id>` an actor. `?api=` names
// the newsgraph endpoint (default: /graphql on this origin; its WebSocket is the same URL
// as ws://), `?pageSize=` the feed's page size.
import { useEffect, useMemo, useState } from "react";
import { createRoot } from "react-dom/client";
import { Provider } from "urql";
import { ActorPage } from "./ActorPage";
import { makeClient } from "./client";
import { Feed } from "./Feed";
import { Live } from "./Live";
import { LiveSocket } from "./socket";

function route(): string[] {
  return window.location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
}

function App() {
  const params = new URLSearchParams(window.location.search);
  const api = params.get("api") ?? "/graphql";
  const live = useMemo(() => new LiveSocket(api), []);
  const client = useMemo(() => makeClient(api, live), []);
  const [path, setPath] = useState(route);
  useEffect(() => {
    const changed = () => setPath(route());
    window.addEventListener("hashchange", changed);
    return () => window.removeEventListener("hashchange", changed);
  }, []);
  const [page, id] = path;
  return (
    <Provider value={client}>
      <main>
        {page === "actor" && id ? (
          <ActorPage id={id} />
        ) : (
          <>
            <Live socket={live} />
            <Feed pageSize={Number(params.get("pageSize") ?? 10)} />
          </>
        )}
      </main>
    </Provider>
  );
}

const root = document.getElementById("root");
if (root) createRoot(root).render(<App />);
