import { describe, expect, it } from "vitest";
import { checkAgainstDocument, documentAcceptsBody, operationFor } from "../support/contract";

const json = (body: unknown, status = 200, type = "application/json") =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": type } });

const problem = {
  type: "https://beian.dev/problems/not-found",
  title: "Not found",
  status: 404,
  code: "NOT_FOUND",
  detail: "No such filing",
};

// The check every `call` of the suite makes: it must refuse what the document does not promise, or it would
// pass everything.
describe("the answers' check against the OpenAPI document", () => {
  it("finds the operation a request reaches, literal segments before parameters", () => {
    expect(operationFor("POST", "/v1/filings/validate")?.operation.operationId).toBe("validateFiling");
    expect(operationFor("GET", "/v1/filings/validate")?.operation.operationId).toBe("getFiling");
    expect(operationFor("GET", "/v1/filings/fil_1")?.template).toBe("/v1/filings/{id}");
    expect(operationFor("PUT", "/v1/filings/fil_1")).toBeUndefined();
    expect(operationFor("GET", "/lookup")).toBeUndefined();
  });

  it("passes an answer the document promises", async () => {
    await expect(
      checkAgainstDocument("GET", "/v1/filings/fil_1", json(problem, 404, "application/problem+json")),
    ).resolves.toBeUndefined();
    await expect(checkAgainstDocument("GET", "/health", json({ anything: true }))).resolves.toBeUndefined();
  });

  it("refuses a status the operation does not list", async () => {
    await expect(
      checkAgainstDocument("GET", "/v1/reference/natures", json(problem, 404, "application/problem+json")),
    ).rejects.toThrow(/listNatures.*404, which the document does not list/);
  });

  it("refuses a body outside the schema, naming where", async () => {
    await expect(
      checkAgainstDocument(
        "GET",
        "/v1/filings/fil_1",
        json({ ...problem, code: "NO_SUCH_CODE" }, 404, "application/problem+json"),
      ),
    ).rejects.toThrow(/getFiling.*outside its schema[\s\S]*#\/code/);
    await expect(checkAgainstDocument("GET", "/v1/filings/fil_1", json({ id: 1 }))).rejects.toThrow(
      /outside its schema/,
    );
  });

  it("refuses an undeclared media type", async () => {
    await expect(checkAgainstDocument("GET", "/v1/filings/fil_1", json(problem, 404))).rejects.toThrow(
      /as application\/json, not application\/problem\+json/,
    );
  });
});

// Text is trimmed before its bounds are checked (docs/rules.md#text): the document must refuse what is blank after
// trimming, as the server does, so a client validating against it is not surprised by a 422.
describe("the document's bounds hold after trimming, as the server's do", () => {
  const reason = (over: Record<string, string>) => ({
    reasons: [{ field: "", error: "证件照片模糊", suggest: "请重新上传", ...over }],
  });

  it.each([
    ["a reason's suggest", "POST", "/v1/review/filings/fil_1/reject", reason({ suggest: "\t" })],
    ["a reason's error", "POST", "/v1/regulator/filings/fil_1/reject", reason({ error: "  " })],
    ["an app name", "POST", "/v1/apps", { appId: "wx1234567890abcdef", name: "\u3000" }],
    ["an account name", "POST", "/v1/admin/accounts", { name: " ", role: "developer" }],
  ])("%s of white space alone is refused by the document", (_, method, path, body) => {
    expect(documentAcceptsBody(method, path, body)).toBe(false);
  });

  it("and the same bodies with text in them are accepted", () => {
    expect(documentAcceptsBody("POST", "/v1/review/filings/fil_1/reject", reason({}))).toBe(true);
    expect(documentAcceptsBody("POST", "/v1/apps", { appId: "wx1234567890abcdef", name: " 示例 " })).toBe(true);
  });
});
