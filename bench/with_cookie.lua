-- GET the URL with the session cookie given after "--" (a signed-in staff member's).
-- An optional second argument is a think time in milliseconds: each connection then waits
-- between half and one and a half times that before its next request, like a person reading
-- the page. wrk's latency figures do not include the wait.
local think = 0

function init(args)
  wrk.headers["Cookie"] = args[1]
  think = tonumber(args[2] or "0")
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function delay()
  if think <= 0 then
    return 0
  end
  return math.random(math.floor(think / 2), math.floor(think * 3 / 2))
end
