import { describe, expect, it } from "vitest";
import { callJson, newAccount, newApp, validFiling } from "../support/api";
import { approve, approveAtBureau, staff } from "../support/lifecycle";

describe("a filing from submission to a public number", () => {
  it("issues 粤ICP备<year><seq>号-1X, then -2X for the organizer's second app, and gates listing", async () => {
    const keys = await staff();
    const dev = await newAccount("developer");
    const first = await newApp(dev.key);
    const body = validFiling(first);
    const submitted = await callJson("/v1/filings", { key: dev.key, body });
    expect(submitted.status).toBe(201);

    const listEarly = await callJson(`/v1/apps/${first}/list`, { key: dev.key, method: "POST" });
    expect(listEarly.status).toBe(409);
    expect(listEarly.body.code).toBe("FILING_REQUIRED");

    const approved = await approve(submitted.body.id, keys);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.status).toBe("approved");
    const year = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
    expect(approved.body.registrationNumber).toMatch(new RegExp(`^粤ICP备${year}\\d{6}号-1X$`));

    const listed = await callJson(`/v1/apps/${first}/list`, { key: dev.key, method: "POST" });
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({
      listingStatus: "listed",
      registrationNumber: approved.body.registrationNumber,
    });

    // The same organizer's second mini program shares the organizer number and takes the next sequence.
    const second = await newApp(dev.key);
    const body2 = validFiling(second);
    body2.organizer = body.organizer;
    body2.service.principal = body.organizer.principal;
    const submitted2 = await callJson("/v1/filings", { key: dev.key, body: body2 });
    expect(submitted2.status, JSON.stringify(submitted2.body)).toBe(201);
    const approved2 = await approve(submitted2.body.id, keys);
    expect(approved2.status, JSON.stringify(approved2.body)).toBe(200);
    const organizerNumber = approved.body.registrationNumber.replace(/-1X$/, "");
    expect(approved2.body.registrationNumber).toBe(`${organizerNumber}-2X`);

    const history = await callJson(`/v1/filings/${submitted.body.id}/history`, { key: dev.key });
    expect(history.body.items.map((h: { to: string }) => h.to)).toEqual([
      "platform_review",
      "sms_verification",
      "bureau_review",
      "approved",
    ]);
  });

  it("applies a change (number kept) and a cancellation (registration cancelled, app delisted)", async () => {
    const keys = await staff();
    const dev = await newAccount("developer");
    const appId = await newApp(dev.key);
    const body = validFiling(appId);
    const submitted = await callJson("/v1/filings", { key: dev.key, body });
    const approved = await approve(submitted.body.id, keys);
    const number = approved.body.registrationNumber;
    await callJson(`/v1/apps/${appId}/list`, { key: dev.key, method: "POST" });

    const change = { ...body, type: "change", service: { ...body.service, name: `${body.service.name}Plus` } };
    const changed = await callJson("/v1/filings", { key: dev.key, body: change });
    expect(changed.status, JSON.stringify(changed.body)).toBe(201);
    const changeApproved = await approve(changed.body.id, keys);
    expect(changeApproved.status, JSON.stringify(changeApproved.body)).toBe(200);
    expect(changeApproved.body.registrationNumber).toBe(number);

    const cancel = await callJson("/v1/filings", {
      key: dev.key,
      body: { type: "cancel", appId, scope: "service", reason: "no_longer_operated" },
    });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(201);
    expect(cancel.body.status).toBe("sms_verification");
    const cancelled = await approveAtBureau(cancel.body.id, keys);
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    const app = await callJson(`/v1/apps/${appId}`, { key: dev.key });
    expect(app.body).toMatchObject({
      listingStatus: "delisted",
      delistReason: "registration_cancelled",
      registrationNumber: null,
    });
  });
});
