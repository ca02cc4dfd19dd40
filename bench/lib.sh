# Shared helpers for the bench scripts (sourced).
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
WORK="${WORK:-$(mktemp -d /tmp/fulcrum-bench.XXXXXX)}"
PIDS=()

need() {
  local missing=()
  for tool in "$@"; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "installing ${missing[*]} ..." >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null
    else
      echo "missing: ${missing[*]} (apt-get install -y ${missing[*]})" >&2; exit 1
    fi
  fi
}

cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/nginx-backend.pid" ] && kill "$(cat "$WORK/nginx-backend.pid")" 2>/dev/null || true
  [ -f "$WORK/nginx-proxy.pid" ] && kill "$(cat "$WORK/nginx-proxy.pid")" 2>/dev/null || true
  [ -f "$WORK/haproxy.pid" ] && kill "$(cat "$WORK/haproxy.pid")" 2>/dev/null || true
  sleep 1
}
trap cleanup EXIT

wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "port $1 did not open" >&2; return 1
}

ensure_jar() {
  [ -f "$ROOT/target/fulcrum.jar" ] || (cd "$ROOT" && mvn -q -B -DskipTests package)
}

# start_fulcrum <prefix> <proxy port> <admin port> [extra env...]: through the launcher, so with
# its JVM defaults (FULCRUM_JAVA_OPTS adds to them)
start_fulcrum() {
  local prefix=$1 pport=$2 aport=$3; shift 3
  ensure_jar
  env FULCRUM_PREFIX="$prefix" FULCRUM_PROXY_LISTEN="127.0.0.1:$pport" FULCRUM_ADMIN_LISTEN="127.0.0.1:$aport" \
    FULCRUM_LOG_LEVEL="${FULCRUM_LOG_LEVEL:-warn}" "$@" \
    ${CPU_PROXY:+taskset -c $CPU_PROXY} "$ROOT/bin/fulcrum" start >"$prefix.log" 2>&1 &
  PIDS+=($!)
  wait_port "$pport"; wait_port "$aport"
}

# wrk_run <url> <seconds> -> prints "rps p50_ms p99_ms"
wrk_run() {
  local out
  out=$(${CPU_LOAD:+taskset -c $CPU_LOAD} wrk -t1 -c"${CONNS:-50}" -d"$2"s --latency "$1")
  echo "$out" | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec/ { rps=$2 }
    $1=="50%" { p50=ms($2) }
    $1=="99%" { p99=ms($2) }
    /Non-2xx/ { non2xx=$NF }
    /Socket errors/ { errs=$0 }
    END { printf "%.0f %.3f %.3f %s\n", rps, p50, p99, (non2xx==""?0:non2xx) }'
}

# hey_counts <hey output file> -> "requests failed": every request, and those that did not get a
# 200 (errors such as resets or refused connections, and other statuses)
hey_counts() {
  local total ok errors
  total=$(awk '/Status code distribution/ {f=1; next} f && /responses/ {gsub(/[\[\]]/,""); s+=$2} END {print s+0}' "$1")
  ok=$(awk '/\[200\]/ {print $2}' "$1"); ok=${ok:-0}
  errors=$(awk '/Error distribution/ {f=1; next} f && /\[[0-9]+\]/ {gsub(/[\[\]]/,""); s+=$1} END {print s+0}' "$1")
  echo "$((total + errors)) $((total - ok + errors))"
}

# wrk_close <url> <seconds> -> prints "rps": a new connection for every request
wrk_close() {
  local out
  out=$(${CPU_LOAD:+taskset -c $CPU_LOAD} wrk -t1 -c"${CONNS:-50}" -d"$2"s -H "Connection: close" "$1")
  echo "$out" | awk '/Requests\/sec/ { printf "%.0f\n", $2 }'
}

# Interleaved rounds: every target stays up (idle while another is measured) and each round
# measures every target once, so a slow spell of the machine hits all of them alike; medians
# are reported. Results go to $WORK/rounds/<name> as lines "rps p50_ms p99_ms non2xx".
# MEASURE (default wrk_run) is the function each measurement calls, e.g. MEASURE=wrk_close.
# measure_rounds <rounds> <seconds> name=url ...
measure_rounds() {
  local rounds=$1 secs=$2; shift 2
  mkdir -p "$WORK/rounds"
  for r in $(seq 1 "$rounds"); do
    for pair in "$@"; do
      local name=${pair%%=*} url=${pair#*=}
      "${MEASURE:-wrk_run}" "$url" "$secs" >>"$WORK/rounds/$name"
    done
  done
}

# median_of <name> <column 1..4> -> the median of that column over the rounds
median_of() {
  sort -n -k"$2","$2" "$WORK/rounds/$1" | awk -v c="$2" '{v[NR]=$c} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'
}

# warm <url> <seconds>: load, then two short rounds separated by idle seconds, so that a JIT's
# first idle->busy transitions (deoptimization and recompilation) happen before measuring
warm() {
  wrk_run "$1" "$2" >/dev/null
  sleep 1; wrk_run "$1" 3 >/dev/null
  sleep 1; wrk_run "$1" 3 >/dev/null
}

# create_routes <admin url> <start> <count> <out>: POSTs <count> routes to service "bench" over
# CONNS_ADMIN connections (a mix of prefix, host and regex paths, lua/create-routes.lua) and
# prints the writes/s (wrk stops on the script's DONE_FILE; its own req/s would count the wait).
create_routes() {
  local done_file="$WORK/created.$2"
  local t0 t1
  t0=$(date +%s.%N)
  START=$2 COUNT=$3 DONE_FILE=$done_file ${CPU_LOAD:+taskset -c $CPU_LOAD} wrk -t1 -c"${CONNS_ADMIN:-32}" \
    -d3600s -s "$BENCH_DIR/lua/create-routes.lua" "$1" >"$4" 2>"$4.err" &
  local wrk_pid=$!
  while [ ! -f "$done_file" ]; do
    kill -0 $wrk_pid 2>/dev/null || { echo "wrk ended early: $(cat "$4.err")" >&2; exit 1; }
    sleep 0.02
  done
  t1=$(date +%s.%N)
  kill -INT $wrk_pid; wait $wrk_pid || true
  echo "$3 / ($t1 - $t0)" | bc -l | xargs printf "%.0f\n"
}

# start_nginx_targets <port>...: nginx (on CPU_LOAD) answering "hello from target N" on the N-th
# port, keep-alive connections kept open; NGINX_HTTP adds directives to the http block and
# NGINX_SERVER to every server block.
start_nginx_targets() {
  {
    echo "worker_processes 1; daemon on; pid $WORK/nginx-backend.pid; error_log $WORK/nginx-backend.err;"
    echo "events { worker_connections 4096; }"
    echo "http {"
    echo "  access_log off; keepalive_requests 1000000; ${NGINX_HTTP:-}"
    local n=1 port
    for port in "$@"; do
      echo "  server { listen 127.0.0.1:$port; ${NGINX_SERVER:-} location / { return 200 \"hello from target $n\\n\"; } }"
      n=$((n + 1))
    done
    echo "}"
  } >"$WORK/backend.conf"
  ${CPU_LOAD:+taskset -c $CPU_LOAD} nginx -c "$WORK/backend.conf" -p "$WORK"
  for port in "$@"; do wait_port "$port"; done
}
