#!/usr/bin/env bash
# build-images.sh: build credit-risk-api:latest and credit-risk-train:latest
# the way CI does, with no network needed during the builds.
#
#   1. scripts/builder-image.sh: the Go builder image (skipped when an image
#      of that name exists, e.g. the official one pulled from a registry);
#   2. scripts/go-modules.sh: the modules, into the build context;
#   3. docker build of Dockerfile.serve, then Dockerfile.train, stamped with
#      the git version and commit, both from one snapshot of the work tree:
#      the two images hold binaries of the same sources even while the tree
#      is being edited, and the second build reuses the first one's cached
#      build stage instead of compiling again.
#
# Usage: scripts/build-images.sh [docker build flags, e.g. --no-cache]
set -euo pipefail
cd "$(dirname "$0")/.."

version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
commit=${COMMIT:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}

bash scripts/builder-image.sh
bash scripts/go-modules.sh

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
# The snapshot leaves out what .dockerignore would drop anyway and is large.
tar -cf - --exclude=./.git --exclude=./data --exclude=./models --exclude=./artifacts \
	--exclude=./bin --exclude=./demo --exclude='*.test' . | tar -xf - -C "$context"

for image in serve:credit-risk-api train:credit-risk-train; do
	file=Dockerfile.${image%%:*}
	tag=${image#*:}:latest
	start=$(date +%s)
	docker build --network none -f "$context/$file" -t "$tag" \
		--build-arg VERSION="$version" --build-arg COMMIT="$commit" "$@" "$context"
	echo "build-images: $tag built in $(($(date +%s) - start))s"
done
# Untagged images of earlier builds: keep the newest build stage (the cache
# of the next build), drop the rest.
prune() {
	docker image ls -q --filter dangling=true --filter "label=io.credit-risk.stage=$1" | awk '!seen[$0]++' |
		tail -n +"$2" | xargs -r docker image rm >/dev/null 2>&1 || true
}
prune build 2
prune serve 1
prune train 1
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E '^credit-risk-(api|train):latest '
