// Demo data for local runs: accounts of every role with fixed development keys, apps, a grant, and filings
// submitted through the API (so they pass the same validation and encryption as any other).
// Safe to run again: rows are inserted with INSERT OR IGNORE and an existing filing is left as it is.
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { residentIdCheckCharacter, usccCheckCharacter } from "../src/domain/identifiers.ts";
import { localArgs, run, scratchDir } from "./lib.mjs";
import { pdf, png, uploadMaterial } from "./material-files.mjs";
import { withVerification } from "./verification.mjs";

/** Development-only keys for the demo accounts: printed by `npm start`, never valid anywhere else. */
export const DEMO_ACCOUNTS = [
  {
    id: "acc_demo_developer",
    name: "深圳市示例科技有限公司",
    role: "developer",
    key: "bk_dev_developer_9f3KqT7wXn2LmP4s",
  },
  { id: "acc_demo_provider", name: "示例备案服务商", role: "provider", key: "bk_dev_provider_R5tY8uI1oP3aS6dF" },
  { id: "acc_demo_reviewer", name: "平台初审员", role: "reviewer", key: "bk_dev_reviewer_G7hJ2kL9zX4cV1bN" },
  { id: "acc_demo_regulator", name: "管局对接", role: "regulator", key: "bk_dev_regulator_M3qW8eR5tY2uI6oP" },
  { id: "acc_demo_admin", name: "平台管理员", role: "admin", key: "bk_dev_admin_A1sD4fG7hJ0kL3zX" },
];

export const DEMO_APPS = [
  { appId: "wxdemo0000000001", name: "示例生活助手", owner: "acc_demo_developer" },
  { appId: "wxdemo0000000002", name: "示例学习课堂", owner: "acc_demo_developer", grantTo: "acc_demo_provider" },
  { appId: "wxdemo0000000003", name: "示例出行助手", owner: "acc_demo_developer" },
];

const sha256 = (text) => createHash("sha256").update(text).digest("hex");
const quote = (text) => `'${String(text).replaceAll("'", "''")}'`;
const residentId = (first17) => first17 + residentIdCheckCharacter(first17);
const uscc = (first17) => first17 + usccCheckCharacter(first17);

function seedSql(now) {
  const lines = [];
  for (const a of DEMO_ACCOUNTS) {
    lines.push(
      `INSERT OR IGNORE INTO accounts (id, name, role, created_at) VALUES (${quote(a.id)}, ${quote(a.name)}, ${quote(a.role)}, ${quote(now)});`,
      `INSERT OR IGNORE INTO api_keys (id, account_id, key_hash, prefix, created_at) VALUES (${quote(`key_${a.id.slice(4)}`)}, ${quote(a.id)}, ${quote(sha256(a.key))}, ${quote(a.key.slice(0, 10))}, ${quote(now)});`,
    );
  }
  for (const app of DEMO_APPS) {
    lines.push(
      `INSERT OR IGNORE INTO apps (app_id, name, owner_account_id, listing_status, created_at, updated_at) VALUES (${quote(app.appId)}, ${quote(app.name)}, ${quote(app.owner)}, 'unlisted', ${quote(now)}, ${quote(now)});`,
    );
    if (app.grantTo) {
      lines.push(
        `INSERT OR IGNORE INTO app_grants (app_id, account_id, created_at) VALUES (${quote(app.appId)}, ${quote(app.grantTo)}, ${quote(now)});`,
      );
    }
  }
  return lines.join("\n");
}

function person(name, first17, mobile, emergencyContact, email) {
  return {
    name,
    certificate: { type: "resident_id", number: residentId(first17), validFrom: "2020-05-01", validTo: "long_term" },
    mobile,
    emergencyContact,
    email,
  };
}

