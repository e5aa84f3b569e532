-- wrk script for bench/ingest.py: many kiosks posting UNIQUE scans to /api/v1/scans.
-- The plan file ($BENCH_PLAN) has lines "kiosk<TAB>site<TAB>token" and "card<TAB>site<TAB>payload".
-- Request n takes the next card (cards alternate between sites) and one of its site's kiosks;
-- the kiosk moves on after every full pass over the cards and each wrk thread has its own
-- kiosks, so the same card is not at the same kiosk again within the debounce window (that
-- would be a repeat read, not a registration). Scan ids are UUIDs
-- "<run tag>-<thread>-4000-8000-<counter>", unique per run; every id answered 200 is appended
-- to $BENCH_ACKED.<thread> so the benchmark can look for lost events.
dofile("wrk_report.lua")

function init(args)
   thread_total = tonumber(os.getenv("BENCH_THREADS") or "2")
   run_tag = os.getenv("BENCH_RUN_TAG")
   kiosks, cards = {}, {}
   for line in io.lines(os.getenv("BENCH_PLAN")) do
      local kind, site, value = line:match("^(%a+)\t(%d+)\t(.+)$")
      if kind == "kiosk" then
         kiosks[site] = kiosks[site] or {}
         table.insert(kiosks[site], "Bearer " .. value)
      elseif kind == "card" then
         table.insert(cards, {site = site, payload = value})
      end
   end
   counter = tonumber(os.getenv("BENCH_COUNTER_START") or "0")
   offset = math.floor(#cards * thread_no / thread_total)
   acked = assert(io.open(os.getenv("BENCH_ACKED") .. "." .. thread_no, "w"))
   acked:setvbuf("full")
end

function request()
   counter = counter + 1
   local card = cards[(counter + offset) % #cards + 1]
   local gates = kiosks[card.site]
   local slot = (math.floor(counter / #cards) * thread_total + thread_no) % #gates
   local id = string.format("%s-%04x-4000-8000-%012x", run_tag, thread_no, counter)
   local body = string.format(
      '{"id": "%s", "payload": "%s", "scanned_at": "%s", "direction": "auto"}',
      id, card.payload, os.date("!%Y-%m-%dT%H:%M:%S+00:00"))
   return wrk.format("POST", "/api/v1/scans",
                     {["Content-Type"] = "application/json", ["Authorization"] = gates[slot + 1]}, body)
end

function response(status, headers, body)
   count_status(status)
   if status == 200 then
      local id = body:match('"(' .. run_tag .. '%-[%x%-]+)"')
      if id then acked:write(id, "\n") end
   end
end
