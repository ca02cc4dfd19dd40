#!/usr/bin/env bash
# The seed's experiment: 10 clients at 100 req/s each (hey -c 10 -q 100 -z 30s, 1000 req/s)
# through a load balancer in front of two nginx targets; during the run one target is stopped
# (gracefully: nginx -s quit, or SIGKILL) and started again. Prints the requests, the failures and
# how long the balancer took to mark the target down and up again. Fulcrum runs with active and
# passive health checks and Kong's default retries; HAProxy, measured in the same run, with the
# seed's `option redispatch`, `retries 3`, `retry-on all-retryable-errors` and `check inter 1s`.
#
#   bench/failover.sh            DURATION=30 STOP_AT=8 START_AT=18 to change the timeline
source "$(dirname "$0")/lib.sh"
need nginx haproxy hey curl socat
DURATION=${DURATION:-30}
STOP_AT=${STOP_AT:-8}
START_AT=${START_AT:-18}
T1=19301; T2=19302; FP=19310; FA=19311; HA=19320; HS=19321

nginx_target() { # name port
  cat >"$WORK/$1.conf" <<CONF
worker_processes 1;
daemon on;
pid $WORK/$1.pid;
error_log $WORK/$1.err;
events { worker_connections 1024; }
http { access_log off;
  server { listen 127.0.0.1:$2; location / { default_type text/plain; return 200 "$1\n"; } } }
CONF
  nginx -c "$WORK/$1.conf" -p "$WORK"
  wait_port "$2"
}
stop_target() { # name mode: 'stop' is nginx's graceful quit, 'kill' SIGKILLs master and workers
  local master
  master=$(cat "$WORK/$1.pid")
  if [ "$2" = kill ]; then
    # nginx daemonizes into its own process group: SIGKILL master and workers at once.
    kill -9 -- "-$master" || true
    rm -f "$WORK/$1.pid"
  else
    nginx -c "$WORK/$1.conf" -p "$WORK" -s quit
  fi
  while kill -0 "$master" 2>/dev/null || pgrep -P "$master" >/dev/null; do sleep 0.05; done
}
cleanup_targets() {
  for t in target1 target2; do
    if [ -f "$WORK/$t.pid" ]; then
      kill -9 -- "-$(cat "$WORK/$t.pid")" 2>/dev/null || true
    fi
  done
}
trap 'cleanup_targets; cleanup' EXIT

nginx_target target1 $T1
nginx_target target2 $T2

start_fulcrum "$WORK/fulcrum" $FP $FA
A="http://127.0.0.1:$FA"
curl -sf -X POST "$A/upstreams" --data name=nginx \
  --data healthchecks.active.healthy.interval=1 --data healthchecks.active.unhealthy.interval=1 \
  --data healthchecks.active.healthy.successes=2 --data healthchecks.active.unhealthy.tcp_failures=2 \
  --data healthchecks.active.unhealthy.http_failures=2 --data healthchecks.active.unhealthy.timeouts=2 \
  --data healthchecks.passive.unhealthy.tcp_failures=1 --data healthchecks.passive.unhealthy.timeouts=1 >/dev/null
curl -sf -X POST "$A/upstreams/nginx/targets" --data target=127.0.0.1:$T1 >/dev/null
curl -sf -X POST "$A/upstreams/nginx/targets" --data target=127.0.0.1:$T2 >/dev/null
curl -sf -X POST "$A/services" --data name=web --data host=nginx >/dev/null
curl -sf -X POST "$A/services/web/routes" --data 'paths[]=/' --data strip_path=false >/dev/null

cat >"$WORK/haproxy.cfg" <<CONF
global
  maxconn 4000
  stats socket ipv4@127.0.0.1:$HS level admin
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend main
  bind 127.0.0.1:$HA
  default_backend nginx
backend nginx
  balance roundrobin
  option redispatch
  retries 3
  retry-on all-retryable-errors
  server target1 127.0.0.1:$T1 check inter 1s
  server target2 127.0.0.1:$T2 check inter 1s
CONF
haproxy -D -f "$WORK/haproxy.cfg" -p "$WORK/haproxy.pid" 2>/dev/null
wait_port $HA

fulcrum_state() { # -> UP or DOWN for target1
  curl -s "$A/upstreams/nginx/health" | grep -o "\"target\":\"127.0.0.1:$T1\"[^}]*\"health\":\"[A-Z_]*\"" \
    | grep -q '"health":"HEALTHY"' && echo UP || echo DOWN
}
haproxy_state() {
  echo "show stat nginx 4 -1" | socat - "TCP:127.0.0.1:$HS" | awk -F, '$2=="target1" {print $18}' | cut -d' ' -f1
}

# run <proxy> <url> <mode>: prints "requests failures down_s up_s"
run() {
  local proxy=$1 url=$2 mode=$3 out="$WORK/hey-$1-$3.txt" states="$WORK/states-$1-$3.txt"
  : >"$states"
  # A poller records the balancer's view of target1 every 50 ms, independent of the timeline.
  (while true; do echo "$(date +%s.%N) $("${proxy}_state")" >>"$states"; sleep 0.05; done) &
  local poller=$!
  hey -c 10 -q 100 -z "${DURATION}s" "$url" >"$out" 2>&1 &
  local hey_pid=$! t0 stopped started
  t0=$(date +%s.%N)
  sleep "$STOP_AT"
  stopped=$(date +%s.%N)
  stop_target target1 "$mode"
  sleep "$(echo "$START_AT - ($(date +%s.%N) - $t0)" | bc)"
  started=$(date +%s.%N)
  nginx_target target1 $T1
  wait $hey_pid || true
  kill $poller 2>/dev/null || true
  local down up
  down=$(awk -v t="$stopped" '$1 >= t && $2 == "DOWN" {printf "%.2f", $1 - t; exit}' "$states")
  up=$(awk -v t="$started" '$1 >= t && $2 == "UP" {printf "%.2f", $1 - t; exit}' "$states")
  printf "%s %s %s\n" "$(hey_counts "$out")" "${down:-never}" "${up:-never}"
}

echo "warming up ..."
hey -c 10 -q 100 -z 10s "http://127.0.0.1:$FP/" >/dev/null 2>&1
hey -c 10 -q 100 -z 3s "http://127.0.0.1:$HA/" >/dev/null 2>&1

declare -A R
for proxy in fulcrum haproxy; do
  url="http://127.0.0.1:$FP/"; [ $proxy = haproxy ] && url="http://127.0.0.1:$HA/"
  for mode in stop kill; do
    R[$proxy-$mode]=$(run $proxy "$url" $mode)
    sleep 3
  done
done

echo
echo "hey -c 10 -q 100 -z ${DURATION}s (1000 req/s); target1 stopped at ${STOP_AT}s, started at ${START_AT}s"
printf "%-9s %-5s %9s %9s %14s %12s\n" proxy stop requests failures "marked down s" "marked up s"
for key in fulcrum-stop fulcrum-kill haproxy-stop haproxy-kill; do
  read -r req fail down up <<<"${R[$key]}"
  printf "%-9s %-5s %9s %9s %14s %12s\n" "${key%-*}" "${key#*-}" "$req" "$fail" "$down" "$up"
done
