#!/usr/bin/env bash
# ci-postgres.sh: install (Debian's postgresql) and start a PostgreSQL
# server for the tests of the PostgreSQL audit trail, make a throwaway role
# and database with a fresh random password, and print the database URL on
# stdout (everything else goes to stderr). Prints nothing when it cannot
# (not root, no package, the server does not start): those tests then skip
# and say so.
set -uo pipefail
say() { echo "ci-postgres: $*" >&2; }

if [ "$(id -u)" != 0 ]; then
	say "not root: no PostgreSQL server; the PostgreSQL audit tests will skip"
	exit 0
fi
if ! command -v pg_lsclusters >/dev/null; then
	say "installing postgresql"
	export DEBIAN_FRONTEND=noninteractive
	if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql >/dev/null; }; then
		say "could not install postgresql; the PostgreSQL audit tests will skip"
		exit 0
	fi
fi
cluster=$(pg_lsclusters --no-header 2>/dev/null | head -n 1)
if [ -z "$cluster" ]; then
	version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
	say "creating cluster $version/main"
	pg_createcluster "$version" main >/dev/null 2>&1 || { say "could not create a cluster; the PostgreSQL audit tests will skip"; exit 0; }
	cluster=$(pg_lsclusters --no-header | head -n 1)
fi
read -r version name port status _ <<<"$cluster"
if [ "$status" != online ]; then
	pg_ctlcluster "$version" "$name" start >&2 || { say "could not start $version/$name; the PostgreSQL audit tests will skip"; exit 0; }
fi
password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
psql_() { su postgres -c "psql -q -p $port -v ON_ERROR_STOP=1 $*" >&2; }
if ! psql_ "-c \"DROP DATABASE IF EXISTS credit_risk_test\"" ||
	! psql_ "-c \"DO \\\$\\\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'credit_risk_ci') THEN CREATE ROLE credit_risk_ci LOGIN; END IF; END\\\$\\\$\"" ||
	! psql_ "-c \"ALTER ROLE credit_risk_ci PASSWORD '$password'\"" ||
	! psql_ "-c \"CREATE DATABASE credit_risk_test OWNER credit_risk_ci\""; then
	say "could not make the test database; the PostgreSQL audit tests will skip"
	exit 0
fi
say "PostgreSQL $version on port $port, database credit_risk_test"
echo "postgres://credit_risk_ci:$password@127.0.0.1:$port/credit_risk_test"
