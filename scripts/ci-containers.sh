#!/usr/bin/env bash
# ci-containers.sh: the container steps of CI. When a Docker Engine answers,
# build both images and run the container end-to-end test, then the test of
# DOCKER.md's commands typed word for word; otherwise say so and succeed. The Kubernetes manifests are checked by go test
# (internal/deploytest) with the rest of the tests.
#
# .ci/run calls it as: bash scripts/ci-containers.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if ! docker info >/dev/null 2>&1; then
	echo "ci-containers: no Docker Engine answers (docker info); container tests skipped"
	exit 0
fi
status=0
bash scripts/container-e2e.sh || status=1
# DOCKER.md's commands word for word, as a user who is not root, on the
# images container-e2e.sh built.
bash scripts/docker-md-e2e.sh || status=1
exit "$status"
