#!/usr/bin/env bash
# Fulcrum at 10,000 Kong routes on one service (90% prefix paths, 5% with hosts, 5% regex paths):
#   - Admin API writes/s while the routes are created, and with them present (wrk, CONNS_ADMIN
#     connections; each POST is answered once the route is live),
#   - how soon a new route serves (POST, then a proxied GET right after its 201),
#   - proxy req/s, p50, p99 on a prefix route of the node with 10,000 routes against a second node
#     with that one route only, measured in interleaved rounds (wrk -t1 -c50, keep-alive, one nginx
#     target), the big node's peak RSS (VmHWM) over the whole run, and its live heap per route
#     against the small node's (jcmd GC.class_histogram, which collects first).
# Both nodes run with one worker thread on the same CPU (CPU_PROXY, default 1), busy one at a time;
# wrk and nginx share the other.
#
#   bench/routes-scale.sh          ROUTES=10000 ROUNDS=5 DURATION=8 WARMUP=20 CONNS_ADMIN=32
source "$(dirname "$0")/lib.sh"
need nginx wrk curl taskset bc sqlite3
ROUTES=${ROUTES:-10000}
DURATION=${DURATION:-8}
ROUNDS=${ROUNDS:-5}
WARMUP=${WARMUP:-20}
CONNS_ADMIN=${CONNS_ADMIN:-32}
if [ "$(nproc)" -ge 2 ]; then CPU_PROXY=${CPU_PROXY:-1}; CPU_LOAD=${CPU_LOAD:-0}; fi
T1=19401; FP=19412; FA=19413; OP=19414; OA=19415

start_nginx_targets $T1

# "one": a single route; "many": the same route, then ROUTES more.
for node in one many; do
  if [ $node = one ]; then start_fulcrum "$WORK/one" $OP $OA FULCRUM_WORKER_THREADS=1; A="http://127.0.0.1:$OA"
  else start_fulcrum "$WORK/many" $FP $FA FULCRUM_WORKER_THREADS=1; A="http://127.0.0.1:$FA"; fi
  curl -sf -X POST "$A/services" --data name=bench --data url="http://127.0.0.1:$T1" >/dev/null
  curl -sf -X POST "$A/services/bench/routes" --data name=p0 --data 'paths[]=/p0/' >/dev/null
done
ONE_PID=${PIDS[-2]}; MANY_PID=${PIDS[-1]}
live_heap() { jcmd "$1" GC.class_histogram | awk '/^Total/ {print $3}'; }
peak_rss_mb() { echo $(( $(awk '/VmHWM/ {print $2}' /proc/$MANY_PID/status) / 1024 )); }
URL_ONE="http://127.0.0.1:$OP/p0/x"
URL_MANY="http://127.0.0.1:$FP/p0/x"
for url in "$URL_ONE" "$URL_MANY"; do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 200 ] || { echo "$url does not serve" >&2; exit 1; }
done

# Warm the Admin API's code paths with 500 routes (numbered far away; they stay, so the table
# ends with ROUTES + 500 and a few more that were in flight), then create the routes: writes/s
# while the table grows.
create_routes "$A" 900000000 500 "$WORK/warm.txt" >/dev/null
start=$(date +%s.%N)
CREATE_RPS=$(create_routes "$A" 0 "$ROUTES" "$WORK/create.txt")
elapsed=$(echo "$(date +%s.%N) - $start" | bc -l)

# With the routes present: writes/s of 2,000 more.
MORE_RPS=$(create_routes "$A" $((ROUTES + 1000)) 2000 "$WORK/more.txt")
MORE_NON2XX=$(awk '/Non-2xx/ {print $NF}' "$WORK/more.txt")
CREATE_NON2XX=$(awk '/Non-2xx/ {print $NF}' "$WORK/create.txt")

# A new route serves as soon as its 201 is in.
t0=$(date +%s%N)
curl -sf -X POST "$A/services/bench/routes" --data name=fresh --data 'paths[]=/fresh-route/' >/dev/null
t1=$(date +%s%N)
FRESH=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$FP/fresh-route/x")
t2=$(date +%s%N)

# Proxy speed: the same route on both nodes, in interleaved rounds.
warm "$URL_ONE" "$WARMUP"
warm "$URL_MANY" "$WARMUP"
measure_rounds "$ROUNDS" "$DURATION" one="$URL_ONE" many="$URL_MANY"
ROUTES_NOW=$(sqlite3 "$WORK/many/fulcrum.db" 'select count(*) from routes')
PER_ROUTE=$(( ($(live_heap $MANY_PID) - $(live_heap $ONE_PID)) / (ROUTES_NOW - 1) ))

echo
echo "Routes at scale: $ROUTES routes (90% prefix, 5% host, 5% regex), $(nproc) CPUs, proxy CPU ${CPU_PROXY:-shared}"
printf "%-32s %s\n" "routes created" "$ROUTES in ${elapsed%.*} s: $CREATE_RPS writes/s ($CONNS_ADMIN connections, non-2xx: ${CREATE_NON2XX:-0})"
printf "%-32s %s\n" "writes/s with them present" "$MORE_RPS (non-2xx: ${MORE_NON2XX:-0})"
printf "%-32s %s\n" "new route" "201 after $(( (t1 - t0) / 1000000 )) ms; first proxied GET: $FRESH after $(( (t2 - t1) / 1000000 )) ms more"
printf "%-32s %s MiB\n" "peak RSS of the node (VmHWM)" "$(peak_rss_mb)"
printf "%-32s %s bytes (%s routes)\n" "live heap per route" "$PER_ROUTE" "$ROUTES_NOW"
echo "proxy, wrk -t1 -c${CONNS:-50}, median of $ROUNDS interleaved rounds of ${DURATION}s:"
printf "%-14s %10s %9s %9s %8s\n" routes req/s p50_ms p99_ms non2xx
for name in one many; do
  bad=$(awk '{s+=$4} END {print s+0}' "$WORK/rounds/$name")
  label=$([ $name = one ] && echo 1 || echo "$ROUTES")
  printf "%-14s %10.0f %9.3f %9.3f %8s\n" "$label" "$(median_of $name 1)" "$(median_of $name 2)" "$(median_of $name 3)" "$bad"
done
printf "%-32s %.1f %%\n" "throughput loss vs 1 route" "$(echo "(1 - $(median_of many 1) / $(median_of one 1)) * 100" | bc -l)"
