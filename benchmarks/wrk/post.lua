-- POSTs one JSON body (BENCH_BODY) per request, optionally with a fresh Idempotency-Key each
-- time (BENCH_KEYED=1, keys "bench-<BENCH_RUN>-<thread>-<n>", 8 to 100 characters as the API
-- requires), and counts the responses by status.
-- At the end it prints one line: BENCH_RESULT {json}.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  body = os.getenv("BENCH_BODY")
  keyed = os.getenv("BENCH_KEYED") == "1"
  prefix = "bench-" .. (os.getenv("BENCH_RUN") or "run") .. "-" .. tostring(tid)
end

function request()
  counter = counter + 1
  local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
  if keyed then
    headers["Idempotency-Key"] = prefix .. "-" .. string.format("%08d", counter)
  end
  return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      merged[status] = (merged[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(merged) do
    table.insert(parts, string.format('"%d": %d', status, count))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "statuses": {%s}, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
