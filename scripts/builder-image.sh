#!/usr/bin/env bash
# builder-image.sh: create the Go builder image the Dockerfiles start from
# (GO_IMAGE, default golang:1.26.8-bookworm) out of this machine's Go
# toolchain, for hosts that cannot pull from a registry.
#
# With registry access you do not need this: docker build pulls the official
# golang image. Without it, this script imports a small root filesystem
# holding the host's Go toolchain (which must be the pinned version), CA
# certificates, a POSIX shell and basic file tools, under the same name, so the Dockerfiles and
# the commands in the README work unchanged. An image of that name that this
# script did not make (the official one) is never replaced.
#
# Usage: scripts/builder-image.sh [--force]
#   GOROOT_HOST  toolchain to import (default: $(go env GOROOT), else /usr/local/go)
#   GO_IMAGE     image name to create (default: golang:<pinned version>-bookworm)
set -euo pipefail

# The pinned Go version: the go directive of go.mod, which the Dockerfiles'
# default GO_IMAGE also names.
cd "$(dirname "$0")/.."
go_version=$(awk '$1 == "go" { print $2; exit }' go.mod)
image=${GO_IMAGE:-golang:${go_version}-bookworm}
label=io.credit-risk.builder
force=false
[ "${1:-}" = "--force" ] && force=true

if existing=$(docker image inspect --format "{{ index .Config.Labels \"$label\" }}" "$image" 2>/dev/null); then
	if [ -z "$existing" ] || [ "$existing" = "<no value>" ]; then
		echo "builder-image: $image exists and was not made by this script; keeping it"
		exit 0
	fi
	if ! $force; then
		echo "builder-image: $image already made from the host toolchain (go$existing); --force remakes it"
		exit 0
	fi
fi

goroot=${GOROOT_HOST:-$(go env GOROOT 2>/dev/null || echo /usr/local/go)}
have=$(sed -n '1s/^go//p' "$goroot/VERSION")
if [ "$have" != "$go_version" ]; then
	echo "builder-image: $goroot is go$have but go.mod pins go$go_version; install go$go_version or set GOROOT_HOST" >&2
	exit 1
fi
ca=/etc/ssl/certs/ca-certificates.crt
if [ ! -s "$ca" ]; then
	echo "builder-image: $ca is missing (Debian package ca-certificates)" >&2
	exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# For RUN lines: the host's shell and the few file tools a Dockerfile
# usually calls, with the shared libraries they load.
mkdir -p "$stage/bin" "$stage/etc/ssl/certs" "$stage/tmp" "$stage/root" "$stage/go/bin" "$stage/usr/local"
tools=(sh mkdir chmod chown cp mv rm ln ls cat env id sha256sum uname true false)
for tool in "${tools[@]}"; do
	bin=$(readlink -f "$(type -P "$tool")")
	cp "$bin" "$stage/bin/$tool"
	ldd "$bin" | awk '/=>/ { print $3 } !/=>/ && $1 ~ /^\// { print $1 }'
done | sort -u | while read -r lib; do
	[ -n "$lib" ] || continue
	mkdir -p "$stage$(dirname "$lib")"
	cp -L "$lib" "$stage$lib"
done
cp "$ca" "$stage/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$stage/etc/passwd"
printf 'root:x:0:\n' >"$stage/etc/group"
chmod 1777 "$stage/tmp"

# The toolchain, less its own test suite; the standard library sources in
# src/ are needed to compile.
tar -C "$stage" -cf - . \
	--transform "s|^${goroot#/}|usr/local/go|" \
	-C / --exclude="${goroot#/}/test" --exclude="${goroot#/}/pkg/obj" "${goroot#/}" |
	docker import \
		--change 'ENV GOLANG_VERSION='"$go_version" \
		--change 'ENV GOTOOLCHAIN=local' \
		--change 'ENV GOPATH=/go' \
		--change 'ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--change 'ENV HOME=/root' \
		--change 'WORKDIR /go' \
		--change "LABEL $label=$go_version" \
		--change 'CMD ["/bin/sh"]' \
		- "$image" >/dev/null
docker run --rm --network none "$image" go version
echo "builder-image: made $image from $goroot"
