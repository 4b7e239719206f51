#!/usr/bin/env bash
# Differential test of the SQL engine against a real PostgreSQL 15: sql_pg_diff (test/sqldiff)
# generates tables and a few hundred queries from a seed, runs them in infermetry and in a
# throwaway PostgreSQL started here, and fails on any difference.
#   SQL_DIFF_SEEDS="1 2 3" SQL_DIFF_QUERIES=400 test/e2e/sql_postgres_diff_test.sh
source "$(dirname "$0")/lib.sh"
DIFF_BIN=${SQL_PG_DIFF_BIN:-$(dirname "$INFERMETRY_BIN")/../../test/sqldiff/sql_pg_diff}
[ -x "$DIFF_BIN" ] || fail "no sql_pg_diff at $DIFF_BIN (build the target sql_pg_diff)"
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -x "$PGBIN/postgres" ] || fail "PostgreSQL 15 is not installed ($PGBIN; Debian package postgresql)"

# A throwaway cluster: temp dir owned by postgres, 127.0.0.1 on a free port, the postmaster a
# direct child (setpriv execs) so that cleanup stops it by PID.
AS_PG=()
if [ "$(id -u)" = 0 ]; then AS_PG=(setpriv --reuid=postgres --regid=postgres --init-groups --); fi
PGDIR=$(mktemp -d); TMPDIRS+=("$PGDIR")
[ "$(id -u)" != 0 ] || chown postgres:postgres "$PGDIR"
"${AS_PG[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 --no-locale --no-sync >/dev/null \
  || fail "initdb failed"
PGPORT=$(free_port)
"${AS_PG[@]}" "$PGBIN/postgres" -D "$PGDIR/data" -c listen_addresses=127.0.0.1 -p "$PGPORT" -k "$PGDIR" \
  -c fsync=off -c synchronous_commit=off -c full_page_writes=off >"$PGDIR/server.log" 2>&1 & PIDS+=($!)
wait_until 300 "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT" || { cat "$PGDIR/server.log"; fail "PostgreSQL did not start"; }
export PGHOST=127.0.0.1 PGPORT PGUSER=postgres PGDATABASE=postgres
psql -X -qAtc 'SELECT version()'

rc=0
for seed in ${SQL_DIFF_SEEDS:-1 2}; do
  "$DIFF_BIN" --seed "$seed" --queries "${SQL_DIFF_QUERIES:-350}" --rows 300 || rc=$?
  [ "$rc" -eq 0 ] || break
done
[ "$rc" -eq 0 ] || fail "infermetry and PostgreSQL disagree (sql_pg_diff exit $rc)"
echo "sql postgres diff e2e: all answers agree"
