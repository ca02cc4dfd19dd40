#!/usr/bin/env bash
# Memory and responsiveness under many connections (issue "hardened against hostile input and
# overload"), Fulcrum and HAProxy in the same run:
#   1. IDLE idle keep-alive connections (9,000: this machine caps a process at 20,000 descriptors
#      and HAProxy needs two per connection), each after one request: RSS per connection;
#   2. WAITING clients (4,500) on an upstream that answers after SLOW seconds: RSS, and the Admin
#      API's latency meanwhile (Fulcrum);
#   3. BIG_CLIENTS clients downloading a large body at a slow rate (curl --limit-rate): peak RSS.
#   bench/overload.sh           IDLE=9000 WAITING=4500 SLOW=20 BIG_CLIENTS=20 to change them
source "$(dirname "$0")/lib.sh"
need nginx haproxy curl python3
IDLE=${IDLE:-9000}
WAITING=${WAITING:-4500}
SLOW=${SLOW:-20}
BIG_CLIENTS=${BIG_CLIENTS:-20}
T1=19501; SU=19502; FP=19510; FA=19511; HA=19520

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kib() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

head -c 200000000 /dev/zero >"$WORK/big.bin"
NGINX_SERVER="location /big { alias $WORK/big.bin; }" start_nginx_targets $T1
python3 "$BENCH_DIR/slow_upstream.py" $SU "$SLOW" >"$WORK/slow.log" 2>&1 &
PIDS+=($!)
wait_port $SU

start_fulcrum "$WORK/fulcrum" $FP $FA
FULCRUM_PID=${PIDS[-1]}
A="http://127.0.0.1:$FA"
curl -sf -X POST "$A/services" --data name=web --data url=http://127.0.0.1:$T1 >/dev/null
curl -sf -X POST "$A/services/web/routes" --data 'paths[]=/' --data strip_path=false >/dev/null
curl -sf -X POST "$A/services" --data name=slow --data url=http://127.0.0.1:$SU --data read_timeout=120000 >/dev/null
curl -sf -X POST "$A/services/slow/routes" --data 'paths[]=/slow' --data strip_path=false >/dev/null

cat >"$WORK/haproxy.cfg" <<CONF
global
  maxconn 9900
defaults
  mode http
  timeout connect 5s
  timeout client 120s
  timeout server 120s
  timeout http-keep-alive 120s
frontend main
  bind 127.0.0.1:$HA
  use_backend slow if { path_beg /slow }
  default_backend web
backend web
  server t1 127.0.0.1:$T1
backend slow
  server s 127.0.0.1:$SU
CONF
haproxy -D -f "$WORK/haproxy.cfg" -p "$WORK/haproxy.pid"
wait_port $HA
HAPROXY_PID=$(cat "$WORK/haproxy.pid")
curl -sf "http://127.0.0.1:$FP/" >/dev/null
curl -sf "http://127.0.0.1:$HA/" >/dev/null

# hold <proxy pid> <port> <mode> <n> <hold> <path>: opens the connections, prints
# "rss_before_kib rss_held_kib ok failed"
hold() {
  local pid=$1 before held out="$WORK/hold-$2-$3.txt"
  before=$(rss_kib "$pid")
  ${CPU_LOAD:+taskset -c $CPU_LOAD} python3 "$BENCH_DIR/connections.py" "$3" "$2" "$4" "$5" "$6" >"$out" 2>&1 &
  local client=$!
  while ! grep -q opened "$out"; do sleep 0.2; done
  sleep 3
  held=$(rss_kib "$pid")
  if [ "$3" = wait ] && [ "$pid" = "$FULCRUM_PID" ]; then
    for _ in 1 2 3 4 5; do
      curl -s -o /dev/null -w '%{time_total}\n' "$A/status" >>"$WORK/admin-latency.txt"
    done
  fi
  wait $client || true
  echo "$before $held $(tail -1 "$out")"
}

printf "%-8s %-22s %12s %12s %10s %8s\n" proxy test rss_before_MiB rss_held_MiB per_conn_KiB failed
for proxy in fulcrum haproxy; do
  pid=$FULCRUM_PID; port=$FP
  [ $proxy = haproxy ] && { pid=$HAPROXY_PID; port=$HA; }
  read -r before held ok failed < <(hold "$pid" "$port" idle "$IDLE" 20 /)
  printf "%-8s %-22s %12.1f %12.1f %10.1f %8s\n" $proxy "idle x$IDLE" "$(echo "$before/1024" | bc -l)" \
    "$(echo "$held/1024" | bc -l)" "$(echo "($held-$before)/$IDLE" | bc -l)" "$failed"
  read -r before held ok failed < <(hold "$pid" "$port" wait "$WAITING" $((SLOW + 30)) /slow)
  printf "%-8s %-22s %12.1f %12.1f %10.1f %8s\n" $proxy "waiting x$WAITING" "$(echo "$before/1024" | bc -l)" \
    "$(echo "$held/1024" | bc -l)" "$(echo "($held-$before)/$WAITING" | bc -l)" "$failed"
done
echo "Admin API GET /status while $WAITING clients wait on Fulcrum (s): $(paste -sd' ' "$WORK/admin-latency.txt")"

for proxy in fulcrum haproxy; do
  pid=$FULCRUM_PID; port=$FP
  [ $proxy = haproxy ] && { pid=$HAPROXY_PID; port=$HA; }
  before=$(rss_kib "$pid")
  readers=()
  for _ in $(seq 1 "$BIG_CLIENTS"); do
    curl -s -o /dev/null --limit-rate 2M --max-time 15 "http://127.0.0.1:$port/big" &
    readers+=($!)
  done
  peak=0
  for _ in $(seq 1 30); do
    r=$(rss_kib "$pid"); [ "$r" -gt "$peak" ] && peak=$r
    sleep 0.5
  done
  wait "${readers[@]}" || true
  printf "%-8s %-22s %12.1f %12.1f %10s\n" $proxy "$BIG_CLIENTS slow readers 200MB" "$(echo "$before/1024" | bc -l)" \
    "$(echo "$peak/1024" | bc -l)" "(peak)"
done
