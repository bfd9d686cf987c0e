// The client against a fake fetch: retries and Retry-After, the idempotency key kept across them, paging, problems,
// uploads. The same calls against the running service are in integration/.
import { describe, expect, it } from "vitest";
import { BeianProblem, createBeianClient, type FilingRequest, parseRetryAfter } from "../src";
import { retryingFetch } from "../src/retry";

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

/** A fetch answering `answers` in turn (the last one again when they run out), recording every request. */
function fakeFetch(...answers: (Answer | Error)[]) {
  const requests: { method: string; url: string; headers: Headers; body: string }[] = [];
  const fetch = async (request: Request) => {
    requests.push({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: request.body ? await request.text() : "",
    });
    const answer = answers[Math.min(requests.length, answers.length) - 1];
    if (answer instanceof Error) throw answer;
    if (!answer) throw new Error("no answer");
    const json = answer.body === undefined ? null : JSON.stringify(answer.body);
    const type = answer.status >= 400 ? "application/problem+json" : "application/json";
    return new Response(answer.status === 204 ? null : json, {
      status: answer.status,
      headers: { ...(json ? { "content-type": type } : {}), ...answer.headers },
    });
  };
  return { fetch, requests };
}

const problem = (status: number, code: string, errors?: unknown[]) => ({
  type: `https://beian.dev/problems/${code.toLowerCase()}`,
  title: code,
  status,
  code,
  detail: `${code} happened`,
  requestId: "req_1",
  ...(errors ? { errors } : {}),
});
const filing = { id: "fil_1", status: "platform_review" };
// Only its bytes matter here: the fake server never reads it.
const body = { type: "new", appId: "wx0123456789abcdef" } as unknown as FilingRequest;
const waitsOf = () => {
  const waits: number[] = [];
  return { waits, wait: async (ms: number) => void waits.push(ms) };
};

describe("Retry-After", () => {
  const now = Date.parse("2026-12-02T08:00:00Z");
  it("reads delay-seconds", () => {
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter(" 120 ", now)).toBe(120_000);
  });
  it("reads an HTTP date as the time left until it, 0 once it has passed", () => {
    expect(parseRetryAfter("Wed, 02 Dec 2026 08:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wednesday, 02-Dec-26 08:01:00 GMT", now)).toBe(60_000);
    expect(parseRetryAfter("Wed Dec  2 08:00:05 2026", now)).toBe(5_000);
    expect(parseRetryAfter("Wed, 02 Dec 2026 07:00:00 GMT", now)).toBe(0);
  });
  it("is undefined when absent or unreadable", () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-5", now)).toBeUndefined();
    expect(parseRetryAfter("2026-12-02", now)).toBeUndefined();
  });
});

describe("retries", () => {
  const post = () =>
    new Request("http://beian.test/v1/filings", { method: "POST", body: '{"a":1}', headers: { "x-n": "1" } });

  it("wait what Retry-After asks, then send the same request again", async () => {
    const { fetch, requests } = fakeFetch(
      { status: 429, body: problem(429, "RATE_LIMITED"), headers: { "retry-after": "7" } },
      { status: 503, headers: { "retry-after": "Thu, 01 Jan 1970 00:00:00 GMT" } },
      { status: 201, body: filing },
    );
    const { waits, wait } = waitsOf();
    const res = await retryingFetch(fetch, {}, wait)(post());
    expect(res.status).toBe(201);
    expect(waits).toEqual([7000, 0]);
    expect(requests.map((r) => [r.method, r.url, r.body, r.headers.get("x-n")])).toEqual(
      Array(3).fill(["POST", "http://beian.test/v1/filings", '{"a":1}', "1"]),
    );
  });

  it("back off exponentially when the server names no wait, and give up after `retries`", async () => {
    const { fetch, requests } = fakeFetch({ status: 503 });
    const { waits, wait } = waitsOf();
    const res = await retryingFetch(fetch, { retries: 3, baseDelayMs: 100 }, wait)(post());
    expect(res.status).toBe(503);
    expect(requests).toHaveLength(4);
    expect(waits).toEqual([100, 200, 400]);
  });

  it("stop when Retry-After asks for more than maxDelayMs", async () => {
    const { fetch, requests } = fakeFetch({ status: 429, headers: { "retry-after": "61" } });
    const { waits, wait } = waitsOf();
    const res = await retryingFetch(fetch, { maxDelayMs: 60_000 }, wait)(post());
    expect([res.status, requests.length, waits]).toEqual([429, 1, []]);
  });

  it("leave other statuses alone", async () => {
    for (const status of [200, 400, 409, 500, 502]) {
      const { fetch, requests } = fakeFetch({ status });
      expect((await retryingFetch(fetch, {}, waitsOf().wait)(post())).status).toBe(status);
      expect(requests).toHaveLength(1);
    }
  });

  it("repeat a failed connection only when repeating is safe: an idempotent method or an Idempotency-Key", async () => {
    const down = new TypeError("fetch failed");
    const plain = fakeFetch(down, { status: 201 });
    await expect(retryingFetch(plain.fetch, {}, waitsOf().wait)(post())).rejects.toBe(down);
    expect(plain.requests).toHaveLength(1);

    const keyed = fakeFetch(down, { status: 201 });
    const request = post();
    request.headers.set("idempotency-key", "k1");
    expect((await retryingFetch(keyed.fetch, {}, waitsOf().wait)(request)).status).toBe(201);
    expect(keyed.requests.map((r) => r.body)).toEqual(['{"a":1}', '{"a":1}']);

    const get = fakeFetch(down, down, { status: 200, body: {} });
    expect((await retryingFetch(get.fetch, {}, waitsOf().wait)(new Request("http://beian.test/v1/apps"))).status).toBe(
      200,
    );
  });
});

