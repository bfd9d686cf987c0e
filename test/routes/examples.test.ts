import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { checkFilingRequest } from "../../src/domain/filing-request";
import { beijingToday } from "../../src/domain/time";
import { loadRegions } from "../../src/repositories/regions";
import { FILING_EXAMPLE } from "../../src/routes/filings.schemas";
import { callJson } from "../support/api";

describe("the published filing example", () => {
  it("passes every field rule of the service itself", async () => {
    const { lookup } = await loadRegions(createDb(env.DB));
    const checked = checkFilingRequest(FILING_EXAMPLE, { today: beijingToday(new Date()), regions: lookup });
    expect(checked.problems).toEqual([]);
    expect(checked.request).toBeDefined();
  });

  it("is the example of POST /v1/filings and the dry run in the OpenAPI document", async () => {
    const doc = await callJson("/openapi.json");
    for (const path of ["/v1/filings", "/v1/filings/validate"]) {
      const body = doc.body.paths[path].post.requestBody.content["application/json"];
      expect(body.example).toEqual(FILING_EXAMPLE);
    }
  });
});
