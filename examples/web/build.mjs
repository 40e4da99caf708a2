// Bundles the app into dist/ with esbuild: app.js, index.html, and the persisted-documents
// manifest the server loads with NEWSGRAPH_TRUSTED_DOCUMENTS.
import { build } from "esbuild";
import { copyFile, mkdir } from "node:fs/promises";

await mkdir("dist", { recursive: true });
await build({
  entryPoints: ["src/main.tsx"],
  bundle: true,
  minify: true,
  sourcemap: true,
  format: "esm",
  target: "es2022",
  outfile: "dist/app.js",
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
});
await copyFile("index.html", "dist/index.html");
await copyFile("src/gql/persisted-documents.json", "dist/persisted-documents.json");
