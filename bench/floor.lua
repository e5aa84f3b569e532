-- wrk script for bench/floor.py: scan-sized JSON bodies with unique ids to $BENCH_FLOOR_PATH.
dofile("wrk_report.lua")

function init(args)
   path, run_tag, counter = os.getenv("BENCH_FLOOR_PATH"), os.getenv("BENCH_RUN_TAG"), 0
   -- As long as an HMS card's QR payload (a URL with a token).
   payload = "https://hmskort.example/v/" .. string.rep("x", 40)
end

function request()
   counter = counter + 1
   local body = string.format(
      '{"id": "%s-%04x-4000-8000-%012x", "payload": "%s", "scanned_at": "%s", "direction": "auto"}',
      run_tag, thread_no, counter, payload, os.date("!%Y-%m-%dT%H:%M:%S+00:00"))
   return wrk.format("POST", path, {["Content-Type"] = "application/json"}, body)
end
