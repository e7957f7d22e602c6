#!/usr/bin/env bash
# docker-md-e2e.sh: the commands of the user's description of the images
# (../shared/seed/DOCKER.md), typed word for word, as a user who is not root,
# in a fresh copy of the repository whose folders that user owns. Each
# command either works or fails with the message DOCKER.md promises.
#
# It ends with "docker-md: N passed, M failed" and exits non-zero on any
# failure. It publishes the API on port 8000 as DOCKER.md does and sends
# requests to 127.0.0.1 only; everything it starts is removed at the end.
#
# Run as root (CI) it creates the user credit-risk-docs (in the docker
# group) to type the commands; run as another user it types them itself.
# The images' builder and modules must be ready (scripts/build-images.sh
# makes both).
#
#   DOCKER_MD   the description to check the commands against
#               (default ../shared/seed/DOCKER.md; skipped when absent)
#   DOCS_ROWS   sample loans to train on (default 10000)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
repo=$(pwd)
docs=${DOCKER_MD:-$repo/../shared/seed/DOCKER.md}
rows=${DOCS_ROWS:-10000}

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "docker-md: ok   $1"; }
fail() {
	failed=$((failed + 1))
	echo "docker-md: FAIL $1"
	[ -n "${2:-}" ] && sed 's/^/    | /' <<<"$2" | tail -n 40
}

# --- the user and a fresh copy of the repository --------------------------
work=$(mktemp -d /tmp/docker-md.XXXXXX)
chmod 755 "$work"
if [ "$(id -u)" = 0 ]; then
	user=credit-risk-docs
	if ! id "$user" >/dev/null 2>&1; then
		useradd --create-home --shell /bin/bash "$user" || exit 1
	fi
	usermod -aG docker "$user" 2>/dev/null || true
	as_user() { runuser -u "$user" -- env HOME="$work/home" DOCKER_CONFIG="$work/home/.docker" PATH="$PATH" bash -c "$1"; }
else
	user=$(id -un)
	as_user() { env HOME="$work/home" DOCKER_CONFIG="$work/home/.docker" bash -c "$1"; }
fi
mkdir -p "$work/home/.docker" "$work/credit-risk" "$work/empty"
# A fresh clone: the tracked files, plus the modules scripts/go-modules.sh
# put in the build context (git-ignored; the README's step for hosts
# without network).
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$work/credit-risk"
[ -d deploy/docker/goproxy ] && cp -a deploy/docker/goproxy "$work/credit-risk/deploy/docker/"
uid=$(id -u "$user")
gid=$(id -g "$user")
chown -R "$uid:$gid" "$work"

# DOCKER.md says "docker compose" (Compose v2, a docker CLI plugin). Where
# the plugin is missing but Compose v1 is installed, a plugin that hands the
# same words to docker-compose stands in, for this test's user only.
if ! as_user "docker compose version" >/dev/null 2>&1 && command -v docker-compose >/dev/null; then
	mkdir -p "$work/home/.docker/cli-plugins"
	cat >"$work/home/.docker/cli-plugins/docker-compose" <<-'EOF'
		#!/bin/sh
		if [ "$1" = docker-cli-plugin-metadata ]; then
			echo '{"SchemaVersion":"0.1.0","Vendor":"credit-risk tests","Version":"v1","ShortDescription":"docker-compose v1"}'
			exit 0
		fi
		shift # the plugin's own name, "compose"
		exec docker-compose "$@"
	EOF
	chmod 755 "$work/home/.docker/cli-plugins/docker-compose"
	chown -R "$uid:$gid" "$work/home"
	echo "docker-md: docker compose runs Debian's docker-compose v1 here"
fi

# Containers that existed before are left alone; the ones this test made
# are removed at the end (DOCKER.md's serving command has no --rm).
before=$(docker ps -aq | tr '\n' ' ')
started=""
track() {
	local c
	for c in $(docker ps -aq); do
		case " $before $started " in *" $c "*) ;; *) started="$started $c" ;; esac
	done
}
cleanup() {
	(cd "$work/credit-risk" && as_user "docker compose --profile batch down --remove-orphans") >/dev/null 2>&1
	track
	for c in $started; do docker rm -f "$c" >/dev/null 2>&1; done
	docker image rm credit-risk-docs-unused >/dev/null 2>&1
	rm -rf "$work"
}
trap 'track; cleanup' EXIT

