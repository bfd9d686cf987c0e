import { describe, expect, it } from "vitest";
import { checkAgainstDocument, operationFor } from "../support/contract";

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
