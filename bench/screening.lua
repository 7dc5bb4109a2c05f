-- wrk script: POST one anonymous EPDS screen (all answers at position 0) per request.
wrk.method = "POST"
wrk.body = '{"instrument":"epds","answers":[0,0,0,0,0,0,0,0,0,0]}'
wrk.headers["Content-Type"] = "application/json"
