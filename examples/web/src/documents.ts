// The app's documents. `npm run codegen` types them and lists them, by SHA-256, in the
// persisted-documents manifest a server can be given (NEWSGRAPH_TRUSTED_DOCUMENTS).
import { graphql } from "./gql";

export const FeedDocument = graphql(`
  query Feed($first: Int!, $after: String) {
    articles(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        title
        publishedAt
        source {
          id
          name
        }
        disclaimer {
          heading
          text
        }
        actors(first: 4) {
          nodes {
            id
            name
          }
        }
      }
    }
  }
`);

export const ActorDocument = graphql(`
  query Actor($id: ID!) {
    actor(id: $id) {
      id
      name
      kind
      title
      country
      aliases
      claims(first: 10) {
        totalCount
        nodes {
          id
          kind
          text
          disclaimer {
            heading
            text
          }
          article {
            id
            title
          }
        }
      }
      events(first: 10) {
        nodes {
          role
          event {
            id
            title
            date
            status
          }
        }
      }
    }
  }
`);

// Sent in full over the WebSocket (src/socket.ts); listed in the manifest like the others.
export const ArticleAddedDocument = graphql(`
  subscription ArticleAdded($after: String) {
    articleAdded(after: $after) {
      cursor
      node {
        id
        title
        publishedAt
        source {
          id
          name
        }
      }
    }
  }
`);
