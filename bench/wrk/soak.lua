-- wrk script for make soak: storefront page loads (product, styles, related, reviews, meta,
-- questions) for random products, with WRITE_SHARE (0.01) of requests a helpful vote on a
-- random review, each connection pausing DELAY_MS between requests so that the rate is held
-- (wrk itself has no rate option). MAX_PRODUCT, MAX_REVIEW: the largest ids loaded.
-- At the end prints one JSON line: requests, rps, p50/p99 in ms, non-2xx and socket errors.
local max_product = tonumber(os.getenv("MAX_PRODUCT"))
local max_review = tonumber(os.getenv("MAX_REVIEW"))
local write_share = tonumber(os.getenv("WRITE_SHARE") or "0.01")
local pause = tonumber(os.getenv("DELAY_MS") or "0")
local page_load = {
  "/products/%d", "/products/%d/styles", "/products/%d/related",
  "/reviews?product_id=%d", "/reviews/meta?product_id=%d", "/qa/questions?product_id=%d",
}
local threads = {}
local step, product = 0, 1

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
end

function delay()
  return pause
end

function request()
  if math.random() < write_share then
    return wrk.format("PUT", string.format("/reviews/%d/helpful", math.random(1, max_review)))
  end
  if step % #page_load == 0 then product = math.random(1, max_product) end
  step = step + 1
  return wrk.format("GET", string.format(page_load[(step - 1) % #page_load + 1], product))
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"rps":%.1f,"p50_ms":%.2f,"p99_ms":%.2f,"non_2xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
