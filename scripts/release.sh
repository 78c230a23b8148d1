#!/usr/bin/env bash
# Builds asyncquiz's release archives: static binaries (CGO_ENABLED=0; SQLite
# is pure Go and time zones are embedded) for linux and darwin on amd64 and
# arm64 and for windows on amd64, each with LICENSE and README.md, and a
# SHA-256 checksums file that `sha256sum -c` verifies.
#
#   scripts/release.sh VERSION OUTDIR     e.g. scripts/release.sh v1.2.0 dist
#
# VERSION is a semantic version with a leading v, as Go module tags are, so
# `asyncquiz version` prints the same for a release binary and for
# `go install github.com/asyncquiz/asyncquiz/cmd/asyncquiz@v1.2.0`.
# OUTDIR must be missing or empty, so no stale file lands in the checksums.
# Only the Go toolchain (and the Go module proxy, for a cold module cache),
# tar, gzip, zip and sha256sum (or shasum) are used.
set -euo pipefail

die() { echo "release: $*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: scripts/release.sh VERSION OUTDIR (for example v1.2.0 dist)"
version=$1
out=$2
semver='^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$'
[[ $version =~ $semver ]] || die "version $version is not a semantic version such as v1.2.0 or v1.2.0-rc.1"

command -v go >/dev/null || die "go is not on PATH"
command -v zip >/dev/null || die "zip is needed for the windows archive (apt-get install zip)"
if command -v sha256sum >/dev/null; then
	sha256() { sha256sum "$@"; }
elif command -v shasum >/dev/null; then
	sha256() { shasum -a 256 "$@"; }
else
	die "sha256sum or shasum is needed for the checksums"
fi

root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
[ -z "$(ls -A "$out")" ] || die "$out is not empty; give a new or empty directory"

# Archives carry the commit's time, not the build's, so the same commit
# gives the same bytes on any machine with the same Go (-trimpath strips
# local paths from the binaries).
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)
fi
export SOURCE_DATE_EPOCH
tarflags=()
if tar --version 2>/dev/null | grep -q 'GNU tar'; then
	tarflags=(--sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH")
fi

targets=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

artefacts=()
for target in "${targets[@]}"; do
	goos=${target%/*}
	goarch=${target#*/}
	name="asyncquiz_${version}_${goos}_${goarch}"
	exe=asyncquiz
	[ "$goos" = windows ] && exe=asyncquiz.exe
	dir="$stage/$name"
	mkdir -p "$dir"
	echo "release: building $target"
	(cd "$root" && CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath \
		-ldflags "-s -w -X main.version=$version" -o "$dir/$exe" ./cmd/asyncquiz)
	cp "$root/LICENSE" "$root/README.md" "$dir/"
	touch -d "@$SOURCE_DATE_EPOCH" "$dir"/* "$dir" 2>/dev/null || true
	if [ "$goos" = windows ]; then
		(cd "$stage" && find "$name" | LC_ALL=C sort | TZ=UTC zip -q -X -@ "$out/$name.zip")
		artefacts+=("$name.zip")
	else
		(cd "$stage" && tar "${tarflags[@]}" -cf - "$name" | gzip -n -9 >"$out/$name.tar.gz")
		artefacts+=("$name.tar.gz")
	fi
done

sums="asyncquiz_${version}_checksums.txt"
(cd "$out" && sha256 "${artefacts[@]}" >"$sums")
echo "release: $version in $out:"
(cd "$out" && ls -l "${artefacts[@]}" "$sums")
