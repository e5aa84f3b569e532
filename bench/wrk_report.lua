-- wrk helper: counts HTTP statuses per thread and writes the run's summary as JSON to
-- $BENCH_SUMMARY (latencies in microseconds), so bench/harness.py can read figures, not text.
-- A script that numbers its requests in a global `counter` gets the highest one back too.
-- Each thread gets its number (0, 1, ...) as the global `thread_no`.
local threads = {}
statuses = {}

function report_setup(thread)
   thread:set("thread_no", #threads)
   table.insert(threads, thread)
end

function count_status(status)
   statuses[status] = (statuses[status] or 0) + 1
end

setup = report_setup

function response(status, headers, body)
   count_status(status)
end

function done(summary, latency, requests)
   local merged, last_counter = {}, 0
   for _, thread in ipairs(threads) do
      last_counter = math.max(last_counter, thread:get("counter") or 0)
      for status, n in pairs(thread:get("statuses") or {}) do
         merged[status] = (merged[status] or 0) + n
      end
   end
   local parts = {}
   for status, n in pairs(merged) do
      table.insert(parts, string.format('"%d": %d', status, n))
   end
   local e = summary.errors
   local out = assert(io.open(os.getenv("BENCH_SUMMARY"), "w"))
   out:write(string.format(
      '{"duration_us": %d, "requests": %d, "last_counter": %d, "statuses": {%s}, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
      '"latency_us": {"p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
      summary.duration, summary.requests, last_counter, table.concat(parts, ", "),
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(95),
      latency:percentile(99), latency.max, latency.mean))
   out:close()
end
