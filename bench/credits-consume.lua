-- wrk script: POST /api/v1/credits/consume with a unique Idempotency-Key per request, rotating over
-- the secret keys listed (one per line) in the file named by $CREDITS_KEYS_FILE.
local keys = {}
local counter = 0
local prefix = ""
local next_thread = 1

function setup(thread)
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  for line in io.lines(os.getenv("CREDITS_KEYS_FILE")) do
    if #line > 0 then keys[#keys + 1] = line end
  end
  math.randomseed(os.time() * 1000 + thread_id)
  -- Unique across threads and runs, so no request is ever an idempotent replay.
  prefix = string.format("bench-%d-%d-%d-", os.time(), thread_id, math.random(1, 1000000000))
end

function request()
  counter = counter + 1
  local key = keys[(counter % #keys) + 1]
  return wrk.format("POST", "/api/v1/credits/consume", {
    ["Authorization"] = "Bearer " .. key,
    ["Idempotency-Key"] = prefix .. counter,
    ["Content-Type"] = "application/json",
  }, '{"amount":1}')
end
