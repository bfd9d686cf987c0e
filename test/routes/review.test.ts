import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { callJson, newAccount, newApp, problemsOf, validFiling } from "../support/api";

/** A fresh developer, app and submitted `new` filing (in platform_review). */
async function submitted() {
  const dev = await newAccount("developer");
  const appId = await newApp(dev.key);
  const body = validFiling(appId);
  const res = await callJson("/v1/filings", { key: dev.key, body });
  if (res.status !== 201) throw new Error(`submit: ${res.status} ${JSON.stringify(res.body)}`);
  return { dev, appId, body, id: res.body.id as string };
}

const reviewApprove = (id: string, key: string) =>
  callJson(`/v1/review/filings/${id}/approve`, { key, method: "POST" });
const reviewReject = (id: string, key: string, body: unknown) =>
  callJson(`/v1/review/filings/${id}/reject`, { key, body });

const REASONS = [
  { field: "organizer.address", error: "地址与营业执照不一致", suggest: "按营业执照填写住所" },
  { field: "service.description", error: "描述过于笼统", suggest: "写明小程序提供的具体服务" },
];

type EventRow = { type: string; data: string; account_id: string };

async function statusEvents(accountId: string, filingId: string) {
  const { results } = await env.DB.prepare(
    "select type, data, account_id from events where account_id = ? and type = 'filing.status_changed' order by seq",
  )
    .bind(accountId)
    .all<EventRow>();
  return results.map((r) => JSON.parse(r.data)).filter((d) => d.filingId === filingId) as {
    filingId: string;
    appId: string;
    from: string;
    to: string;
  }[];
}

describe("review queue", () => {
  it("lists only platform_review filings, oldest first, in cursor pages", async () => {
    const reviewer = await newAccount("reviewer");
    const a = await submitted();
    const b = await submitted();
    const c = await submitted();
    const moved = await submitted();
    expect((await reviewApprove(moved.id, reviewer.key)).status).toBe(200);
    const withdrawn = await submitted();
    expect(
      (await callJson(`/v1/filings/${withdrawn.id}/withdraw`, { key: withdrawn.dev.key, method: "POST" })).status,
    ).toBe(200);
    const d = await submitted();

    const seen: { id: string; status: string; appId: string; serviceName: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
      const page = await callJson(`/v1/review/queue${q}`, { key: reviewer.key });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      if (page.body.nextCursor !== null) {
        expect(page.body.items).toHaveLength(2);
        expect(page.body.nextCursor).toBe(page.body.items[1].id);
      }
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    expect(cursor).toBeNull();
    expect(pages).toBe(Math.ceil(seen.length / 2));
    expect(seen.length).toBeGreaterThanOrEqual(4);

    expect(seen.every((i) => i.status === "platform_review")).toBe(true);
    const ids = seen.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    const mine = ids.filter((id) => [a.id, b.id, c.id, d.id].includes(id));
    expect(mine).toEqual([a.id, b.id, c.id, d.id]);
    expect(ids).not.toContain(moved.id);
    expect(ids).not.toContain(withdrawn.id);
    const item = seen.find((i) => i.id === a.id);
    expect(item).toMatchObject({ appId: a.appId, serviceName: a.body.service.name, status: "platform_review" });

    // The whole queue in one page agrees, with no next page.
    const all = await callJson("/v1/review/queue?limit=200", { key: reviewer.key });
    expect(all.body.items.map((i: { id: string }) => i.id)).toEqual(ids);
    expect(all.body.nextCursor).toBeNull();
  });

  it("rejects a bad limit with 422", async () => {
    const reviewer = await newAccount("reviewer");
    const res = await callJson("/v1/review/queue?limit=0", { key: reviewer.key });
    expect(res.status).toBe(422);
    expect(problemsOf(res.body).map((p) => p.path)).toContain("limit");
  });
});

describe("review detail", () => {
  it("shows the request unmasked and audits the read", async () => {
    const reviewer = await newAccount("reviewer");
    const { dev, body, id } = await submitted();

    const res = await callJson(`/v1/review/filings/${id}`, { key: reviewer.key });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: "platform_review", type: "new" });
    const org = body.organizer;
    expect(res.body.request.organizer.certificate.number).toBe(org.certificate.number);
    expect(res.body.request.organizer.principal.certificate.number).toBe(org.principal.certificate.number);
    expect(res.body.request.organizer.principal.mobile).toBe(org.principal.mobile);
    expect(res.body.request.organizer.principal.emergencyContact).toBe(org.principal.emergencyContact);
    expect(res.body.request.organizer.principal.email).toBe(org.principal.email);
    expect(res.body.request.service.principal.mobile).toBe(body.service.principal.mobile);

    // The owner's view of the same filing stays masked.
    const owner = await callJson(`/v1/filings/${id}`, { key: dev.key });
    expect(owner.body.request.organizer.principal.mobile).not.toBe(org.principal.mobile);
    expect(owner.body.request.organizer.principal.mobile).toMatch(/^\d{3}\*{4}\d{4}$/);

    const { results } = await env.DB.prepare(
      "select action, actor_account_id as actor, data from audit_log where subject = ? order by seq",
    )
      .bind(`filing:${id}`)
      .all<{ action: string; actor: string; data: string }>();
    const views = results.filter((r) => r.action === "filing.viewed_unmasked");
    expect(views).toHaveLength(1);
    expect(views[0]?.actor).toBe(reviewer.id);
    expect(JSON.parse(views[0]?.data ?? "{}")).toMatchObject({ role: "reviewer" });

    // A second read is a second audit row.
    await callJson(`/v1/review/filings/${id}`, { key: reviewer.key });
    const count = await env.DB.prepare(
      "select count(*) as n from audit_log where subject = ? and action = 'filing.viewed_unmasked'",
    )
      .bind(`filing:${id}`)
      .first<{ n: number }>();
    expect(count?.n).toBe(2);
  });

  it("is 404 for a filing no longer in platform review, and for an unknown id", async () => {
    const reviewer = await newAccount("reviewer");
    const approved = await submitted();
    await reviewApprove(approved.id, reviewer.key);
    const res = await callJson(`/v1/review/filings/${approved.id}`, { key: reviewer.key });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("NOT_FOUND");

    const rejected = await submitted();
    await reviewReject(rejected.id, reviewer.key, { reasons: REASONS });
    expect((await callJson(`/v1/review/filings/${rejected.id}`, { key: reviewer.key })).status).toBe(404);

    const unknown = await callJson("/v1/review/filings/fil_00000000000000000000000000", { key: reviewer.key });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe("NOT_FOUND");

    // No unmasked read was audited for the refused reads.
    const row = await env.DB.prepare(
      "select count(*) as n from audit_log where subject = ? and action = 'filing.viewed_unmasked'",
    )
      .bind(`filing:${approved.id}`)
      .first<{ n: number }>();
    expect(row?.n).toBe(0);
  });
});

