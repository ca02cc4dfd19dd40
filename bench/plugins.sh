#!/usr/bin/env bash
# Plugin cost (issue "Plugins and consumers"): one Fulcrum node (one worker thread, CPU_PROXY),
# the same nginx target behind four routes, measured in one run with wrk in interleaved rounds:
#   plain      no plugin
#   local      key-auth + rate-limiting (policy local), Kong's benchmark set-up
#   redis      key-auth + rate-limiting (policy redis, a local Redis)
#   cached     proxy-cache (memory) hits, against nginx serving the same body directly
# Kong's published figure: with key-auth + rate-limiting it keeps 74-76% of its plain throughput.
#
#   bench/plugins.sh            ROUNDS=5 DURATION=8 WARMUP=20 CONNS=50 to change the run
source "$(dirname "$0")/lib.sh"
need nginx wrk curl taskset redis-server
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-20}
ROUNDS=${ROUNDS:-5}
if [ "$(nproc)" -ge 2 ]; then CPU_PROXY=${CPU_PROXY:-1}; CPU_LOAD=${CPU_LOAD:-0}; fi
T1=19301; FP=19312; FA=19313; RP=${REDIS_PORT:-6379}

NGINX_HTTP="default_type text/plain;" start_nginx_targets $T1
if ! (exec 3<>"/dev/tcp/127.0.0.1/$RP") 2>/dev/null; then
  ${CPU_LOAD:+taskset -c $CPU_LOAD} redis-server --daemonize yes --bind 127.0.0.1 --port "$RP" --save "" --appendonly no >/dev/null
  wait_port "$RP"
fi

start_fulcrum "$WORK/fulcrum" $FP $FA FULCRUM_WORKER_THREADS=1
A="http://127.0.0.1:$FA"
post() { curl -sf -X POST "$A$1" "${@:2}" >/dev/null; }
post /services --data name=bench --data url="http://127.0.0.1:$T1"
for r in plain local redis cached; do post /services/bench/routes --data name=$r --data "paths[]=/$r"; done
post /consumers --data username=bench
post /consumers/bench/key-auth --data key=bench-key
for r in local redis; do post /routes/$r/plugins --data name=key-auth; done
# Limits far above what the run sends: the cost measured is counting, not refusing.
post /routes/local/plugins --data name=rate-limiting --data config.hour=1000000000 --data config.policy=local
post /routes/redis/plugins --data name=rate-limiting --data config.hour=1000000000 --data config.policy=redis \
  --data config.redis.host=127.0.0.1 --data config.redis.port=$RP
post /routes/cached/plugins --data name=proxy-cache --data config.strategy=memory
sleep 1

declare -A URL=(
  [plain]="http://127.0.0.1:$FP/plain/"
  [local]="http://127.0.0.1:$FP/local/?apikey=bench-key"
  [redis]="http://127.0.0.1:$FP/redis/?apikey=bench-key"
  [cached]="http://127.0.0.1:$FP/cached/"
  [nginx-direct]="http://127.0.0.1:$T1/"
)
ORDER=(plain local redis cached nginx-direct)
for name in "${ORDER[@]}"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "${URL[$name]}")
  [ "$code" = 200 ] || { echo "$name answers $code" >&2; exit 1; }
done
[ "$(curl -s -o /dev/null -D - "${URL[cached]}" | grep -i '^x-cache-status' | tr -d '\r' | awk '{print $2}')" = Hit ] \
  || { echo "proxy-cache does not hit" >&2; exit 1; }
TARGETS=()
for name in "${ORDER[@]}"; do
  warm "${URL[$name]}" "$WARMUP"
  TARGETS+=("$name=${URL[$name]}")
done
measure_rounds "$ROUNDS" "$DURATION" "${TARGETS[@]}"

echo
echo "Plugins, wrk -t1 -c${CONNS:-50}, median of $ROUNDS interleaved rounds of ${DURATION}s, $(nproc) CPUs, proxy CPU ${CPU_PROXY:-shared}"
printf "%-14s %10s %9s %9s %12s %8s\n" target req/s p50_ms p99_ms "rps/baseline" non2xx
PLAIN=$(median_of plain 1); DIRECT=$(median_of nginx-direct 1)
for name in "${ORDER[@]}"; do
  rps=$(median_of "$name" 1); p50=$(median_of "$name" 2); p99=$(median_of "$name" 3)
  bad=$(awk '{s+=$4} END {print s+0}' "$WORK/rounds/$name")
  base=$PLAIN; [ "$name" = cached ] && base=$DIRECT; [ "$name" = nginx-direct ] && base=$DIRECT
  printf "%-14s %10.0f %9.3f %9.3f %12.2f %8s\n" "$name" "$rps" "$p50" "$p99" "$(echo "$rps / $base" | bc -l)" "$bad"
done
echo "(plain, local and redis against plain; cached and nginx-direct against nginx-direct)"