describe("submitFiling", () => {
  it("sends one fresh Idempotency-Key, the same on each retry, and the same body", async () => {
    const { fetch, requests } = fakeFetch(
      { status: 503, headers: { "retry-after": "0" } },
      { status: 429, headers: { "retry-after": "0" } },
      { status: 201, body: filing },
    );
    const beian = createBeianClient({
      baseUrl: "http://beian.test/",
      key: "k_dev",
      fetch,
      headers: { "accept-language": "zh-CN" },
    });
    expect(await beian.submitFiling(body)).toEqual(filing);
    const keys = requests.map((r) => r.headers.get("idempotency-key"));
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(keys).size).toBe(1);
    expect(new Set(requests.map((r) => r.body))).toEqual(new Set([JSON.stringify(body)]));
    expect(requests[0]?.url).toBe("http://beian.test/v1/filings");
    expect(requests[0]?.headers.get("authorization")).toBe("Bearer k_dev");
    expect(requests[0]?.headers.get("content-type")).toBe("application/json");
    expect(requests[0]?.headers.get("accept-language")).toBe("zh-CN");
  });

  it("uses the caller's key, and a new one for each call without one", async () => {
    const { fetch, requests } = fakeFetch({ status: 201, body: filing });
    const beian = createBeianClient({ baseUrl: "http://beian.test", key: "k", fetch });
    await beian.submitFiling(body, { idempotencyKey: "order-42" });
    await beian.submitFiling(body);
    await beian.submitFiling(body);
    const [mine, a, b] = requests.map((r) => r.headers.get("idempotency-key"));
    expect(mine).toBe("order-42");
    expect(a).not.toBe(b);
  });

  it("throws the last answer's problem when the retries run out", async () => {
    const { fetch, requests } = fakeFetch({ status: 503, headers: { "retry-after": "0" } });
    const beian = createBeianClient({ baseUrl: "http://beian.test", fetch, retries: { retries: 2 } });
    const error = await beian.submitFiling(body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BeianProblem);
    expect((error as BeianProblem).code).toBe("HTTP_503");
    expect(requests).toHaveLength(3);
  });

  it("sends once with retries: false", async () => {
    const { fetch, requests } = fakeFetch({ status: 429, headers: { "retry-after": "0" } });
    const beian = createBeianClient({ baseUrl: "http://beian.test", fetch, retries: false });
    await expect(beian.submitFiling(body)).rejects.toBeInstanceOf(BeianProblem);
    expect(requests).toHaveLength(1);
  });
});

describe("problems", () => {
  it("an error answer throws BeianProblem with its code, request id and field problems", async () => {
    const errors = [
      { path: "organizer.certificate.number", code: "INVALID_CHECK_CHARACTER", message: "check character" },
      { path: "organizer.principal.mobile", code: "INVALID_FORMAT", message: "mobile" },
      { path: "service.name", code: "TOO_LONG", message: "too long" },
    ];
    const { fetch } = fakeFetch({ status: 422, body: problem(422, "VALIDATION_FAILED", errors) });
    const beian = createBeianClient({ baseUrl: "http://beian.test", fetch });
    const error = (await beian.submitFiling(body).catch((e: unknown) => e)) as BeianProblem;
    expect(error).toBeInstanceOf(BeianProblem);
    expect(error).toMatchObject({ status: 422, code: "VALIDATION_FAILED", requestId: "req_1", errors });
    expect(error.message).toBe("VALIDATION_FAILED: VALIDATION_FAILED happened");
    expect(error.errorsAt("organizer").map((e) => e.path)).toEqual([
      "organizer.certificate.number",
      "organizer.principal.mobile",
    ]);
    expect(error.errorsAt("service.name")).toHaveLength(1);
  });

  it("an answer that is not a problem document is HTTP_<status>, its text kept", async () => {
    const fetch = async () =>
      new Response("<html>bad gateway</html>", { status: 502, headers: { "x-request-id": "req_9" } });
    const beian = createBeianClient({ baseUrl: "http://beian.test", fetch });
    const error = (await beian.GET("/v1/apps").catch((e: unknown) => e)) as BeianProblem;
    expect(error).toMatchObject({ status: 502, code: "HTTP_502", requestId: "req_9", errors: [] });
    expect(error.body).toBe("<html>bad gateway</html>");
  });

  it("a 204 resolves to undefined", async () => {
    const { fetch, requests } = fakeFetch({ status: 204 });
    const beian = createBeianClient({ baseUrl: "http://beian.test", key: "k", fetch });
    expect(await beian.DELETE("/v1/webhook")).toBeUndefined();
    expect(requests[0]?.method).toBe("DELETE");
  });
});