describe("review decisions", () => {
  it("approve moves to sms_verification with a 24 h SMS deadline and tells the owner", async () => {
    const reviewer = await newAccount("reviewer");
    const { dev, appId, id } = await submitted();
    const before = Date.now();
    const res = await reviewApprove(id, reviewer.key);
    const after = Date.now();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, appId, status: "sms_verification", registrationNumber: null, reasons: [] });
    const deadline = Date.parse(res.body.smsDeadline);
    expect(deadline).toBeGreaterThanOrEqual(before + 24 * 3600_000 - 60_000);
    expect(deadline).toBeLessThanOrEqual(after + 24 * 3600_000 + 60_000);

    const owner = await callJson(`/v1/filings/${id}`, { key: dev.key });
    expect(owner.body).toMatchObject({ status: "sms_verification", smsDeadline: res.body.smsDeadline });

    const history = await callJson(`/v1/filings/${id}/history`, { key: dev.key });
    expect(history.body.items.map((h: { from: string | null; to: string }) => [h.from, h.to])).toEqual([
      [null, "platform_review"],
      ["platform_review", "sms_verification"],
    ]);
    expect(history.body.items[1].actor).toEqual({ accountId: reviewer.id, role: "reviewer" });

    expect(await statusEvents(dev.id, id)).toEqual([
      expect.objectContaining({ filingId: id, appId, from: "platform_review", to: "sms_verification" }),
    ]);
  });

  it("reject stores per-field reasons that the submitter sees on the filing and in its history", async () => {
    const reviewer = await newAccount("reviewer");
    const { dev, appId, id } = await submitted();
    const res = await reviewReject(id, reviewer.key, { reasons: REASONS });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: "platform_rejected", reasons: REASONS, registrationNumber: null });

    const owner = await callJson(`/v1/filings/${id}`, { key: dev.key });
    expect(owner.status).toBe(200);
    expect(owner.body.status).toBe("platform_rejected");
    expect(owner.body.reasons).toEqual(REASONS);

    const history = await callJson(`/v1/filings/${id}/history`, { key: dev.key });
    const last = history.body.items.at(-1);
    expect(last).toMatchObject({
      from: "platform_review",
      to: "platform_rejected",
      reasons: REASONS,
      actor: { accountId: reviewer.id, role: "reviewer" },
    });
    expect(history.body.items[0].reasons).toEqual([]);

    expect(await statusEvents(dev.id, id)).toEqual([
      expect.objectContaining({ filingId: id, appId, from: "platform_review", to: "platform_rejected" }),
    ]);

    // A rejected filing is final: the app is free for a corrected filing.
    const again = await callJson("/v1/filings", { key: dev.key, body: validFiling(appId) });
    expect(again.status).toBe(201);
  });

  it.each([
    ["no reasons", {}, [{ path: "reasons", code: "REQUIRED" }]],
    ["an empty list", { reasons: [] }, [{ path: "reasons", code: "TOO_FEW" }]],
    [
      "a reason without suggest",
      { reasons: [{ field: "organizer.name", error: "名称与证件不符" }] },
      [{ path: "reasons[0].suggest", code: "REQUIRED" }],
    ],
    [
      "a blank field",
      { reasons: [REASONS[0], { field: "  ", error: "x", suggest: "y" }] },
      [{ path: "reasons[1].field", code: "UNKNOWN_REQUEST_FIELD" }],
    ],
    [
      "fields that are no path of the request",
      {
        reasons: [
          { field: "organizer.nickname", error: "x", suggest: "y" },
          { field: "organizer.certificate.number", error: "x", suggest: "y" },
          { field: "service.serviceContentTypes.0", error: "x", suggest: "y" },
          { field: "service.serviceContentTypes[5]", error: "x", suggest: "y" },
          { field: "scope", error: "x", suggest: "y" },
        ],
      },
      [
        { path: "reasons[0].field", code: "UNKNOWN_REQUEST_FIELD" },
        { path: "reasons[2].field", code: "UNKNOWN_REQUEST_FIELD" },
        { path: "reasons[3].field", code: "UNKNOWN_REQUEST_FIELD" },
        { path: "reasons[4].field", code: "UNKNOWN_REQUEST_FIELD" },
      ],
    ],
  ])("reject with %s is 422 with paths, and the filing stays in review", async (_name, body, expected) => {
    const reviewer = await newAccount("reviewer");
    const { id } = await submitted();
    const res = await reviewReject(id, reviewer.key, body);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("VALIDATION_FAILED");
    expect(problemsOf(res.body)).toEqual(expected);
    const detail = await callJson(`/v1/review/filings/${id}`, { key: reviewer.key });
    expect(detail.body.status).toBe("platform_review");
  });

  it('reject takes any path of the request, list items within their bounds, and "" for the whole filing', async () => {
    const reviewer = await newAccount("reviewer");
    const { id } = await submitted();
    const reasons = [
      "",
      "organizer",
      "organizer.certificate.number",
      "organizer.legalRepresentative.name",
      "service.principal.mobile",
      "service.serviceContentTypes[0]",
      "service.serviceContentTypes[4]",
      "service.preApprovals[11].document",
      "commitment.letter",
    ].map((field) => ({ field, error: "需修改", suggest: "请按要求修改" }));
    const res = await reviewReject(id, reviewer.key, { reasons });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.reasons).toEqual(reasons);
  });

  it("reject without a body is refused (415), not a move", async () => {
    const reviewer = await newAccount("reviewer");
    const { id } = await submitted();
    const res = await callJson(`/v1/review/filings/${id}/reject`, { key: reviewer.key, method: "POST" });
    expect(res.status).toBe(415);
    expect(res.body.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  /** What a reviewer reading the filing gets: a move on a filing outside the queue must answer the same. */
  const readAs = (id: string, key: string) => callJson(`/v1/review/filings/${id}`, { key });
  const expectHidden = async (res: { status: number; body: { code?: string } }, id: string, key: string) => {
    const read = await readAs(id, key);
    expect(read.status).toBe(404);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe(read.body.code);
  };

  it("approving twice is 404, as reading the filing now is, and changes nothing", async () => {
    const reviewer = await newAccount("reviewer");
    const { dev, id } = await submitted();
    expect((await reviewApprove(id, reviewer.key)).status).toBe(200);
    await expectHidden(await reviewApprove(id, reviewer.key), id, reviewer.key);
    const history = await callJson(`/v1/filings/${id}/history`, { key: dev.key });
    expect(history.body.items).toHaveLength(2);
    expect(await statusEvents(dev.id, id)).toHaveLength(1);
  });

  it("rejecting a filing past platform review is 404, not a 409 that tells its status", async () => {
    const reviewer = await newAccount("reviewer");
    const { dev, id } = await submitted();
    await reviewApprove(id, reviewer.key);
    const res = await reviewReject(id, reviewer.key, { reasons: REASONS });
    await expectHidden(res, id, reviewer.key);
    expect(JSON.stringify(res.body)).not.toContain("sms_verification");
    const owner = await callJson(`/v1/filings/${id}`, { key: dev.key });
    expect(owner.body).toMatchObject({ status: "sms_verification", reasons: [] });
  });

  it("approving or rejecting a withdrawn filing is 404", async () => {
    const reviewer = await newAccount("reviewer");
    const { dev, id } = await submitted();
    expect((await callJson(`/v1/filings/${id}/withdraw`, { key: dev.key, method: "POST" })).status).toBe(200);
    await expectHidden(await reviewApprove(id, reviewer.key), id, reviewer.key);
    await expectHidden(await reviewReject(id, reviewer.key, { reasons: REASONS }), id, reviewer.key);
    expect((await callJson(`/v1/filings/${id}`, { key: dev.key })).body.status).toBe("withdrawn");
  });

  it("rejecting or approving a rejected filing is 404", async () => {
    const reviewer = await newAccount("reviewer");
    const { id } = await submitted();
    expect((await reviewReject(id, reviewer.key, { reasons: REASONS })).status).toBe(200);
    await expectHidden(await reviewReject(id, reviewer.key, { reasons: REASONS }), id, reviewer.key);
    await expectHidden(await reviewApprove(id, reviewer.key), id, reviewer.key);
  });

  it("unknown filing ids are 404 on approve and reject", async () => {
    const reviewer = await newAccount("reviewer");
    const approve = await reviewApprove("fil_01ZZZZZZZZZZZZZZZZZZZZZZZZ", reviewer.key);
    expect(approve.status).toBe(404);
    expect(approve.body.code).toBe("NOT_FOUND");
    const reject = await reviewReject("fil_01ZZZZZZZZZZZZZZZZZZZZZZZZ", reviewer.key, { reasons: REASONS });
    expect(reject.status).toBe(404);
    expect(reject.body.code).toBe("NOT_FOUND");
  });

  it("emits filing.status_changed to the owner and to a submitting provider after each move", async () => {
    const reviewer = await newAccount("reviewer");
    const regulator = await newAccount("regulator");
    const dev = await newAccount("developer");
    const provider = await newAccount("provider");
    const appId = await newApp(dev.key);
    expect(
      (await callJson(`/v1/apps/${appId}/grants`, { key: dev.key, body: { accountId: provider.id } })).status,
    ).toBe(201);
    const sub = await callJson("/v1/filings", { key: provider.key, body: validFiling(appId) });
    expect(sub.status).toBe(201);
    const id = sub.body.id as string;

    expect((await reviewApprove(id, reviewer.key)).status).toBe(200);
    const moves1 = [expect.objectContaining({ from: "platform_review", to: "sms_verification" })];
    expect(await statusEvents(dev.id, id)).toEqual(moves1);
    expect(await statusEvents(provider.id, id)).toEqual(moves1);

    expect(
      (await callJson(`/v1/regulator/filings/${id}/sms-verified`, { key: regulator.key, method: "POST" })).status,
    ).toBe(200);
    const moves2 = [...moves1, expect.objectContaining({ from: "sms_verification", to: "bureau_review" })];
    expect(await statusEvents(dev.id, id)).toEqual(moves2);
    expect(await statusEvents(provider.id, id)).toEqual(moves2);
  });
});

describe("review roles", () => {
  it.each(["developer", "provider", "regulator", "admin"] as const)(
    "%s gets 403 on every review route",
    async (role) => {
      const { id } = await submitted();
      const { key } = await newAccount(role);
      const calls = [
        callJson("/v1/review/queue", { key }),
        callJson(`/v1/review/filings/${id}`, { key }),
        callJson(`/v1/review/filings/${id}/approve`, { key, method: "POST" }),
        callJson(`/v1/review/filings/${id}/reject`, { key, body: { reasons: REASONS } }),
        callJson("/v1/review/filings/fil_unknown/approve", { key, method: "POST" }),
      ];
      for (const res of await Promise.all(calls)) {
        expect(res.status).toBe(403);
        expect(res.body.code).toBe("FORBIDDEN");
      }
      // Nothing moved.
      const reviewer = await newAccount("reviewer");
      expect((await callJson(`/v1/review/filings/${id}`, { key: reviewer.key })).body.status).toBe("platform_review");
    },
  );

  it("no key is 401", async () => {
    const res = await callJson("/v1/review/queue");
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("UNAUTHORIZED");
  });
});
