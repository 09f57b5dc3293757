-- GET wrk's URL with the headers in BENCH_HEADER_1 / BENCH_HEADER_2 ("Name: value").
for _, var in ipairs({"BENCH_HEADER_1", "BENCH_HEADER_2"}) do
  local h = os.getenv(var)
  if h and h ~= "" then
    local name, value = h:match("^([^:]+):%s*(.*)$")
    wrk.headers[name] = value
  end
end
