import { describe, expect, it } from "vitest";
import published from "../../public/openapi.json";
import { adminKey, call, newAccount } from "../support/api";
import { operationFor } from "../support/contract";

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;
const document = published as unknown as { paths: Record<string, Record<string, { security?: unknown[] }>> };
const paths = Object.keys(document.paths);

/** A concrete path for a template: each `{param}` filled with a value of the right shape. */
function concrete(template: string): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) =>
    name === "number" ? "粤ICP备2024012345号-1" : `x_${name}`,
  );
}

/** What a path takes, as the document says: every documented method of any template it matches (GET brings HEAD). */
function allowedOn(path: string): string[] {
  const allowed = METHODS.filter((m) => operationFor(m === "HEAD" ? "GET" : m, path) !== undefined);
  return [...allowed].sort();
}

describe("405 Method Not Allowed", () => {
  it.each(paths)("%s: every method it does not take is 405 with Allow, before keys and bodies", async (template) => {
    const path = concrete(template);
    const allowed = allowedOn(path);
    const wrong = METHODS.filter((m) => !allowed.includes(m));
    expect(wrong.length).toBeGreaterThan(0);
    for (const method of wrong) {
      // No key and a body of the wrong type: 405 comes first, not 401 or 415.
      const res = await call(encodeURI(path), {
        method,
        rawBody: method === "GET" || method === "HEAD" ? undefined : "not json",
        headers: { "content-type": "text/plain" },
      });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get("allow"), `${method} ${path}`).toBe(allowed.join(", "));
      if (method !== "HEAD") {
        const body = await res.json<{ code: string; status: number }>();
        expect(body).toMatchObject({ code: "METHOD_NOT_ALLOWED", status: 405 });
      }
    }
  });

  it("a key holder gets the same 405, whatever the key's role", async () => {
    const dev = await newAccount("developer");
    const res = await call("/v1/admin/accounts", { method: "DELETE", key: dev.key });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD, POST");
  });

  it("the right method still reaches the route, HEAD answers as GET, and unknown paths stay 404", async () => {
    expect((await call("/v1/filings", { method: "GET" })).status).toBe(401);
    expect((await call("/v1/reference/natures", { method: "HEAD" })).status).toBe(200);
    expect((await call("/v1/no-such-thing", { method: "DELETE" })).status).toBe(404);
    // GET /v1/filings/validate is GET /v1/filings/{id} with id "validate": a route, not a wrong method.
    expect((await call("/v1/filings/validate", { method: "GET" })).status).toBe(401);
  });

  it("OPTIONS stays CORS's preflight on the public routes", async () => {
    const res = await call("/v1/public/search?q=x", {
      method: "OPTIONS",
      headers: { origin: "https://example.com", "access-control-request-method": "GET" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });
});

describe("path parameters past their limits", () => {
  const operations = paths.flatMap((template) =>
    template.includes("{") ? Object.keys(document.paths[template] ?? {}).map((m) => [m.toUpperCase(), template]) : [],
  );

  it.each(operations)(
    "%s %s: a documented 422 for some role, every role's answer documented",
    async (method, template) => {
      const keys = [
        adminKey(),
        ...(await Promise.all(
          (["developer", "provider", "reviewer", "regulator"] as const).map(async (r) => (await newAccount(r)).key),
        )),
      ];
      const path = template.replace(/\{\w+\}/g, "x".repeat(300));
      const statuses: number[] = [];
      for (const key of keys) {
        // `call` fails the test when an answer is not one the document lists for the operation.
        const res = await call(path, { method, key, ...(method === "GET" || method === "DELETE" ? {} : { body: {} }) });
        statuses.push(res.status);
      }
      expect(statuses).toContain(422);
    },
  );
});
