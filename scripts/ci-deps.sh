#!/usr/bin/env bash
# ci-deps.sh: install, from Debian's packages, the programs some tests use
# when they are missing: chromium (the API docs and report pages are
# rendered in it), promtool (checks /metrics; Debian's prometheus package)
# and curl (the container tests). Tests that need one of them say so and
# skip when it is absent, so this only makes CI run them. Needs root; as
# another user it only says what is missing.
set -uo pipefail

want=()
command -v chromium >/dev/null || want+=(chromium)
command -v promtool >/dev/null || want+=(prometheus)
command -v curl >/dev/null || want+=(curl)
if [ "${#want[@]}" -eq 0 ]; then
	echo "ci-deps: chromium, promtool and curl are installed"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "ci-deps: missing ${want[*]} (not root: the tests that need them will skip)"
	exit 0
fi
echo "ci-deps: installing ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null; }; then
	echo "ci-deps: could not install ${want[*]}; the tests that need them will skip"
fi
# The prometheus package starts a server; only promtool is wanted.
if printf '%s\n' "${want[@]}" | grep -qx prometheus; then
	systemctl disable --now prometheus >/dev/null 2>&1 || service prometheus stop >/dev/null 2>&1 || true
fi
exit 0
