import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { callJson, newAccount, newApp, unique, validFiling } from "../support/api";
import { approve, staff } from "../support/lifecycle";

// Each test speaks as its own client, so one test's use of the rate limit never touches another's.
const client = () => ({ "cf-connecting-ip": `203.0.113.${unique() % 250}` });
const lookup = (numbers: unknown, headers: Record<string, string> = client()) =>
  callJson("/v1/public/registrations/lookup", { body: { numbers }, headers });

/** Numbers of the right form that nobody holds; `tag` keeps each test's numbers its own. */
const unknownNumbers = (tag: number, n: number) =>
  Array.from({ length: n }, (_, i) => `粤ICP备2025${tag}${String(i).padStart(4, "0")}号-1X`);

let numbers: string[];

beforeAll(async () => {
  const keys = await staff();
  const dev = await newAccount("developer");
  numbers = [];
  for (let i = 0; i < 3; i++) {
    const filing = await callJson("/v1/filings", { key: dev.key, body: validFiling(await newApp(dev.key)) });
    numbers.push((await approve(filing.body.id, keys)).body.registrationNumber);
  }
});

afterEach(() => vi.restoreAllMocks());

describe("POST /v1/public/registrations/lookup", () => {
  it("answers in the order asked, each as the single lookup does, null for what is not found", async () => {
    const [a = "", b = "", c = ""] = numbers;
    const fullWidth = b.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)).replace(/X$/, "x");
    const asked = [c, "粤ICP备2099999999号-1X", ` ${fullWidth} `, "not a number", a, a];
    const res = await lookup(asked);
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { query: string }) => i.query)).toEqual(asked);
    expect(
      res.body.items.map((i: { record: { serviceLicence: string } | null }) => i.record?.serviceLicence ?? null),
    ).toEqual([c, null, b, null, a, a]);
    for (const [i, query] of asked.entries()) {
      const single = await callJson(`/v1/public/registrations/${encodeURIComponent(query)}`, { headers: client() });
      expect(res.body.items[i].record, query).toEqual(single.status === 200 ? single.body : null);
    }
    expect(res.res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("counts each number it reads against the client's limit: 50 numbers use 50 of the allowance", async () => {
    const me = client();
    const asked = vi.spyOn(env.PUBLIC_RATE_LIMITER, "limit");
    const first = await lookup(unknownNumbers(81, 50), me);
    expect(first.status).toBe(200);
    expect(asked).toHaveBeenCalledTimes(50);
    // The same numbers again are held in memory: they cost nothing.
    expect((await lookup(unknownNumbers(81, 50), me)).status).toBe(200);
    expect(asked).toHaveBeenCalledTimes(50);
    // The allowance is 120 a period: a second 50 fits, a third does not.
    expect((await lookup(unknownNumbers(82, 50), me)).status).toBe(200);
    const third = await lookup(unknownNumbers(83, 50), me);
    expect(third.status).toBe(429);
    expect(third.res.headers.get("retry-after")).toBe(env.PUBLIC_RATE_LIMIT_PERIOD);
  });

  it("counts a number asked twice in one request once", async () => {
    const asked = vi.spyOn(env.PUBLIC_RATE_LIMITER, "limit");
    const [n = ""] = unknownNumbers(84, 1);
    expect((await lookup([n, n, n.replace("ICP", "icp")])).status).toBe(200);
    expect(asked).toHaveBeenCalledTimes(1);
  });

  it("refuses an empty list, more than 50 numbers and entries that are no strings, at their paths", async () => {
    const none = await lookup([]);
    expect(none.status).toBe(422);
    expect(none.body.errors[0].path).toBe("numbers");
    const many = await lookup(unknownNumbers(85, 51));
    expect(many.status).toBe(422);
    expect(many.body.errors[0].path).toBe("numbers");
    const bad = await lookup([numbers[0], 7, "", "字".repeat(201)]);
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      "numbers[1]",
      "numbers[2]",
      "numbers[3]",
    ]);
    const noBody = await callJson("/v1/public/registrations/lookup", { method: "POST", headers: client() });
    expect(noBody.status).toBe(415);
  });

  it("answers a CORS preflight for a JSON POST from any origin", async () => {
    const res = await callJson("/v1/public/registrations/lookup", {
      method: "OPTIONS",
      headers: {
        ...client(),
        origin: "https://example.org",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(res.status).toBe(204);
    expect(res.res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.res.headers.get("access-control-allow-methods")).toContain("POST");
    expect(res.res.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("content-type");
  });
});
