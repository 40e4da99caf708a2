// Types and the persisted-documents manifest, generated from the server's schema.graphql
// (`npm run codegen`, part of `npm run build`). Documents are replaced by their hash in
// the generated code; src/persisted.ts gives urql the manifest's text for each, so the
// text a client may send is exactly what the manifest (and so the server) holds.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../../schema.graphql",
  documents: ["src/**/*.ts", "src/**/*.tsx", "!src/gql/**/*"],
  generates: {
    "./src/gql/": {
      preset: "client",
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { DateTime: "string", Date: "string", JSON: "unknown" },
      },
      presetConfig: {
        fragmentMasking: false,
        persistedDocuments: { hashAlgorithm: "sha256", mode: "replaceDocumentWithHash" },
      },
    },
  },
};

export default config;
