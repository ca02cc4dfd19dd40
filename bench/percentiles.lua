-- wrk script: prints latency percentiles (microseconds) after the run.
done = function(summary, latency, requests)
  io.write(string.format("PCT p50=%d p90=%d p99=%d p999=%d max=%d\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