/** Demo filings: valid by every rule, one per app that has none yet. */
export function demoFilings() {
  const zhang = person("张伟", "44030519850315123", "13800138001", "13900139001", "zhangwei@example.com");
  const li = person("李娜", "11010519900620234", "13800138002", "13900139002", "lina@example.com");
  const wang = person("王小明", "51010419920808345", "13800138003", "13900139003", "wangxm@example.com");
  return [
    {
      key: "acc_demo_developer",
      approve: true,
      list: true,
      body: {
        type: "new",
        appId: "wxdemo0000000001",
        organizer: {
          nature: "enterprise",
          name: "深圳市示例科技有限公司",
          certificate: { type: "uscc", number: uscc("91440300MA5FQ2KL3") },
          region: { province: "440000", city: "440300", district: "440305" },
          certificateAddress: "深圳市南山区粤海街道科技园路1号",
          address: "粤海街道科技园路1号",
          principal: zhang,
        },
        service: {
          name: "示例生活助手",
          serviceContentTypes: ["life.bill_payment"],
          preApprovals: [],
          languages: ["zh-Hans"],
          description: "为用户提供水电燃气缴费、账单查询与缴费提醒等生活服务。",
          principal: zhang,
        },
        commitment: { accepted: true },
      },
    },
    {
      key: "acc_demo_provider",
      body: {
        type: "new",
        appId: "wxdemo0000000002",
        organizer: {
          nature: "enterprise",
          name: "北京示例教育科技有限公司",
          certificate: { type: "uscc", number: uscc("91110105MA01ABCD1") },
          region: { province: "110000", city: "110100", district: "110105" },
          certificateAddress: "北京市朝阳区建国路88号",
          address: "朝阳区建国路88号",
          principal: li,
        },
        service: {
          name: "示例学习课堂",
          serviceContentTypes: ["education.online"],
          preApprovals: [{ type: "education", approvalNumber: "京教审〔2024〕18号" }],
          languages: ["zh-Hans"],
          description: "面向中小学生的在线课程与练习平台，提供课程直播、回放和作业批改服务。",
          principal: li,
        },
        commitment: { accepted: true },
      },
    },
    {
      key: "acc_demo_developer",
      approve: true,
      body: {
        type: "new",
        appId: "wxdemo0000000003",
        organizer: {
          nature: "individual",
          name: "王小明",
          certificate: {
            type: "resident_id",
            number: wang.certificate.number,
            validFrom: "2020-05-01",
            validTo: "long_term",
          },
          region: { province: "510000", city: "510100", district: "510104" },
          certificateAddress: "四川省成都市锦江区春熙路1号",
          address: "锦江区春熙路1号",
          principal: wang,
        },
        service: {
          name: "示例出行助手",
          serviceContentTypes: ["travel.parking"],
          preApprovals: [],
          languages: ["zh-Hans"],
          description: "帮助车主查找附近停车场、查看空余车位并在线预约停车位的工具。",
          principal: wang,
        },
        commitment: { accepted: true },
      },
    },
  ];
}

/**
 * Accounts, keys, apps and grants, straight into the local D1 (before the server starts): the state `npm start`
 * uses unless another state directory is named.
 */
export async function seedDatabase(state) {
  const file = join(state ?? scratchDir, "seed.sql");
  writeFileSync(file, seedSql(new Date().toISOString()));
  const local = state ? ["--local", "--persist-to", state] : localArgs;
  await run("wrangler", ["d1", "execute", "DB", ...local, "--file", file], { quiet: true });
}

/**
 * The platform's existing catalogue and a deadline policy, through the admin API, so the scheduled job has work:
 * apps listed before the 2023 notice's cutoff and never filed (delisted on the first run, by the seeded 2023
 * policy), and recently listed ones under a demo policy whose deadline is ten days after seeding (reminded).
 */
export async function seedCatalogue(baseUrl) {
  const admin = DEMO_ACCOUNTS.find((a) => a.role === "admin").key;
  const headers = { authorization: `Bearer ${admin}`, "content-type": "application/json" };
  const legacy = [1, 2, 3].map((n) => ({
    appId: `wxlegacy0000000${n}`,
    name: `存量小程序${n}`,
    ownerAccountId: "acc_demo_developer",
    listingStatus: "listed",
    listedAt: "2023-05-01T10:00:00+08:00",
  }));
  const recent = [1, 2].map((n) => ({
    appId: `wxrecent0000000${n}`,
    name: `新上架小程序${n}`,
    ownerAccountId: "acc_demo_developer",
    listingStatus: "listed",
    listedAt: "2026-06-01T10:00:00+08:00",
  }));
  const imported = await fetch(`${baseUrl}/v1/admin/apps/import`, {
    method: "POST",
    headers,
    body: JSON.stringify({ apps: [...legacy, ...recent] }),
  });
  if (imported.status !== 200) throw new Error(`catalogue import: ${imported.status} ${await imported.text()}`);
  const name = "示例：2026 年新上架小程序备案";
  const existing = await (await fetch(`${baseUrl}/v1/admin/policies`, { headers })).json();
  if (!existing.items.some((p) => p.name === name)) {
    const deadline = new Date(Date.now() + 10 * 24 * 3600_000).toISOString().replace("Z", "+00:00");
    const created = await fetch(`${baseUrl}/v1/admin/policies`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name, listedBefore: "2026-09-01T00:00:00+08:00", deadline, reminderDays: [30, 7, 1] }),
    });
    if (created.status !== 201) throw new Error(`demo policy: ${created.status} ${await created.text()}`);
  }
  return { apps: legacy.length + recent.length };
}

