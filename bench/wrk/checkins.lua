-- wrk script for the ingest benchmark (bench/wrk_load.py): POST check-in bodies round-robin
-- over the devices of a Lua table file written per run, count every status, and print one
-- JSON line ("WRK_JSON {...}") with the counts and latency percentiles when the run is done.
--
--   wrk -t2 -c16 -d8s --timeout 30s -s bench/wrk/checkins.lua http://127.0.0.1:PORT -- DATA.lua
--
-- DATA.lua returns {path = "...", devices = {{headers = {...}, fields = '"account":"7"'}, ...},
-- symptoms = {'[{"code":"nausea","severity":0}, ...]', ...}}: `fields` is a JSON fragment
-- added to each body (the declared account for Aftercare, the patient id for the baseline).
-- With method = "GET" it sends each device's headers alone (the signed-in floor).

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

local data, sent, hexdigits = nil, 0, "0123456789abcdef"
statuses = {}

function init(args)
  data = dofile(args[1])
  math.randomseed(os.time() * 1000 + (thread_index or 0))
  wrk.method = "POST"
  wrk.path = data.path
end

local function uuid4()
  local out = {}
  for i = 1, 32 do
    local n = math.random(1, 16)
    if i == 13 then n = 5 elseif i == 17 then n = 9 + (n % 4) end -- version 4, variant 10xx
    out[i] = hexdigits:sub(n, n)
  end
  local s = table.concat(out)
  return s:sub(1, 8) .. "-" .. s:sub(9, 12) .. "-" .. s:sub(13, 16) .. "-" .. s:sub(17, 20)
    .. "-" .. s:sub(21, 32)
end

function request()
  -- Every thread walks the devices from its own offset with a stride of 997 (a prime), so
  -- the threads together spread their requests over all devices, none bound to a few.
  local devices = data.devices
  local index = ((thread_index or 0) * 131 + sent * 997) % #devices + 1
  sent = sent + 1
  local device = devices[index]
  if data.method == "GET" then -- the signed-in floor: the same devices, no body
    return wrk.format("GET", data.path, device.headers)
  end
  local symptoms = data.symptoms[sent % #data.symptoms + 1]
  local body = string.format(
    '{"client_id":"%s","taken_at":"%s","mood":%d,"note":"","symptoms":%s,%s}',
    uuid4(), os.date("!%Y-%m-%dT%H:%M:%S+00:00"), math.random(3, 9), symptoms, device.fields)
  local headers = {["Content-Type"] = "application/json"}
  for name, value in pairs(device.headers) do headers[name] = value end
  return wrk.format("POST", data.path, headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local function json_counts(counts)
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%d":%d', status, n))
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses") or {}) do
      total[status] = (total[status] or 0) + n
    end
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"statuses":%s,"socket_errors":%d,'
      .. '"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, json_counts(total),
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
