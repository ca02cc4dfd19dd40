#!/usr/bin/env bash
# Propagation through a cluster of two nodes on one PostgreSQL: the time from a route's 201 on
# node A to the first request node B serves with it, p50/p99/max over CHANGES changes
# (bench/Propagation.java), in three settings:
#   notify     NOTIFY/LISTEN on (the default), a small configuration
#   polling    db_update_notify=off: polling alone every POLL seconds (Kong's only way; its
#              db_update_frequency defaults to 5 s, so expect about half of it on average)
#   notify-10k NOTIFY on, with ROUTES routes present: what applying one change costs a node
#              whose configuration is large
# Each setting runs in a schema of its own on FULCRUM_TEST_PG's server, dropped at the end.
#
#   bench/propagation.sh           CHANGES=200 POLL=1 ROUTES=10000
source "$(dirname "$0")/lib.sh"
need nginx wrk curl psql bc
CHANGES=${CHANGES:-200}
POLL=${POLL:-1}
ROUTES=${ROUTES:-10000}
CONNS_ADMIN=${CONNS_ADMIN:-32}
PG_URL=${FULCRUM_TEST_PG:-postgresql://root@127.0.0.1:5432/test}
PG_HOST=$(echo "$PG_URL" | sed -E 's|^postgresql://([^@]*@)?([^:/]+).*|\2|')
PG_PORT=$(echo "$PG_URL" | sed -E 's|^postgresql://[^/]*:([0-9]+)/.*|\1|; t; s|.*|5432|')
PG_USER=$(echo "$PG_URL" | sed -E 's|^postgresql://([^:@]+)[:@].*|\1|; t; s|.*|postgres|')
PG_DB=$(echo "$PG_URL" | sed -E 's|.*/([^/?]+)(\?.*)?$|\1|')
T1=19501
SCHEMAS=()
drop_schemas() {
  for s in "${SCHEMAS[@]:-}"; do
    [ -n "$s" ] && psql -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" -c "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1
  done
}
trap 'cleanup; drop_schemas' EXIT

start_nginx_targets $T1
ensure_jar

# run_setting <name> <extra env...>: two nodes on a new schema; prints "p50 p99 max" in ms
run_setting() {
  local name=$1; shift
  local schema="bench_prop_${name//-/_}_$$"
  SCHEMAS+=("$schema")
  local pg=(FULCRUM_DATABASE=postgres FULCRUM_PG_HOST="$PG_HOST" FULCRUM_PG_PORT="$PG_PORT" FULCRUM_PG_USER="$PG_USER"
    FULCRUM_PG_DATABASE="$PG_DB" FULCRUM_PG_SCHEMA="$schema")
  env "${pg[@]}" "$ROOT/bin/fulcrum" migrations bootstrap >"$WORK/$name.bootstrap.log" 2>&1
  local base=$((19510 + ${#SCHEMAS[@]} * 10))
  start_fulcrum "$WORK/$name-a" $base $((base + 1)) "${pg[@]}" "$@"
  start_fulcrum "$WORK/$name-b" $((base + 2)) $((base + 3)) "${pg[@]}" "$@"
  local A="http://127.0.0.1:$((base + 1))"
  curl -sf -X POST "$A/services" --data name=bench --data url="http://127.0.0.1:$T1" >/dev/null
  if [ "$name" = notify-10k ]; then
    create_routes "$A" 0 "$ROUTES" "$WORK/$name.create.txt" >/dev/null
  fi
  # A few changes first, so that both nodes' code paths are warm.
  java "$BENCH_DIR/Propagation.java" "$A" "http://127.0.0.1:$((base + 2))" 20 warm >/dev/null
  java "$BENCH_DIR/Propagation.java" "$A" "http://127.0.0.1:$((base + 2))" "$CHANGES" prop
  kill "${PIDS[-1]}" "${PIDS[-2]}" 2>/dev/null || true
}

NOTIFY=$(run_setting notify)
POLLING=$(run_setting polling FULCRUM_DB_UPDATE_NOTIFY=off FULCRUM_DB_UPDATE_FREQUENCY="$POLL")
BIG=$(run_setting notify-10k)

echo
echo "Propagation from a 201 on node A to the first request served with it on node B, $CHANGES changes, $(nproc) CPUs"
printf "%-34s %9s %9s %9s\n" setting p50_ms p99_ms max_ms
printf "%-34s %9s %9s %9s\n" "NOTIFY (default)" $NOTIFY
printf "%-34s %9s %9s %9s\n" "polling only, every ${POLL}s" $POLLING
printf "%-34s %9s %9s %9s\n" "NOTIFY, $ROUTES routes present" $BIG
