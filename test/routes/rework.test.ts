import { describe, expect, it } from "vitest";
import { callJson, newAccount, newApp, validFiling } from "../support/api";
import { approve, staff } from "../support/lifecycle";

/** A developer's app with an approved registration, and the body it was approved with. */
async function registered() {
  const keys = await staff();
  const dev = await newAccount("developer");
  const appId = await newApp(dev.key);
  const body = validFiling(appId);
  const submitted = await callJson("/v1/filings", { key: dev.key, body });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  const approved = await approve(submitted.body.id, keys);
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  return { keys, dev, appId, body, filingId: submitted.body.id as string, number: approved.body.registrationNumber };
}

describe("GET /v1/apps/{appId}/registration", () => {
  it("reads back the approved request, personal data masked, attachments as media ids", async () => {
    const { dev, appId, body, filingId, number } = await registered();
    const res = await callJson(`/v1/apps/${appId}/registration`, { key: dev.key });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ number, status: "active", source: "beian" });
    const filing = await callJson(`/v1/filings/${filingId}`, { key: dev.key });
    expect(res.body.request).toEqual(filing.body.request);
    const text = JSON.stringify(res.body);
    for (const secret of [body.organizer.principal.mobile, body.organizer.principal.certificate.number]) {
      expect(text).not.toContain(secret);
    }
    expect(res.body.request.organizer.principal.certificate.front).toMatch(/^med_/);
    expect(res.body.request.service.description).toBe(body.service.description);
  });

  it("is 404 for an app with no registration and for another developer's app", async () => {
    const { appId } = await registered();
    const other = await newAccount("developer");
    expect((await callJson(`/v1/apps/${appId}/registration`, { key: other.key })).status).toBe(404);
    const fresh = await newApp(other.key);
    const none = await callJson(`/v1/apps/${fresh}/registration`, { key: other.key });
    expect(none.status).toBe(404);
  });
});
