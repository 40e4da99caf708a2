// The live list: articles as they are stored, each beside its source's disclaimer (from
// the message's `extensions.disclaimers`). When the socket comes back after a drop, it
// subscribes again after the last cursor it saw, so what was stored meanwhile comes first.
import { useEffect, useEffectEvent, useState, useSyncExternalStore } from "react";
import { useClient } from "urql";
import { Disclaimer } from "./Disclaimer";
import { ArticleAddedDocument } from "./documents";
import type { ArticleAddedSubscription } from "./gql/graphql";
import type { LiveSocket } from "./socket";
import { type SourceDisclaimer, disclaimersOf } from "./paging";
import { persisted } from "./persisted";

const ARTICLE_ADDED = persisted(ArticleAddedDocument);
const SHOWN = 10;

type Edge = ArticleAddedSubscription["articleAdded"];

interface LiveArticle {
  article: Edge["node"];
  disclaimer: SourceDisclaimer | null;
}

interface LiveList {
  /** Newest first, at most SHOWN. */
  articles: LiveArticle[];
  /** The last message's cursor: where to resume after a reconnection. */
  cursor: string | null;
}

/** The list with a message's article on top (once: a resumed subscription may repeat). */
function added(list: LiveList, edge: Edge, extensions: Record<string, unknown> | undefined): LiveList {
  const article = edge.node;
  const disclaimer =
    disclaimersOf(extensions).find((entry) => entry.source.id === article.source.id) ?? null;
  const others = list.articles.filter((shown) => shown.article.id !== article.id);
  return { articles: [{ article, disclaimer }, ...others].slice(0, SHOWN), cursor: edge.cursor };
}

export function Live(props: { socket: LiveSocket }) {
  const client = useClient();
  const socket = useSyncExternalStore(props.socket.onChange, props.socket.current);
  const [list, setList] = useState<LiveList>({ articles: [], cursor: null });
  const [error, setError] = useState<string | null>(null);
  // the cursor as it is when (re)subscribing, without resubscribing on every message
  const resumeAfter = useEffectEvent(() => list.cursor);

  useEffect(() => {
    if (!socket.connected) return; // the subscription ended with the socket that carried it
    const variables = { after: resumeAfter() };
    const subscription = client.subscription(ARTICLE_ADDED, variables).subscribe((result) => {
      const edge = result.data?.articleAdded;
      if (result.error || !edge) {
        setError(result.error?.message ?? "no data");
        return;
      }
      setError(null);
      setList((current) => added(current, edge, result.extensions));
    });
    return () => subscription.unsubscribe();
  }, [client, socket]);

  const status = socket.connected ? "connected" : socket.connections ? "reconnecting" : "connecting";
  return (
    <section className="live" data-testid="live">
      <h2>
        Live <span className={`status ${status}`} data-testid="live-status" data-state={status}>
          {status === "connected" ? "● connected" : `○ ${status}…`}
        </span>
      </h2>
      {error ? <p className="error" data-testid="live-error">{error}</p> : null}
      {list.articles.length === 0 ? (
        <p className="meta">New articles appear here as they are stored.</p>
      ) : (
        <ol className="feed">
          {list.articles.map(({ article, disclaimer }) => (
            <li key={article.id} className="article" data-testid="live-article">
              <div className="body">
                <h3>{article.title}</h3>
                <p className="meta">
                  {article.source.name}
                  {article.publishedAt ? ` · ${article.publishedAt.slice(0, 10)}` : ""}
                </p>
              </div>
              <Disclaimer disclaimer={disclaimer} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
