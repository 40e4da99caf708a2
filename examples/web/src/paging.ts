// Paging the feed: pages fetched by cursor, merged into one list, with the disclaimers
// of every source the responses reached (`extensions.disclaimers`).
import type { FeedQuery } from "./gql/graphql";

export type Article = FeedQuery["articles"]["nodes"][number];

/** One entry of `extensions.disclaimers`: a source that has a disclaimer. */
export interface SourceDisclaimer {
  source: { id: string; name: string; domain: string | null };
  heading: string | null;
  text: string;
}

export interface Feed {
  articles: Article[];
  totalCount: number;
  endCursor: string | null;
  hasNextPage: boolean;
  disclaimers: SourceDisclaimer[];
}

export const emptyFeed: Feed = {
  articles: [],
  totalCount: 0,
  endCursor: null,
  hasNextPage: false,
  disclaimers: [],
};

export function disclaimersOf(extensions: Record<string, unknown> | undefined): SourceDisclaimer[] {
  const entries = extensions?.["disclaimers"];
  return Array.isArray(entries) ? (entries as SourceDisclaimer[]) : [];
}

/** Disclaimers of both lists, one per source, in source order as the server gives them. */
export function mergeDisclaimers(a: SourceDisclaimer[], b: SourceDisclaimer[]): SourceDisclaimer[] {
  const bySource = new Map(a.map((entry) => [entry.source.id, entry]));
  for (const entry of b) if (!bySource.has(entry.source.id)) bySource.set(entry.source.id, entry);
  return [...bySource.values()];
}

/** The feed with the next page appended: articles already shown are not repeated. */
export function mergePage(
  feed: Feed,
  page: FeedQuery["articles"],
  extensions: Record<string, unknown> | undefined,
): Feed {
  const seen = new Set(feed.articles.map((article) => article.id));
  return {
    articles: [...feed.articles, ...page.nodes.filter((article) => !seen.has(article.id))],
    totalCount: page.totalCount,
    endCursor: page.pageInfo.endCursor ?? null,
    hasNextPage: page.pageInfo.hasNextPage,
    disclaimers: mergeDisclaimers(feed.disclaimers, disclaimersOf(extensions)),
  };
}
