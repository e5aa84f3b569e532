-- wrk script for bench/rush.py: many kiosks posting scans to /api/v1/scans, each request from the
-- next of the site's kiosks. The plan file ($BENCH_PLAN) has lines "kiosk<TAB>site<TAB>token" and
-- "card<TAB>site<TAB>payload"; every card and kiosk belongs to one site.
-- Request n of thread t takes the thread's next card: a cold plan holds more cards than a run
-- scans, so no card comes twice; a warm plan is gone through again and again, and the kiosk moves
-- on by the thread count with every pass, so a card is back at the same kiosk only after
-- kiosks / threads passes (past the debounce window: rush.py sizes the plan for it).
-- Scan ids are UUIDs "<run tag>-<thread>-4000-8000-<counter>"; every id answered 200 is appended
-- to $BENCH_ACKED.<thread> so the benchmark can count them back in the database.
dofile("wrk_report.lua")

function init(args)
   thread_total = tonumber(os.getenv("BENCH_THREADS") or "2")
   run_tag = os.getenv("BENCH_RUN_TAG")
   kiosks, cards = {}, {}
   for line in io.lines(os.getenv("BENCH_PLAN")) do
      local kind, site, value = line:match("^(%a+)\t(%d+)\t(.+)$")
      if kind == "kiosk" then
         table.insert(kiosks, "Bearer " .. value)
      elseif kind == "card" then
         table.insert(cards, value)
      end
   end
   counter = tonumber(os.getenv("BENCH_COUNTER_START") or "0")
   offset = math.floor(#cards * thread_no / thread_total)
   acked = assert(io.open(os.getenv("BENCH_ACKED") .. "." .. thread_no, "w"))
   acked:setvbuf("full")
end

function request()
   counter = counter + 1
   local index = (counter + offset) % #cards
   local pass = math.floor((counter + offset) / #cards)
   local kiosk = (index + pass * thread_total + thread_no) % #kiosks
   local id = string.format("%s-%04x-4000-8000-%012x", run_tag, thread_no, counter)
   local body = string.format(
      '{"id": "%s", "payload": "%s", "scanned_at": "%s", "direction": "auto"}',
      id, cards[index + 1], os.date("!%Y-%m-%dT%H:%M:%S+00:00"))
   return wrk.format("POST", "/api/v1/scans",
                     {["Content-Type"] = "application/json", ["Authorization"] = kiosks[kiosk + 1]}, body)
end

function response(status, headers, body)
   count_status(status)
   if status == 200 then
      local id = body:match('"(' .. run_tag .. '%-[%x%-]+)"')
      if id then acked:write(id, "\n") end
   end
end
