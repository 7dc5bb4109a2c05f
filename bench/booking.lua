-- wrk script: POST /api/v1/bookings, each request for a free slot of its own (bench/README.md).
--
-- Arguments after "--": the file of start times (one a line, from bench/booking_fixture.py),
-- the first line to use (0-based), the number of wrk threads, the consultation type's slug and
-- the baby's birth date (YYYY-MM-DD). Thread t sends lines first+t, first+t+T, first+t+2T...
-- (T threads), so no two requests of one run share a line. done() prints how many responses had
-- each status ("status 201 1234") and the first line no thread reached ("next_line 5678"), which
-- bench/run.py passes as the first line of the next run.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  starts = {}
  for line in io.lines(args[1]) do
    if line ~= "" then
      starts[#starts + 1] = line
    end
  end
  first = tonumber(args[2])
  step = tonumber(args[3])
  kind = args[4]
  birth = args[5]
  sent = 0
  reached = -1
  statuses = {}
end

function request()
  local line = first + id + sent * step
  sent = sent + 1
  reached = line
  -- Past the end of the list the starts repeat: those bookings find the slot taken (409).
  local start = starts[(line % #starts) + 1]
  local body = string.format(
    '{"type":"%s","start":"%s","name":"Bench Patient %d","email":"bench-%d@example.org",'
      .. '"phone":"+1 617 555 0100","language":"en","stage":"postpartum","key_date":"%s",'
      .. '"consent_to_contact":true,"time_zone":"America/New_York"}',
    kind, start, line, line, birth
  )
  local headers = {
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("bench-booking-%d", line),
  }
  return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total, next_line = {}, 0
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses") or {}) do
      total[status] = (total[status] or 0) + count
    end
    next_line = math.max(next_line, (thread:get("reached") or -1) + 1)
  end
  for status, count in pairs(total) do
    io.write(string.format("status %d %d\n", status, count))
  end
  io.write(string.format("next_line %d\n", next_line))
end
