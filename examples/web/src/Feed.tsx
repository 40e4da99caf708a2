// The feed: the newest articles, a page at a time, each beside its disclaimer.
import { useCallback, useEffect, useState } from "react";
import { useClient } from "urql";
import { Disclaimer } from "./Disclaimer";
import { FeedDocument } from "./documents";
import { type Feed as FeedState, emptyFeed, mergePage } from "./paging";
import { persisted } from "./persisted";

const FEED = persisted(FeedDocument);

export function Feed(props: { pageSize: number }) {
  const client = useClient();
  const [feed, setFeed] = useState<FeedState>(emptyFeed);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    async (after: string | null) => {
      setLoading(true);
      const result = await client.query(FEED, { first: props.pageSize, after }).toPromise();
      setLoading(false);
      if (result.error || !result.data) {
        setError(result.error?.message ?? "no data");
        return;
      }
      const page = result.data.articles;
      setFeed((current) => mergePage(current, page, result.extensions));
    },
    [client, props.pageSize],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  if (error) return <p className="error" data-testid="error">The API could not be reached: {error}</p>;
  return (
    <section>
      <h1>Latest articles</h1>
      <p className="count" data-testid="count">
        {feed.articles.length} of {feed.totalCount}
      </p>
      <ol className="feed">
        {feed.articles.map((article) => (
          <li key={article.id} className="article" data-testid="article">
            <div className="body">
              <h2>{article.title}</h2>
              <p className="meta">
                {article.source.name}
                {article.publishedAt ? ` · ${article.publishedAt.slice(0, 10)}` : ""}
              </p>
              <p className="actors">
                {article.actors.nodes.map((actor) => (
                  <a key={actor.id} href={`#/actor/${encodeURIComponent(actor.id)}`}>
                    {actor.name}
                  </a>
                ))}
              </p>
            </div>
            <Disclaimer disclaimer={article.disclaimer} />
          </li>
        ))}
      </ol>
      {feed.hasNextPage ? (
        <button type="button" disabled={loading} onClick={() => void load(feed.endCursor)}>
          {loading ? "Loading…" : "Load more"}
        </button>
      ) : null}
      <footer data-testid="sources">
        <h3>Publishers in this feed</h3>
        {feed.disclaimers.map((entry) => (
          <Disclaimer key={entry.source.id} disclaimer={entry} source={entry.source.name} />
        ))}
      </footer>
    </section>
  );
}
