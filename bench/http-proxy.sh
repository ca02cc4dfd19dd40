#!/usr/bin/env bash
# L7 proxy benchmark: requests/s and latency of nginx serving directly, HAProxy (http mode),
# nginx as a proxy, and Fulcrum (a Kong route, and the same haproxy.cfg as HAProxy), all keep-alive
# to the same two nginx targets, measured in one run with wrk (1 thread, 50 connections). Each
# proxy gets one worker thread and, on machines with two or more CPUs, the same CPU of its own
# (CPU_PROXY, default 1); wrk and the targets share the other (CPU_LOAD, default 0). All of them
# stay up and are measured in interleaved rounds (ROUNDS); the table shows medians.
#
#   bench/http-proxy.sh            ROUNDS=5 DURATION=8 WARMUP=30 CONNS=50 to change the run
source "$(dirname "$0")/lib.sh"
need nginx haproxy wrk curl taskset
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-30}
ROUNDS=${ROUNDS:-5}
if [ "$(nproc)" -ge 2 ]; then CPU_PROXY=${CPU_PROXY:-1}; CPU_LOAD=${CPU_LOAD:-0}; fi
T1=19201; T2=19202; HA=19210; NP=19211; FP=19212; FA=19213; FH=19214

start_nginx_targets $T1 $T2

cat >"$WORK/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn 4000
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend fe
  bind 127.0.0.1:$HA
  default_backend be
backend be
  balance roundrobin
  http-reuse always
  server t1 127.0.0.1:$T1
  server t2 127.0.0.1:$T2
CONF
${CPU_PROXY:+taskset -c $CPU_PROXY} haproxy -D -f "$WORK/haproxy.cfg" -p "$WORK/haproxy.pid" 2>/dev/null
wait_port $HA

cat >"$WORK/proxy.conf" <<CONF
worker_processes 1;
daemon on;
pid $WORK/nginx-proxy.pid;
error_log $WORK/nginx-proxy.err;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  upstream targets { server 127.0.0.1:$T1; server 127.0.0.1:$T2; keepalive 128; }
  server {
    listen 127.0.0.1:$NP;
    location / { proxy_pass http://targets; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
${CPU_PROXY:+taskset -c $CPU_PROXY} nginx -c "$WORK/proxy.conf" -p "$WORK"
wait_port $NP

start_fulcrum "$WORK/fulcrum" $FP $FA FULCRUM_WORKER_THREADS=1
A="http://127.0.0.1:$FA"
curl -sf -X POST "$A/upstreams" --data name=bench_upstream >/dev/null
curl -sf -X POST "$A/upstreams/bench_upstream/targets" --data target=127.0.0.1:$T1 >/dev/null
curl -sf -X POST "$A/upstreams/bench_upstream/targets" --data target=127.0.0.1:$T2 >/dev/null
curl -sf -X POST "$A/services" --data name=bench --data host=bench_upstream >/dev/null
curl -sf -X POST "$A/services/bench/routes" --data 'paths[]=/' --data strip_path=false >/dev/null

# The same haproxy.cfg as HAProxy's, run by Fulcrum (its admin and proxy ports stay closed).
sed "s/127.0.0.1:$HA/127.0.0.1:$FH/" "$WORK/haproxy.cfg" >"$WORK/fulcrum-haproxy.cfg"
env FULCRUM_PREFIX="$WORK/fulcrum-h" FULCRUM_WORKER_THREADS=1 FULCRUM_LOG_LEVEL="${FULCRUM_LOG_LEVEL:-warn}" \
  ${CPU_PROXY:+taskset -c $CPU_PROXY} "$ROOT/bin/fulcrum" start --haproxy-config "$WORK/fulcrum-haproxy.cfg" >"$WORK/fulcrum-h.log" 2>&1 &
PIDS+=($!)
wait_port $FH

declare -A URL=(
  [nginx-direct]="http://127.0.0.1:$T1/"
  [haproxy]="http://127.0.0.1:$HA/"
  [nginx-proxy]="http://127.0.0.1:$NP/"
  [fulcrum-kong]="http://127.0.0.1:$FP/"
  [fulcrum-cfg]="http://127.0.0.1:$FH/"
)
ORDER=(nginx-direct haproxy nginx-proxy fulcrum-kong fulcrum-cfg)
TARGETS=()
for name in "${ORDER[@]}"; do
  warm "${URL[$name]}" "$WARMUP"
  TARGETS+=("$name=${URL[$name]}")
done
measure_rounds "$ROUNDS" "$DURATION" "${TARGETS[@]}"

echo
echo "L7 keep-alive proxy, wrk -t1 -c${CONNS:-50}, median of $ROUNDS interleaved rounds of ${DURATION}s, $(nproc) CPUs, proxy CPU ${CPU_PROXY:-shared}"
printf "%-14s %10s %9s %9s %11s %11s %8s\n" target req/s p50_ms p99_ms "rps/haproxy" "p99/haproxy" non2xx
HRPS=$(median_of haproxy 1); HP99=$(median_of haproxy 3)
for name in "${ORDER[@]}"; do
  rps=$(median_of "$name" 1); p50=$(median_of "$name" 2); p99=$(median_of "$name" 3)
  bad=$(awk '{s+=$4} END {print s+0}' "$WORK/rounds/$name")
  printf "%-14s %10.0f %9.3f %9.3f %11.2f %11.2f %8s\n" "$name" "$rps" "$p50" "$p99" \
    "$(echo "$rps / $HRPS" | bc -l)" "$(echo "$p99 / $HP99" | bc -l)" "$bad"
done