# The commands, as DOCKER.md writes them (its line continuations joined).
build_serve='docker build -f Dockerfile.serve -t credit-risk-api:latest .'
build_train='docker build -f Dockerfile.train -t credit-risk-train:latest .'
serve_pkl='docker run -p 8000:8000 -v "$(pwd)/models:/app/models:ro" -e MODEL_PATH=/app/models/production.pkl credit-risk-api:latest'
train='docker run --rm -v "$(pwd)/data:/app/data" -v "$(pwd)/models:/app/models" -v "$(pwd)/artifacts:/app/artifacts" credit-risk-train:latest'
single_step="$train python scripts/clean_data.py"
compose_up='docker compose up api'
compose_train='docker compose run train'
# The same with this project's own names.
serve_model='docker run -p 8000:8000 -v "$(pwd)/models:/app/models:ro" -e MODEL_PATH=/app/models/production.model credit-risk-api:latest'
bare_step="$train clean"
named_step="$train credit-risk clean"

if [ -f "$docs" ]; then
	joined=$(sed -e ':a' -e '/\\$/N; s/\\\n[[:space:]]*/ /; ta' "$docs" | tr -s ' ')
	for cmd in "$build_serve" "$build_train" "$serve_pkl" "$train" "$single_step" "$compose_up" "$compose_train"; do
		if grep -qF -- "$cmd" <<<"$joined"; then
			pass "DOCKER.md has: $cmd"
		else
			fail "DOCKER.md no longer has: $cmd (update this test)"
		fi
	done
else
	echo "docker-md: $docs not found; the commands are checked as this test writes them"
fi

# run DIR COMMAND: type COMMAND in DIR as the user; output in $out, status in $code.
run() {
	out=$(as_user "cd '$1' && $2" 2>&1)
	code=$?
	track
}
# owned_by_user DIR: every file under DIR belongs to the user.
owned_by_user() {
	local wrong
	wrong=$(find "$1" ! -uid "$uid" -printf '%p %U:%G\n' | head -n 5)
	[ -z "$wrong" ] || { echo "$wrong"; return 1; }
}
# wait_ready: the API on 127.0.0.1:8000 answers /ready within 60 s.
wait_ready() {
	local i
	for i in $(seq 1 120); do
		curl -fsS -o /dev/null http://127.0.0.1:8000/ready 2>/dev/null && return 0
		sleep 0.5
	done
	return 1
}
# application CSV: the first loan of a raw file as a JSON object of
# strings, every non-empty cell, as a lender's system would send it.
application() {
	python3 - "$1" <<-'EOF'
		import csv, json, sys
		rows = csv.reader(open(sys.argv[1], newline=""))
		header = next(r for r in rows if "loan_amnt" in r)
		row = next(rows)
		print(json.dumps({k: v for k, v in zip(header, row) if v.strip()}))
	EOF
}
predict() {
	curl -fsS -H 'Content-Type: application/json' -d "$application" http://127.0.0.1:8000/predict 2>&1
}
# serve_check NAME COMMAND: start COMMAND in the clone, wait for /ready,
# score one application, stop it.
serve_check() {
	local name=$1 cmd=$2 log=$work/serve.log pid body
	(cd "$work/credit-risk" && as_user "$cmd") >"$log" 2>&1 &
	pid=$!
	if wait_ready && body=$(predict) && grep -q '"default_probability"' <<<"$body"; then
		pass "$name: /ready, then /predict answered $(grep -o '"status":"[a-z]*"' <<<"$body")"
		serving_log=$(cat "$log")
	else
		fail "$name: the API did not serve" "$(cat "$log")"
	fi
	track
	docker ps -q --filter ancestor=credit-risk-api:latest --filter publish=8000 | xargs -r docker stop -t 10 >/dev/null
	wait "$pid" 2>/dev/null
}

clone=$work/credit-risk

# --- build, word for word ---------------------------------------------------
for cmd in "$build_serve" "$build_train"; do
	start=$(date +%s)
	run "$clone" "$cmd"
	if [ "$code" = 0 ]; then
		pass "$cmd ($(($(date +%s) - start)) s)"
	else
		fail "$cmd: exit $code" "$out"
	fi
done
run "$clone" "docker build --build-arg GO_IMAGE=credit-risk-no-such-builder:0 -f Dockerfile.serve -t credit-risk-docs-unused ."
if [ "$code" != 0 ] && grep -q 'scripts/builder-image.sh' <<<"$out"; then
	pass "a build whose Go image cannot be pulled names scripts/builder-image.sh"
