#!/usr/bin/env bash
# go-modules.sh: put the Go modules the two binaries need into
# deploy/docker/goproxy, a GOPROXY-layout folder inside the Docker build
# context, so that the image builds need no network.
#
# The Dockerfiles set GOPROXY=file:///src/deploy/docker/goproxy,<GOPROXY>:
# a module found here is used, anything else is fetched as usual. The folder
# is git-ignored: nothing third-party is committed. Every file is checked by
# the go command against go.sum inside the build, as a download would be.
#
# It copies, from this machine's module cache (downloading what is missing
# through the configured GOPROXY):
#   - the .mod (and .info) file of every module in the build list that the
#     go command read to load the module graph (go list below loads it the
#     way go build does, so the local cache holds exactly those);
#   - the .zip of every module providing a package to cmd/credit-risk or
#     cmd/credit-risk-api.
#
# Usage: scripts/go-modules.sh
set -euo pipefail
cd "$(dirname "$0")/.."

out=deploy/docker/goproxy
cache=$(go env GOMODCACHE)/cache/download
export GOOS=linux CGO_ENABLED=0

# escape applies the module cache's case encoding: "A" → "!a".
# shellcheck disable=SC2001 # \L needs sed
escape() { sed 's/[A-Z]/!\L&/g' <<<"$1"; }

mapfile -t all < <(go list -m -f '{{if not .Main}}{{.Path}} {{.Version}}{{end}}' all | sed '/^$/d')
mapfile -t built < <(go list -deps -f '{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}}{{end}}{{end}}' ./cmd/... | sed '/^$/d' | sort -u)
if [ "${#all[@]}" -eq 0 ] || [ "${#built[@]}" -eq 0 ]; then
	echo "go-modules: go list found no modules; does ./cmd/... build?" >&2
	exit 1
fi
# Make sure the zips are in the local cache.
mapfile -t want < <(printf '%s\n' "${built[@]}" | tr ' ' '@')
go mod download "${want[@]}"

find "$out" -mindepth 1 -maxdepth 1 ! -name .gitignore -exec rm -rf {} +

copy() { # module version ext...
	local dir v
	dir="$(escape "$1")/@v"
	v=$(escape "$2")
	mkdir -p "$out/$dir"
	shift 2
	for ext in "$@"; do
		if [ -f "$cache/$dir/$v.$ext" ]; then
			cp "$cache/$dir/$v.$ext" "$out/$dir/$v.$ext"
			chmod 0644 "$out/$dir/$v.$ext"
		elif [ "$ext" = zip ]; then
			echo "go-modules: $cache/$dir/$v.$ext missing" >&2
			return 1
		fi
	done
}

for m in "${all[@]}"; do
	# shellcheck disable=SC2086
	copy $m mod info
done
for m in "${built[@]}"; do
	# shellcheck disable=SC2086
	copy $m zip
done
size=$(du -sh "$out" | cut -f1)
echo "go-modules: ${#all[@]} modules in the build list, ${#built[@]} zips for the binaries, $size in $out"
