-- POST a login for a random user among BENCH_USERS (bench1..benchN); BENCH_BODY is a
-- format string with %d (the user number) and BENCH_CONTENT_TYPE its content type.
-- Each request names a random client address in X-Forwarded-For (the server trusts
-- 127.0.0.1 as a proxy): logins come from many addresses, not all from one.
local users = tonumber(os.getenv("BENCH_USERS") or "1")
local body = os.getenv("BENCH_BODY")
local content_type = os.getenv("BENCH_CONTENT_TYPE") or "application/json"
local thread_count = 0

setup = function(thread)
  thread_count = thread_count + 1
  thread:set("seed", thread_count)
end

init = function(args)
  math.randomseed(os.time() * 100 + (seed or 0))
end

request = function()
  local n = math.random(users)
  local address = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255),
                                math.random(1, 254))
  return wrk.format("POST", nil, {["Content-Type"] = content_type, ["X-Forwarded-For"] = address},
                    string.format(body, n))
end
