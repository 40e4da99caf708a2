// Documents as the manifest holds them.
//
// codegen replaced each document in the generated code by its hash
// (`replaceDocumentWithHash`); the text comes from the manifest it wrote beside it.
// urql's persistedExchange hashes exactly the text it would send, so with the manifest's
// text its hash is the manifest's id: a server given the manifest knows every document
// by hash at once, and one that is not (automatic persisted queries) registers each
// the first time, after one `PersistedQueryNotFound`.
import { parse } from "@0no-co/graphql.web";
import type { AnyVariables, TypedDocumentNode } from "@urql/core";
import manifest from "./gql/persisted-documents.json";

const documents: Record<string, string> = manifest;

export function persisted<Result, Variables extends AnyVariables>(
  document: TypedDocumentNode<Result, Variables>,
): TypedDocumentNode<Result, Variables> {
  const hash = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
  const text = hash === undefined ? undefined : documents[hash];
  if (text === undefined) {
    throw new Error(`document ${hash ?? "(no hash)"} is not in the manifest: run npm run codegen`);
  }
  // Parsed with its location, the document keeps its text (`loc.source.body`), which
  // urql sends as it is; a document without one it would print anew, differently.
  return parse(text) as TypedDocumentNode<Result, Variables>;
}
