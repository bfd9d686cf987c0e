import { expect, it } from "vitest";
import { callJson, newAccount, newApp, validFiling } from "../support/api";

it("submits a valid filing and reads it back", async () => {
  const dev = await newAccount("developer");
  const appId = await newApp(dev.key);
  const v = await callJson("/v1/filings/validate", { key: dev.key, body: validFiling(appId) });
  expect(v.body).toEqual({ valid: true, errors: [] });
  const res = await callJson("/v1/filings", { key: dev.key, body: validFiling(appId) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const again = await callJson(`/v1/filings/${res.body.id}`, { key: dev.key });
  expect(again.body.status).toBe("platform_review");
  console.log(JSON.stringify(again.body, null, 1));
});
