#!/usr/bin/env bash
# `scripts/release.sh VERSION [--push]` cuts release VERSION (1.2.3) from the current branch:
#   1. checks: VERSION is X.Y.Z, the tree is clean, the tag vVERSION is new, CHANGELOG.md's Unreleased
#      section has something to say;
#   2. bumps package.json (and the lockfile), turns Unreleased into "[VERSION] - today" in CHANGELOG.md;
#   3. rebuilds dist/, commits "Release VERSION", tags it vVERSION (annotated, the notes as message) and moves
#      the major tag vX to the same commit;
#   4. prints the release notes. Nothing leaves this clone unless --push is given: then the branch, vVERSION
#      and vX are pushed to origin, and the release workflow publishes the GitHub release.
set -euo pipefail
cd "$(dirname "$0")/.."

die() {
  echo "release: $*" >&2
  exit 1
}

version=${1:-}
push=false
case "${2:-}" in
  --push) push=true ;;
  '') ;;
  *) die "unknown option ${2}; usage: scripts/release.sh VERSION [--push]" ;;
esac
[[ $version =~ ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$ ]] ||
  die "VERSION \"$version\" is not X.Y.Z (for example 1.0.0); usage: scripts/release.sh VERSION [--push]"
major="v${BASH_REMATCH[1]}"
tag="v$version"

[ -z "$(git status --porcelain)" ] || die "the working tree has changes; commit or stash them first"
if git rev-parse -q --verify "refs/tags/$tag" >/dev/null; then die "tag $tag exists already"; fi
node scripts/changelog-section.mjs Unreleased >/dev/null ||
  die "CHANGELOG.md's Unreleased section says nothing: write what this release changes first"

npm version "$version" --no-git-tag-version --allow-same-version >/dev/null
today=$(date -u +%Y-%m-%d)
node -e '
  const fs = require("fs")
  const [version, today] = process.argv.slice(1)
  const text = fs.readFileSync("CHANGELOG.md", "utf8")
  fs.writeFileSync("CHANGELOG.md", text.replace(/^## \[Unreleased\].*$/m, `## [Unreleased]\n\n## [${version}] - ${today}`))
' "$version" "$today"

npm run --silent build >/dev/null
notes=$(node scripts/changelog-section.mjs "$version")

git add -A -- package.json package-lock.json CHANGELOG.md dist
git commit -q -m "Release $version"
git tag -a "$tag" -m "package-retention $version" -m "$notes"
# The major tag names the release commit itself (not the tag object), as `uses: owner/repo@vX` expects.
git tag -f "$major" "$tag^{commit}" >/dev/null

echo "Released $version: commit $(git rev-parse --short HEAD), tags $tag and $major."
echo
echo "$notes"
if $push; then
  git push --atomic origin HEAD "refs/tags/$tag"
  git push --force origin "refs/tags/$major"
else
  echo
  echo "Nothing pushed. To publish: git push origin HEAD $tag && git push --force origin $major"
fi
