#!/usr/bin/env bash
# L4 proxy benchmark: HAProxy in tcp mode and Fulcrum running the same haproxy.cfg (tcp mode,
# round robin over the same two nginx targets), measured in one run:
#   - requests/s and p50/p99 with wrk, keep-alive (50 connections held open through the proxy),
#   - requests/s with a new connection per request (Connection: close: accept + connect each time),
#   - bulk bytes/s of one 1 GiB download through the proxy (curl).
# Each proxy gets one thread and, with two or more CPUs, the same CPU of its own (CPU_PROXY,
# default 1); wrk, curl and the targets share the other (CPU_LOAD, default 0). The wrk figures
# come from interleaved rounds (ROUNDS; medians); the downloads from the best of two.
#
#   bench/tcp-proxy.sh             ROUNDS=5 DURATION=8 WARMUP=30 CONNS=50 BULK_MB=1024
source "$(dirname "$0")/lib.sh"
need nginx haproxy wrk curl taskset bc
DURATION=${DURATION:-8}
ROUNDS=${ROUNDS:-5}
WARMUP=${WARMUP:-30}
BULK_MB=${BULK_MB:-1024}
if [ "$(nproc)" -ge 2 ]; then CPU_PROXY=${CPU_PROXY:-1}; CPU_LOAD=${CPU_LOAD:-0}; fi
T1=19301; T2=19302; HA=19310; FT=19311; FS=19312

truncate -s "${BULK_MB}M" "$WORK/bulk.bin"
# nginx workers run as another user: let them read the file.
chmod 755 "$WORK"; chmod 644 "$WORK/bulk.bin"
NGINX_HTTP="sendfile on;" NGINX_SERVER="root $WORK; location = /bulk.bin { }" start_nginx_targets $T1 $T2

# One configuration for both proxies: only the port differs.
tcp_cfg() {
  cat <<CONF
global
  nbthread 1
  maxconn 4000
  ${STATS:-}
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend fe
  bind 127.0.0.1:$1
  default_backend be
backend be
  balance roundrobin
  server t1 127.0.0.1:$T1
  server t2 127.0.0.1:$T2
CONF
}
tcp_cfg $HA >"$WORK/haproxy.cfg"
${CPU_PROXY:+taskset -c $CPU_PROXY} haproxy -D -f "$WORK/haproxy.cfg" -p "$WORK/haproxy.pid" 2>/dev/null
wait_port $HA

STATS="stats socket ipv4@127.0.0.1:$FS level admin" tcp_cfg $FT >"$WORK/fulcrum.cfg"
ensure_jar
env FULCRUM_PREFIX="$WORK/fulcrum" FULCRUM_WORKER_THREADS=1 FULCRUM_LOG_LEVEL="${FULCRUM_LOG_LEVEL:-warn}" \
  ${CPU_PROXY:+taskset -c $CPU_PROXY} "$ROOT/bin/fulcrum" start --haproxy-config "$WORK/fulcrum.cfg" >"$WORK/fulcrum.log" 2>&1 &
PIDS+=($!)
wait_port $FT; wait_port $FS

# bulk <port> -> bytes/s of one download of bulk.bin
bulk() {
  local out
  out=$(${CPU_LOAD:+taskset -c $CPU_LOAD} curl -sf -o /dev/null -w '%{size_download} %{speed_download}' \
    "http://127.0.0.1:$1/bulk.bin")
  set -- $out
  [ "$1" -eq $((BULK_MB * 1048576)) ] || { echo "bulk download incomplete: $1 bytes" >&2; exit 1; }
  echo "$2"
}

declare -A PORT=([direct]=$T1 [haproxy]=$HA [fulcrum]=$FT)
ORDER=(direct haproxy fulcrum)
KEEP=(); CLOSE=()
declare -A BULK
for name in "${ORDER[@]}"; do
  url="http://127.0.0.1:${PORT[$name]}/"
  warm "$url" "$WARMUP"
  wrk_close "$url" 5 >/dev/null
  KEEP+=("$name=$url"); CLOSE+=("$name-close=$url")
  a=$(bulk "${PORT[$name]}"); b=$(bulk "${PORT[$name]}")
  BULK[$name]=$(echo "if ($a > $b) $a else $b" | bc -l)
done
measure_rounds "$ROUNDS" "$DURATION" "${KEEP[@]}"
MEASURE=wrk_close measure_rounds "$ROUNDS" "$DURATION" "${CLOSE[@]}"

echo
echo "L4 (tcp mode) proxy, same haproxy.cfg, wrk -t1 -c${CONNS:-50}, median of $ROUNDS interleaved rounds of ${DURATION}s, $(nproc) CPUs, proxy CPU ${CPU_PROXY:-shared}"
printf "%-9s %10s %8s %8s %11s %11s %12s %11s %10s %11s\n" via "req/s" p50_ms p99_ms "rps/haproxy" "p99/haproxy" \
  "close req/s" "vs haproxy" "bulk MB/s" "vs haproxy"
HRPS=$(median_of haproxy 1); HP99=$(median_of haproxy 3); HCRPS=$(median_of haproxy-close 1)
for name in "${ORDER[@]}"; do
  rps=$(median_of "$name" 1); p99=$(median_of "$name" 3); crps=$(median_of "$name-close" 1)
  printf "%-9s %10.0f %8.3f %8.3f %11.2f %11.2f %12.0f %11.2f %10.0f %11.2f\n" "$name" "$rps" "$(median_of "$name" 2)" \
    "$p99" "$(echo "$rps / $HRPS" | bc -l)" "$(echo "$p99 / $HP99" | bc -l)" \
    "$crps" "$(echo "$crps / $HCRPS" | bc -l)" \
    "$(echo "${BULK[$name]} / 1048576" | bc -l)" "$(echo "${BULK[$name]} / ${BULK[haproxy]}" | bc -l)"
done
