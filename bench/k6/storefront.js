// make loadtest: ramping virtual users over the storefront's busiest reads, each with a
// random existing product, in the style of the legacy service's load tests.
// Environment: BASE_URL, MAX_PRODUCT, VUS (peak virtual users), DURATION (seconds at the peak).
import http from 'k6/http';
import { check } from 'k6';

const base = __ENV.BASE_URL || 'http://127.0.0.1:3091';
const maxProduct = parseInt(__ENV.MAX_PRODUCT || '1000', 10);
const peak = parseInt(__ENV.VUS || '100', 10);
const hold = `${parseInt(__ENV.DURATION || '30', 10)}s`;

export const options = {
  scenarios: {
    storefront: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: '10s', target: Math.ceil(peak / 4) },
        { duration: '10s', target: peak },
        { duration: hold, target: peak },
        { duration: '5s', target: 0 },
      ],
      gracefulRampDown: '5s',
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    // k6 shares the two cores with the server and PostgreSQL (about half a core at 50 users).
    http_req_duration: ['p(95)<100'],
  },
  summaryTrendStats: ['avg', 'p(50)', 'p(95)', 'p(99)', 'max'],
};

export default function () {
  const id = Math.floor(Math.random() * maxProduct) + 1;
  // One metric series per route, not per URL (ids would make a million of them).
  const responses = http.batch([
    ['GET', `${base}/reviews?product_id=${id}`, null, { tags: { name: 'reviews' } }],
    ['GET', `${base}/reviews/meta?product_id=${id}`, null, { tags: { name: 'reviews/meta' } }],
    ['GET', `${base}/qa/questions?product_id=${id}`, null, { tags: { name: 'qa/questions' } }],
    ['GET', `${base}/products/${id}/styles`, null, { tags: { name: 'products/:id/styles' } }],
  ]);
  for (const response of responses) {
    check(response, { 'status is 200': (r) => r.status === 200 });
  }
}

export function handleSummary(data) {
  const m = data.metrics;
  const line = `loadtest: ${m.http_reqs.values.count} requests, ${m.http_reqs.values.rate.toFixed(0)} req/s, `
    + `p95 ${m.http_req_duration.values['p(95)'].toFixed(2)} ms, p99 ${m.http_req_duration.values['p(99)'].toFixed(2)} ms, `
    + `error rate ${(m.http_req_failed.values.rate * 100).toFixed(2)}%, peak ${peak} virtual users\n`;
  return { stdout: line, [__ENV.SUMMARY || '/dev/null']: JSON.stringify(data, null, 2) };
}
