#!/usr/bin/env bash
# JMH: nanoseconds and bytes allocated per balancer pick (round-robin, least-connections,
# consistent-hashing, latency) for 2 and 20 targets. The allocation column must read 0.
#   bench/balancers.sh            extra JMH options can follow, e.g. -f 2
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[ -f "$root/target/fulcrum.jar" ] || (cd "$root" && mvn -q -B -DskipTests package)
(cd "$root/bench/jmh" && mvn -q -B package)
# The benchmarks jar holds JMH and the benchmarks; Fulcrum itself comes from its own jar.
java -cp "$root/bench/jmh/target/benchmarks.jar:$root/target/fulcrum.jar" org.openjdk.jmh.Main \
  BalancerPick -prof gc "$@" | awk '/^Benchmark/ || /BalancerPick.pick / || /gc.alloc.rate.norm/'