describe("paging", () => {
  it("follows nextCursor through `cursor` until it is null", async () => {
    const { fetch, requests } = fakeFetch(
      { status: 200, body: { items: [{ id: "f1" }, { id: "f2" }], nextCursor: "c2" } },
      { status: 200, body: { items: [{ id: "f3" }], nextCursor: "c3" } },
      { status: 200, body: { items: [{ id: "f4" }], nextCursor: null } },
    );
    const beian = createBeianClient({ baseUrl: "http://beian.test", fetch });
    const ids: string[] = [];
    for await (const f of beian.filings({ status: "approved", limit: 2 })) ids.push(f.id);
    expect(ids).toEqual(["f1", "f2", "f3", "f4"]);
    expect(requests.map((r) => new URL(r.url).search)).toEqual([
      "?status=approved&limit=2",
      "?status=approved&limit=2&cursor=c2",
      "?status=approved&limit=2&cursor=c3",
    ]);
  });

  it("pages events through `after`, from the one given, until a page comes back empty", async () => {
    const { fetch, requests } = fakeFetch(
      { status: 200, body: { items: [{ id: "e2" }, { id: "e3" }], nextCursor: "e3" } },
      // Nothing new: the list answers the cursor it was given.
      { status: 200, body: { items: [], nextCursor: "e3" } },
    );
    const beian = createBeianClient({ baseUrl: "http://beian.test", fetch });
    const pages = [];
    for await (const page of beian.pages("/v1/events", { params: { query: { after: "e1" } } })) pages.push(page);
    expect(pages.map((p) => p.nextCursor)).toEqual(["e3", "e3"]);
    expect(requests.map((r) => new URL(r.url).search)).toEqual(["?after=e1", "?after=e3"]);
  });

  it("stops fetching when the loop stops", async () => {
    const { fetch, requests } = fakeFetch({
      status: 200,
      body: { items: [{ id: "q1" }, { id: "q2" }], nextCursor: "n" },
    });
    const beian = createBeianClient({ baseUrl: "http://beian.test", fetch });
    for await (const item of beian.reviewQueue()) if (item.id === "q2") break;
    expect(requests).toHaveLength(1);
  });

  it("throws the problem of a page that fails", async () => {
    const { fetch } = fakeFetch(
      { status: 200, body: { items: [{ id: "d1" }], nextCursor: "x" } },
      { status: 404, body: problem(404, "NOT_FOUND") },
    );
    const beian = createBeianClient({ baseUrl: "http://beian.test", fetch });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const d of beian.deliveries()) seen.push(d.id);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(["d1"]);
    expect((error as BeianProblem).code).toBe("NOT_FOUND");
  });
});

describe("uploadMaterial", () => {
  it("posts multipart parts field, certificateType and file, and retries with the same bytes", async () => {
    const forms: FormData[] = [];
    let calls = 0;
    const fetch = async (request: Request) => {
      forms.push(await request.formData());
      return ++calls === 1
        ? new Response(null, { status: 503, headers: { "retry-after": "0" } })
        : Response.json({ mediaId: "med_1" }, { status: 201 });
    };
    const beian = createBeianClient({ baseUrl: "http://beian.test", key: "k", fetch });
    const file = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const material = await beian.uploadMaterial({
      field: "organizer.principal.certificate.front",
      certificateType: "resident_id",
      file,
      filename: "front.png",
    });
    expect(material.mediaId).toBe("med_1");
    expect(forms).toHaveLength(2);
    for (const form of forms) {
      expect([...form.keys()].sort()).toEqual(["certificateType", "field", "file"]);
      expect(form.get("field")).toBe("organizer.principal.certificate.front");
      expect(form.get("certificateType")).toBe("resident_id");
      const sent = form.get("file") as File;
      expect(sent.name).toBe("front.png");
      expect(new Uint8Array(await sent.arrayBuffer())).toEqual(file);
    }
  });
});