else
	fail "a build whose Go image cannot be pulled: exit $code, no pointer to scripts/builder-image.sh" "$out"
fi

# --- troubleshooting, in a folder with nothing in it ------------------------
run "$work/empty" "$train"
if [ "$code" != 0 ] && grep -q 'No such file or directory' <<<"$out" && grep -q '/app/data' <<<"$out"; then
	pass "training with no data: exits $code with \"No such file or directory\" for /app/data"
else
	fail "training with no data: exit $code" "$out"
fi
run "$work/empty" "$serve_pkl"
if [ "$code" != 0 ] && grep -q 'Model file not found: /app/models/production.pkl' <<<"$out"; then
	pass "serving with no model: exits $code with \"Model file not found\""
else
	fail "serving with no model: exit $code" "$out"
fi

# --- the training run, word for word ---------------------------------------
# The user's own data folder; models/ and artifacts/ do not exist yet, so
# Docker makes them (as root) for the mounts.
run "$clone" "mkdir -p data/raw && docker run --rm -v \"\$(pwd)/data:/app/data\" credit-risk-train:latest sample-data --rows $rows --seed 7"
if [ "$code" = 0 ] && [ -s "$clone/data/raw/sample_loans.csv" ] && owned_by_user "$clone/data" >/dev/null; then
	pass "a bare step name (sample-data) runs, and its file belongs to the user"
else
	fail "sample-data by bare step name: exit $code" "$out$(owned_by_user "$clone/data")"
fi
application=$(application "$clone/data/raw/sample_loans.csv")
start=$(date +%s)
run "$clone" "$train"
if [ "$code" = 0 ] && [ -e "$clone/models/production.model" ] && [ -e "$clone/models/production_metadata.json" ]; then
	pass "the training run with the three mounts ($(($(date +%s) - start)) s): the champion alias exists"
else
	fail "the training run with the three mounts: exit $code" "$out"
fi
if wrong=$(owned_by_user "$clone"); then
	pass "every file the training run wrote belongs to the user"
else
	fail "files not owned by the user" "$wrong"
fi
if grep -q "now running as $uid:$gid" <<<"$out"; then
	pass "the job says it left root for the folders' owner ($uid:$gid)"
else
	fail "the job does not say whom it runs as" "$out"
fi

# --- single steps ----------------------------------------------------------
run "$clone" "$single_step"
if [ "$code" = 0 ] && grep -q 'python scripts/clean_data.py: running `credit-risk clean`' <<<"$out"; then
	pass "the single step as DOCKER.md writes it (python scripts/clean_data.py) runs clean and says so"
else
	fail "python scripts/clean_data.py: exit $code" "$out"
fi
for cmd in "$bare_step" "$named_step"; do
	run "$clone" "$cmd"
	if [ "$code" = 0 ] && grep -q '^clean: ' <<<"$out"; then
		pass "single step: ${cmd#"$train "}"
	else
		fail "single step ${cmd#"$train "}: exit $code" "$out"
	fi
done
# A folder the job cannot write: the error says how to fix it.
run "$clone" "docker run --rm --user 4242:4242 -v \"\$(pwd)/data:/app/data\" -v \"\$(pwd)/models:/app/models\" -v \"\$(pwd)/artifacts:/app/artifacts\" credit-risk-train:latest"
if [ "$code" != 0 ] && grep -q 'cannot write /app/data/processed' <<<"$out" && grep -q 'chown' <<<"$out" && ! grep -q 'read [0-9]* rows' <<<"$out"; then
	pass "a job that cannot write its folders stops before reading, saying how to fix it"
else
	fail "unwritable folders: exit $code" "$out"
fi
owned_by_user "$clone" >/dev/null || fail "the refused run changed file owners" "$(owned_by_user "$clone")"

# --- serving, word for word -------------------------------------------------
serving_log=""
serve_check "serving with MODEL_PATH=/app/models/production.pkl" "$serve_pkl"
if grep -q 'serving /app/models/production.model' <<<"$serving_log"; then
	pass "the API logs that it serves production.model for production.pkl"
else
	fail "the API does not say what it loaded for production.pkl" "$serving_log"
fi
serve_check "serving with MODEL_PATH=/app/models/production.model" "$serve_model"

