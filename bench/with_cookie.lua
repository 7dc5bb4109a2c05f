-- GET the URL with the session cookie given after "--" (a signed-in staff member's).
function init(args)
  wrk.headers["Cookie"] = args[1]
end
