-- Rotating refresh: each thread owns a pool of refresh tokens (its share of the lines of
-- BENCH_TOKENS); a request takes one, a 200 response puts its successor back. Every token
-- is used once, so no request is a reuse, and every connection follows live chains.
local thread_count = 0

setup = function(thread)
  thread:set("index", thread_count)
  thread_count = thread_count + 1
end

init = function(args)
  pool = {}
  local threads = tonumber(os.getenv("BENCH_THREADS"))
  local n = 0
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    if n % threads == index then table.insert(pool, line) end
    n = n + 1
  end
end

request = function()
  -- An empty pool (only after failed responses) sends a token that is refused: it counts.
  local token = table.remove(pool) or "pool-exhausted"
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"},
                    '{"refreshToken":"' .. token .. '"}')
end

response = function(status, headers, body)
  if status == 200 then
    local token = body:match('"refreshToken"%s*:%s*"([^"]+)"')
    if token then table.insert(pool, token) end
  end
end
