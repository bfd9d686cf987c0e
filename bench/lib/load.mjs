// One benchmark case under load: autocannon against a URL for a fixed time and number of connections.
import autocannon from "autocannon";

/**
 * A case: `path` (fixed) or `next()` giving each request's `{ path?, body? }`, plus `method`, `headers`, `body`.
 * Returns requests per second (mean of autocannon's one-second samples), latency p50/p99 in ms, and everything
 * that was not a 2xx answer (with the first such answer).
 */
export async function measure(url, spec, { connections, duration }) {
  let firstFailure = null;
  const request = {
    path: spec.path ?? "/",
    ...(spec.next ? { setupRequest: (req) => Object.assign(req, spec.next()) } : {}),
    onResponse: (status, body) => {
      if (firstFailure === null && (status < 200 || status > 299)) firstFailure = `${status} ${body.slice(0, 300)}`;
    },
  };
  const result = await autocannon({
    url,
    connections,
    duration,
    method: spec.method ?? "GET",
    headers: spec.headers ?? {},
    body: spec.body,
    requests: [request],
    timeout: 30,
  });
  return {
    rps: result.requests.average,
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    firstFailure,
  };
}
