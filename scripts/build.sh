#!/usr/bin/env bash
# `npm run build`: one bundle for the action and the command line, as dist/ is committed.
# - ncc bundles src/index.ts and its lazily loaded chunks, without source maps (see README, "The bundle").
# - terser minifies each file, breaking lines at about 500 characters, so that a change of the sources
#   changes a few lines of dist/, not one line of megabytes. Names are mangled also where a direct eval can
#   see them: bottleneck's `eval("require")` (only on its Redis path, which the action never takes) would
#   otherwise keep every top-level name of the bundle whole.
# - dist/cli/index.js, the package's `bin`, is a short entry that starts the same bundle as a command line.
# - dist/licenses.txt, the third-party notices, names every package whose files the bundle holds, from the
#   modules ncc's webpack stats list (kept in node_modules/.cache/, where the bundle's tests read them too).
set -euo pipefail
cd "$(dirname "$0")/.."
stats="$PWD/node_modules/.cache/package-retention/bundle-stats.json"
mkdir -p "$(dirname "$stats")"
rm -rf dist
ncc build src/index.ts --out dist --stats-out "$stats" --quiet
node scripts/notices.mjs "$stats" >dist/licenses.txt
for file in dist/*.js; do
  terser "$file" --module --compress --mangle eval=true --format max_line_len=500 --output "$file"
done
mkdir -p dist/cli
cat >dist/cli/index.js <<'ENTRY'
#!/usr/bin/env node
// The command line: the action's bundle, told to read flags instead of the workflow's inputs.
globalThis.packageRetentionCommandLine = true
await import('../index.js')
ENTRY
chmod +x dist/cli/index.js
