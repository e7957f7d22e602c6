#!/usr/bin/env bash
# container-e2e.sh: build both images, then run the container end-to-end
# test (internal/containertest) against the local Docker Engine. It ends with
# the line "container-e2e: N passed, M failed" and exits non-zero on any
# failure.
#
# Everything it starts is published on 127.0.0.1 only, labelled
# io.credit-risk.e2e and removed at the end.
#
#   CREDIT_RISK_E2E_ROWS      sample loans to train on (default 20000)
#   CREDIT_RISK_E2E_RETRAIN   retrain command instead of the image's default
#   SKIP_BUILD=1              use the images already built
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

log=$(mktemp)
trap 'rm -f "$log"' EXIT

if [ "${SKIP_BUILD:-}" != 1 ] && ! bash scripts/build-images.sh; then
	echo "container-e2e: the image build failed"
	echo "container-e2e: 0 passed, 1 failed"
	exit 1
fi
CREDIT_RISK_CONTAINER_E2E=1 go test -count=1 -v -timeout 100m \
	-run '^TestContainers$' ./internal/containertest/ 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary=$(grep -E '^container-e2e: [0-9]+ passed' "$log" | tail -n 1)
if [ -z "$summary" ]; then
	echo "container-e2e: the test did not run to its end"
	summary="container-e2e: 0 passed, 1 failed"
	status=1
fi
echo
grep -E '^container-e2e: ' "$log" | grep -vE '^container-e2e: [0-9]+ passed' || true
echo "$summary"
exit "$status"
