-- wrk script for bench/ingest: builds each request body with the 90/10 repeat/new key mix.
-- Configured by environment variables (wrk runs done() and setup() in a Lua state where init()'s
-- arguments are not available, so the environment is the one channel every state can read):
--   WRK_MODE      enqueue | am | webhook   (body shape: PagerDuty Events v2, AM /api/v2/alerts, AM webhook v4)
--   WRK_PATH      request path
--   WRK_KEY       routing key (enqueue only)
--   WRK_BATCH     alerts per request (am, webhook)
--   WRK_POOL      number of repeated keys, k-0 .. k-(POOL-1)
--   WRK_NEWFRAC   share of alerts that get a brand-new key
--   WRK_NEWBASE   first number for new keys; thread i uses NEWBASE + i * 1e6 + counter
--   WRK_DELAY_MS  mean think time per connection between requests (0 = none: saturating closed loop)

local MODE = os.getenv('WRK_MODE') or 'enqueue'
local PATH = os.getenv('WRK_PATH') or '/'
local KEY = os.getenv('WRK_KEY') or ''
local BATCH = tonumber(os.getenv('WRK_BATCH') or '1')
local POOL = tonumber(os.getenv('WRK_POOL') or '1000')
local NEWFRAC = tonumber(os.getenv('WRK_NEWFRAC') or '0.1')
local NEWBASE = tonumber(os.getenv('WRK_NEWBASE') or '10000000')
local DELAY_MS = tonumber(os.getenv('WRK_DELAY_MS') or '0')

local HEADERS = { ['Content-Type'] = 'application/json' }

-- setup() runs in the main Lua state, once per thread: give each thread its own id.
local threadCount = 0
function setup(thread)
  thread:set('id', threadCount)
  threadCount = threadCount + 1
end

local nextNew = 0
function init(args)
  id = id or 0
  math.randomseed(os.time() * 1000 + id * 7919)
  -- LuaJIT's first draws after seeding are poorly mixed; throw a few away.
  for _ = 1, 10 do
    math.random()
  end
  nextNew = NEWBASE + id * 1000000
end

local function pick()
  if math.random() < NEWFRAC then
    local n = nextNew
    nextNew = nextNew + 1
    return n
  end
  return math.random(0, POOL - 1)
end

local function enqueueBody(n)
  return '{"routing_key":"' .. KEY .. '","event_action":"trigger","dedup_key":"k-' .. n
    .. '","payload":{"summary":"disk full on k-' .. n .. '","source":"bench","severity":"warning"}}'
end

local function amAlert(n)
  return '{"labels":{"alertname":"Bench","key":"k-' .. n .. '"},"annotations":{"summary":"disk full on k-' .. n .. '"}}'
end

local function webhookAlert(n)
  return '{"status":"firing","labels":{"alertname":"Bench","key":"k-' .. n
    .. '"},"annotations":{"summary":"disk full on k-' .. n
    .. '"},"startsAt":"2026-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"'
    .. string.format('%016x', n) .. '"}'
end

local WEBHOOK_HEAD = '{"version":"4","groupKey":"{}:{alertname=\\"Bench\\"}","status":"firing","receiver":"vigil",'
  .. '"groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://am","alerts":['

local function batchOf(make)
  local parts = {}
  for i = 1, BATCH do
    parts[i] = make(pick())
  end
  return table.concat(parts, ',')
end

function request()
  local body
  if MODE == 'enqueue' then
    body = enqueueBody(pick())
  elseif MODE == 'am' then
    body = '[' .. batchOf(amAlert) .. ']'
  else
    body = WEBHOOK_HEAD .. batchOf(webhookAlert) .. ']}'
  end
  return wrk.format('POST', PATH, HEADERS, body)
end

if DELAY_MS > 0 then
  -- Exponential think time with the given mean (rounded at random, so wrk's whole milliseconds keep
  -- the mean): each connection then sends at roughly Poisson times while it is not waiting.
  function delay()
    local d = -math.log(1 - math.random()) * DELAY_MS
    local whole = math.floor(d)
    if math.random() < d - whole then
      whole = whole + 1
    end
    return whole
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(
    string.format(
      'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,'
        .. '"mean_us":%.1f,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
      summary.requests,
      summary.duration,
      summary.bytes,
      latency:percentile(50),
      latency:percentile(90),
      latency:percentile(99),
      latency.max,
      latency.mean,
      e.connect,
      e.read,
      e.write,
      e.status,
      e.timeout
    )
  )
end
