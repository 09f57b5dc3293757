-- POST a login for a random user among BENCH_USERS (bench1..benchN); BENCH_BODY is a
-- format string with %d (the user number) and BENCH_CONTENT_TYPE its content type.
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
  return wrk.format("POST", nil, {["Content-Type"] = content_type}, string.format(body, n))
end
