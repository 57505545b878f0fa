-- wrk script for make bench-api: each request asks for a random existing row.
-- ROUTE: a path with {product}, {question} or {page} (1 to 100) in it, e.g. /products/{product}/styles;
-- or "mix": a storefront page load (product, styles, related, reviews, meta, questions) for
-- one random product after another. MAX_PRODUCT, MAX_QUESTION: the largest ids loaded.
-- SEQUENTIAL=1 (warming the cache): ids 1, 2, 3… split between the threads, then random.
-- With "mix", WRITE_SHARE (0) of the requests are helpful votes on random reviews up to
-- MAX_REVIEW; RATE (0: as fast as possible) holds the whole run to that many requests a second,
-- split evenly between the THREADS threads, whatever the latency (make soak);
-- HOT_SET, when set, draws the mix's products from 1 to HOT_SET only.
-- At the end prints one JSON line: requests, rps, p50/p99/max in ms, non-2xx and socket errors.
local route = os.getenv("ROUTE")
local max_product = tonumber(os.getenv("MAX_PRODUCT"))
local hot_set = tonumber(os.getenv("HOT_SET") or "0")
local max_question = tonumber(os.getenv("MAX_QUESTION"))
local page_load = {
  "/products/{product}", "/products/{product}/styles", "/products/{product}/related",
  "/reviews?product_id={product}", "/reviews/meta?product_id={product}", "/qa/questions?product_id={product}",
}
local sequential = os.getenv("SEQUENTIAL") == "1"
local write_share = tonumber(os.getenv("WRITE_SHARE") or "0")
local max_review = tonumber(os.getenv("MAX_REVIEW") or "1")
local rate = tonumber(os.getenv("RATE") or "0")
local thread_count = tonumber(os.getenv("THREADS") or "2")  -- wrk's -t
local threads = {}
local step, product, next_id = 0, 1, 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
  next_id = id
end

-- The next id up to `max`: in order while warming, random otherwise.
local function pick(max)
  if sequential and next_id <= max then
    local value = next_id
    next_id = next_id + thread_count
    return value
  end
  return math.random(1, max)
end

local function fill(path)
  return (path:gsub("{product}", product)
              :gsub("{question}", pick(max_question))
              :gsub("{page}", math.random(1, 100)))
end

-- Defined only when asked: wrk then schedules every request through a timer. Each thread hands
-- its connections send times one interval apart; a slot missed while every connection was busy
-- is not made up later, so the rate never bursts above RATE.
if rate > 0 then
  local ffi = require("ffi")
  ffi.cdef[[
    typedef struct { long tv_sec; long tv_usec; } atelier_timeval;
    int gettimeofday(atelier_timeval *tv, void *tz);
  ]]
  local clock = ffi.new("atelier_timeval")
  local function now_ms()
    ffi.C.gettimeofday(clock, nil)
    return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_usec) / 1000
  end
  local interval = 1000 * thread_count / rate
  local next_slot = 0
  function delay()
    local now = now_ms()
    next_slot = math.max(next_slot + interval, now)
    return next_slot - now
  end
end

function request()
  if route == "mix" and write_share > 0 and math.random() < write_share then
    return wrk.format("PUT", string.format("/reviews/%d/helpful", math.random(1, max_review)))
  end
  if route == "mix" then
    if step % #page_load == 0 then product = math.random(1, hot_set > 0 and hot_set or max_product) end
    step = step + 1
    return wrk.format("GET", fill(page_load[(step - 1) % #page_load + 1]))
  end
  product = pick(max_product)
  return wrk.format("GET", fill(route))
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"rps":%.1f,"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"non_2xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