/**
 * Uploads the attachments a demo filing needs (POST /v1/materials) and puts their mediaIds in the body: the
 * licence photo, each principal's ID card (front and back), the commitment letter, a permit per pre-approval.
 */
async function attachMaterials(baseUrl, key, body) {
  const upload = (field, file, name, certificateType) =>
    uploadMaterial(baseUrl, key, field, file, name, certificateType);
  const card = png(1280, 720);
  const { organizer, service } = body;
  if (organizer.nature !== "individual") {
    organizer.certificate.photo = await upload("organizer.certificate.photo", png(1280, 900), "licence.png", "uscc");
  }
  // One person is both principals here: one photo of each side serves both places.
  const type = organizer.principal.certificate.type;
  const front = await upload("organizer.principal.certificate.front", card, "id-front.png", type);
  const back = await upload("organizer.principal.certificate.back", card, "id-back.png", type);
  for (const person of [organizer.principal, service.principal]) Object.assign(person.certificate, { front, back });
  body.commitment.letter = await upload("commitment.letter", pdf("承诺书"), "commitment.pdf");
  for (const permit of service.preApprovals) {
    permit.document = await upload("service.preApprovals[].document", pdf(permit.approvalNumber), "permit.pdf");
  }
  return body;
}

/** Filings, through the running service; some taken through review to a registration number. */
export async function seedFilings(baseUrl) {
  const keys = Object.fromEntries(DEMO_ACCOUNTS.map((a) => [a.id, a.key]));
  const call = async (path, key, body, headers = {}) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json(), replayed: res.headers.get("idempotent-replayed") === "true" };
  };
  // What a demo app's filing is now (the newest one for the app), as the banner shows it: on a later start it is
  // read back rather than seeded again, so the numbers stay on screen.
  const current = async (appId, key) => {
    const res = await fetch(`${baseUrl}/v1/filings?appId=${appId}`, { headers: { authorization: `Bearer ${key}` } });
    if (res.status !== 200) throw new Error(`demo filings of ${appId}: ${res.status} ${await res.text()}`);
    const item = (await res.json()).items?.[0];
    return item && { appId, status: item.status, number: item.registrationNumber ?? undefined };
  };
  const results = [];
  for (const filing of demoFilings()) {
    const { appId } = filing.body;
    const key = keys[filing.key];
    const existing = await current(appId, key);
    if (existing) {
      results.push(existing);
      continue;
    }
    await attachMaterials(baseUrl, key, filing.body);
    // The service's principal passes face verification first, on the development simulator.
    const body = await withVerification(baseUrl, key, filing.body);
    const submitted = await call("/v1/filings", key, body, { "idempotency-key": `demo-${appId}` });
    // A replay (same idempotency key) or a 409: the app already has its demo filing from an earlier start.
    if (submitted.status === 409 || submitted.replayed) {
      results.push((await current(appId, key)) ?? { appId, status: "already seeded" });
      continue;
    }
    if (submitted.status !== 201)
      throw new Error(`demo filing for ${appId}: ${submitted.status} ${JSON.stringify(submitted.body)}`);
    let result = { appId, status: submitted.body.status };
    if (filing.approve) {
      const id = submitted.body.id;
      const reviewed = await call(`/v1/review/filings/${id}/approve`, keys.acc_demo_reviewer);
      // Each person listed confirms MIIT's SMS (docs/rules.md#sms-confirmation).
      for (const { role } of reviewed.body.smsVerifications ?? []) {
        const step = await call(`/v1/regulator/filings/${id}/sms-verifications`, keys.acc_demo_regulator, {
          role,
          result: "verified",
        });
        if (step.status !== 200)
          throw new Error(`demo SMS step for ${appId}: ${step.status} ${JSON.stringify(step.body)}`);
      }
      const approved = await call(`/v1/regulator/filings/${id}/approve`, keys.acc_demo_regulator, {});
      if (approved.status !== 200)
        throw new Error(`demo approval for ${appId}: ${approved.status} ${JSON.stringify(approved.body)}`);
      result = { appId, status: approved.body.status ?? "approved", number: approved.body.registrationNumber };
      if (filing.list) await call(`/v1/apps/${appId}/list`, key);
    }
    results.push(result);
  }
  return results;
}
