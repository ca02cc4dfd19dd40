#!/usr/bin/env bash
# The seed's last experiment: 10 clients at 100 req/s each (hey -c 10 -q 100, 1000 req/s) through
# the load balancer in front of two nginx targets, while the load balancer itself is restarted
# twice (at RESTART_AT and RESTART_AT + GAP seconds). Once with keep-alive connections, once with a
# connection per request (hey -disable-keepalive). Fulcrum restarts with 'bin/fulcrum restart';
# HAProxy, measured in the same run, with its seamless reload: a new process started with
# '-x <stats socket> -sf <old pid>' takes the listening sockets over ('expose-fd listeners').
# Prints the requests and the failed ones (errors and non-200 answers) of each run.
#
#   bench/restart.sh            DURATION=20 RESTART_AT=6 GAP=7 to change the timeline
source "$(dirname "$0")/lib.sh"
need nginx haproxy hey curl
DURATION=${DURATION:-20}
RESTART_AT=${RESTART_AT:-6}
GAP=${GAP:-7}
T1=19401; T2=19402; FP=19410; FA=19411; HA=19420

start_nginx_targets $T1 $T2
ensure_jar

FULCRUM_ENV=(FULCRUM_PREFIX="$WORK/fulcrum" FULCRUM_PROXY_LISTEN="127.0.0.1:$FP" FULCRUM_ADMIN_LISTEN="127.0.0.1:$FA"
  FULCRUM_LOG_LEVEL=info)
start_fulcrum "$WORK/fulcrum" $FP $FA FULCRUM_LOG_LEVEL=info
A="http://127.0.0.1:$FA"
curl -sf -X POST "$A/upstreams" --data name=nginx >/dev/null
curl -sf -X POST "$A/upstreams/nginx/targets" --data target=127.0.0.1:$T1 >/dev/null
curl -sf -X POST "$A/upstreams/nginx/targets" --data target=127.0.0.1:$T2 >/dev/null
curl -sf -X POST "$A/services" --data name=web --data host=nginx >/dev/null
curl -sf -X POST "$A/services/web/routes" --data 'paths[]=/' --data strip_path=false >/dev/null

cat >"$WORK/haproxy.cfg" <<CONF
global
  maxconn 4000
  stats socket $WORK/haproxy.sock mode 600 level admin expose-fd listeners
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
  server target1 127.0.0.1:$T1
  server target2 127.0.0.1:$T2
CONF
haproxy -D -f "$WORK/haproxy.cfg" -p "$WORK/haproxy.pid" 2>/dev/null
wait_port $HA

restarts=0
restart_fulcrum() {
  restarts=$((restarts + 1))
  local log="$WORK/fulcrum-restart-$restarts.log"
  env "${FULCRUM_ENV[@]}" ${CPU_PROXY:+taskset -c $CPU_PROXY} "$ROOT/bin/fulcrum" restart >"$log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 300); do
    grep -q "Fulcrum restarted" "$log" && return 0
    grep -q "^Error" "$log" && { cat "$log" >&2; return 1; }
    sleep 0.05
  done
  echo "no restart within 15 s: $(cat "$log")" >&2; return 1
}
restart_haproxy() {
  haproxy -D -f "$WORK/haproxy.cfg" -p "$WORK/haproxy.pid" -x "$WORK/haproxy.sock" -sf "$(cat "$WORK/haproxy.pid")" 2>/dev/null
}

# run <proxy> <port> <keepalive|close>: prints "requests failed"
run() {
  local proxy=$1 port=$2 mode=$3 out="$WORK/hey-$1-$3.txt" flags=()
  [ "$mode" = close ] && flags=(-disable-keepalive)
  ${CPU_LOAD:+taskset -c $CPU_LOAD} hey -c 10 -q 100 -z "${DURATION}s" "${flags[@]}" "http://127.0.0.1:$port/" >"$out" 2>&1 &
  local hey_pid=$!
  sleep "$RESTART_AT"
  "restart_$proxy"
  sleep "$GAP"
  "restart_$proxy"
  wait $hey_pid || true
  hey_counts "$out"
}

curl -sf "http://127.0.0.1:$FP/" >/dev/null
curl -sf "http://127.0.0.1:$HA/" >/dev/null
printf "%-10s %-10s %9s %7s\n" proxy mode requests failed
for mode in keepalive close; do
  for proxy in fulcrum haproxy; do
    port=$FP; [ $proxy = haproxy ] && port=$HA
    read -r total failed < <(run $proxy $port $mode)
    printf "%-10s %-10s %9s %7s\n" "$proxy" "$mode" "$total" "$failed"
  done
done
echo "(each run restarts the proxy twice; hey's error lines are in $WORK/hey-*.txt)"
