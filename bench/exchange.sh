#!/usr/bin/env bash
# JMH: nanoseconds and bytes allocated per proxied keep-alive request on Fulcrum's own pipeline,
# without sockets (ExchangeBench: codecs, routing, steps, balancing, headers on embedded channels),
# for a Kong route and a haproxy.cfg frontend. It tracks the Java-side cost that the wrk figures
# of http-proxy.sh hide behind the kernel's loopback work.
#   bench/exchange.sh             extra JMH options can follow, e.g. -f 2
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[ -f "$root/target/fulcrum.jar" ] || (cd "$root" && mvn -q -B -DskipTests package)
(cd "$root/bench/jmh" && mvn -q -B package)
java -cp "$root/bench/jmh/target/benchmarks.jar:$root/target/fulcrum.jar" org.openjdk.jmh.Main \
  ExchangeBench -prof gc "$@" | awk '/^Benchmark/ || /ExchangeBench.proxiedRequest / || /gc.alloc.rate.norm/'