# --- compose ---------------------------------------------------------------
log=$work/compose.log
(cd "$clone" && as_user "$compose_up") >"$log" 2>&1 &
pid=$!
if wait_ready && body=$(predict) && grep -q '"default_probability"' <<<"$body"; then
	pass "$compose_up: the API serves the champion"
else
	fail "$compose_up" "$(cat "$log")"
fi
ports=$(docker ps --filter ancestor=credit-risk-api:latest --format '{{.Ports}}')
track
if grep -q '127.0.0.1:8000->8000' <<<"$ports" && ! grep -q '0.0.0.0:8000' <<<"$ports"; then
	pass "compose publishes the API on 127.0.0.1 only ($ports)"
else
	fail "compose publishes the API as: $ports"
fi
run "$clone" "docker compose stop api"
wait "$pid" 2>/dev/null

start=$(date +%s)
run "$clone" "$compose_train"
if [ "$code" = 0 ] && grep -q 'champion' <<<"$out"; then
	pass "$compose_train ($(($(date +%s) - start)) s)"
else
	fail "$compose_train: exit $code" "$out"
fi
if wrong=$(owned_by_user "$clone"); then
	pass "every file compose's training run wrote belongs to the user"
else
	fail "files not owned by the user after compose run train" "$wrong"
fi
run "$clone" "docker compose down"
left=$(docker ps -aq --filter label=com.docker.compose.project=credit-risk)
if [ "$code" = 0 ] && [ -z "$left" ]; then
	pass "docker compose down removes the finished train container and the API"
else
	fail "docker compose down left containers: $left" "$out"
fi

# --- compose with API keys and the audit trail (README: the overrides) -------
# The key is made with the API image's own keys command, as the user; the
# file and the audit folder are then given to the API's user (the README's
# sudo chown steps). The trail is verified with the training image.
run "$clone" "docker run --rm --user \"\$(id -u):\$(id -g)\" -v \"\$(pwd):/keys\" credit-risk-api:latest keys add --file /keys/api-keys.json --id docs --scopes score"
secret=$(tail -n 1 <<<"$out")
if [ "$code" = 0 ] && [ -n "$secret" ] && [ "$(id -u)" = 0 ]; then
	chown 10001 "$clone/api-keys.json"
	mkdir -p "$clone/audit" && chown 10001 "$clone/audit"
	(cd "$clone" && as_user "docker compose -f docker-compose.yml -f docker-compose.auth.yml -f docker-compose.audit.yml up api") >"$work/auth.log" 2>&1 &
	pid=$!
	if wait_ready; then
		nokey=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d "$application" http://127.0.0.1:8000/predict)
		withkey=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $secret" -H 'Content-Type: application/json' -d "$application" http://127.0.0.1:8000/predict)
		explain=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $secret" -H 'Content-Type: application/json' -d "$application" 'http://127.0.0.1:8000/predict?explain=true')
		if [ "$nokey" = 401 ] && [ "$withkey" = 200 ] && [ "$explain" = 403 ]; then
			pass "compose with the keys file: no key 401, a score key 200, explain without its scope 403"
		else
			fail "compose with the keys file: no key $nokey, with key $withkey, explain $explain (want 401, 200, 403)" "$(cat "$work/auth.log")"
		fi
	else
		fail "compose with the keys file: the API did not start" "$(cat "$work/auth.log")"
	fi
	track
	run "$clone" "docker compose -f docker-compose.yml -f docker-compose.auth.yml -f docker-compose.audit.yml down"
	wait "$pid" 2>/dev/null
	# One decision was given (the 200): the trail holds it and verifies.
	run "$clone" "docker run --rm --user 10001:10001 -v \"\$(pwd)/audit:/audit:ro\" credit-risk-train:latest audit verify --dir /audit"
	if [ "$code" = 0 ] && grep -q '1 records (1 decisions' <<<"$out"; then
		pass "compose with the audit trail: the one decision given is in ./audit, and the trail verifies"
	else
		fail "compose with the audit trail: audit verify exit $code" "$out"
	fi
elif [ "$code" != 0 ]; then
	fail "credit-risk-api keys add in the API image: exit $code" "$out"
else
	echo "docker-md: not root: the keys file cannot be given to the API's user; compose with keys skipped"
fi

echo "docker-md: $passed passed, $failed failed"
[ "$failed" = 0 ]
