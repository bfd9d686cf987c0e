// Benchmark data. Volume goes straight into the local D1 with set-based SQL (recursive CTEs), filling every column
// the lookup and search read, the same way beian's approval writes them (registrations, then public_records selected
// from registrations joined to organizers; the trigram index follows through migration 0006's triggers). A small
// share goes through the API — upload, submit, review, SMS, bureau approval — to show both paths give the same
// public record.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../scripts/lib.mjs";
import { pdf, png, uploadMaterial } from "../../scripts/material-files.mjs";
import { DEMO_ACCOUNTS, demoFilings } from "../../scripts/seed.mjs";
import { residentIdCheckCharacter, usccCheckCharacter } from "../../src/domain/identifiers.ts";

// Two-character words; a service name is FIRST[j % 50] + SECOND[(j / 50) % 40] + SUFFIX[j % 10].
const FIRST =
  "生活学习出行健康美食旅游购物阅读音乐运动家居母婴宠物汽车金融保险教育医疗政务社区物流外卖咖啡鲜花" +
  "摄影电影游戏新闻天气地图翻译记账办公招聘房产装修婚庆养老农业园艺手工书法绘画编程数码家电服饰";
const SECOND =
  "缴费查询预约商城课堂助手管家指南服务平台工具小站社区频道中心乐园空间日记清单地图宝典" +
  "百科速递优选严选到家同城周边全球随行掌上智慧云端快捷便民惠民星球";
const SUFFIX = ["", "助手", "小程序", "服务", "平台", "商城", "工具", "中心", "官方", "专业版"];
const SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗";
const words = (s) => Array.from({ length: s.length / 2 }, (_, i) => s.slice(i * 2, i * 2 + 2));
export const FIRST_WORDS = words(FIRST);
export const SECOND_WORDS = words(SECOND);

const q = (text) => `'${String(text).replaceAll("'", "''")}'`;
const sqlWords = (list) => q(list.join(""));

/** The registration number the SQL seed gives registration `j` (1-based). */
export function seededNumber(j) {
  const organizer = Math.ceil(j / 2);
  return `粤ICP备2024${String(organizer).padStart(6, "0")}号-${2 - (j % 2)}X`;
}
/** Its organizer's number (a "number prefix" search). */
export function seededOrganizerNumber(j) {
  return `粤ICP备2024${String(Math.ceil(j / 2)).padStart(6, "0")}号`;
}
/** A name query matching the service names of registrations with j % 50 = a and ⌊j / 50⌋ % 40 = b (R / 2,000 rows). */
export function nameQuery(a, b) {
  return FIRST_WORDS[a % FIRST_WORDS.length] + SECOND_WORDS[b % SECOND_WORDS.length];
}

/** Pool app `i` for submissions (and the name its filing gives the service). */
export const poolAppId = (i) => `wxbsub${String(i).padStart(10, "0")}`;
export const poolServiceName = (i) => `压测服务${i}`;
export const VALIDATE_APP = "wxbvalid00000001";

/**
 * SQL for `registrations` registrations (two per organizer, one in five organizers an individual), their apps and
 * public records, plus `pool` unlisted apps of the demo developer for the submission case and one for validate.
 */
export function volumeSql({ registrations, pool }) {
  const organizers = Math.ceil(registrations / 2);
  const at = "2024-03-01T02:00:00.000Z";
  const counter = (n) => `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${n})`;
  const pick = (list, index) => `substr(${sqlWords(list)}, (${index}) * 2 + 1, 2)`;
  const suffix = `(${SUFFIX.map((s, k) => `CASE WHEN j % 10 = ${k} THEN ${q(s)} ELSE '' END`).join(" || ")})`;
  return `
INSERT OR IGNORE INTO accounts (id, name, role, created_at) VALUES ('acc_bench', '基准测试', 'developer', ${q(at)});
${counter(organizers)}
INSERT INTO organizers (id, certificate_blind, nature, name, province, organizer_number, organizer_digits,
    last_sequence, data_sealed, created_at, updated_at)
  SELECT printf('org_bench%07d', i), printf('bench-blind-%07d', i),
    CASE WHEN i % 5 = 0 THEN 'individual' ELSE 'enterprise' END,
    CASE WHEN i % 5 = 0 THEN substr(${q(SURNAMES)}, i % 20 + 1, 1) || '小明'
      ELSE '深圳市' || ${pick(FIRST_WORDS, "(i * 7) % 50")} || ${pick(SECOND_WORDS, "(i / 7) % 40")} || '科技有限公司' END,
    '44', printf('粤ICP备2024%06d号', i), printf('2024%06d', i), 2, 'sealed', ${q(at)}, ${q(at)}
  FROM n;
INSERT INTO organizer_number_counters (province, year, last_sequence) VALUES ('44', 2024, ${organizers})
  ON CONFLICT DO UPDATE SET last_sequence = max(last_sequence, excluded.last_sequence);
${counter(registrations)}
INSERT INTO apps (app_id, name, owner_account_id, listing_status, listed_at, created_at, updated_at)
  SELECT printf('wxbreg%010d', i), 'app ' || i, 'acc_bench', 'listed', ${q(at)}, ${q(at)}, ${q(at)} FROM n;
WITH RECURSIVE n(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM n WHERE j < ${registrations})
INSERT INTO registrations (number, app_id, organizer_id, filing_id, status, service_name, service_name_key, sequence,
    version, approved_at, updated_at)
  SELECT printf('粤ICP备2024%06d号-%dX', (j + 1) / 2, 2 - j % 2), printf('wxbreg%010d', j),
    printf('org_bench%07d', (j + 1) / 2), printf('fil_bench%010d', j), 'active',
    ${pick(FIRST_WORDS, "j % 50")} || ${pick(SECOND_WORDS, "(j / 50) % 40")} || ${suffix},
    ${pick(FIRST_WORDS, "j % 50")} || ${pick(SECOND_WORDS, "(j / 50) % 40")} || ${suffix},
    2 - j % 2, 1, ${q(at)}, ${q(at)}
  FROM n;
INSERT INTO registration_versions (number, version, filing_id, service_name, approved_at)
  SELECT number, 1, filing_id, service_name, approved_at FROM registrations WHERE filing_id LIKE 'fil_bench%';
INSERT INTO public_records (service_licence, main_licence, unit_name, unit_name_key, nature_name, service_name,
    service_name_key, service_type, content_type_name, update_record_time, status, redacted, version)
  SELECT r.number, o.organizer_number,
    CASE o.nature WHEN 'individual' THEN substr(o.name, 1, 1) || '**' ELSE o.name END,
    CASE o.nature WHEN 'individual' THEN NULL ELSE lower(o.name) END,
    CASE o.nature WHEN 'individual' THEN '个人' ELSE '企业' END,
    r.service_name, r.service_name_key, 7, '', '2024-03-01 10:00:00', r.status,
    CASE o.nature WHEN 'individual' THEN '["unitName"]' ELSE '[]' END, 1
  FROM registrations r JOIN organizers o ON o.id = r.organizer_id WHERE r.filing_id LIKE 'fil_bench%';
${counter(pool)}
INSERT INTO apps (app_id, name, owner_account_id, listing_status, created_at, updated_at)
  SELECT printf('wxbsub%010d', i), '压测服务' || i, 'acc_demo_developer', 'unlisted', ${q(at)}, ${q(at)} FROM n;
INSERT INTO apps (app_id, name, owner_account_id, listing_status, created_at, updated_at)
  VALUES (${q(VALIDATE_APP)}, '压测校验', 'acc_demo_developer', 'unlisted', ${q(at)}, ${q(at)});
`;
}

/** Runs the volume SQL against the state's local D1. */
export async function seedVolume(state, counts) {
  const file = join(state, "bench-volume.sql");
  writeFileSync(file, volumeSql(counts));
  await run("wrangler", ["d1", "execute", "DB", "--local", "--persist-to", state, "--file", file], { quiet: true });
}

export const developerKey = DEMO_ACCOUNTS.find((a) => a.role === "developer").key;
const reviewerKey = DEMO_ACCOUNTS.find((a) => a.role === "reviewer").key;
const regulatorKey = DEMO_ACCOUNTS.find((a) => a.role === "regulator").key;
const upload = (url, ...material) => uploadMaterial(url, developerKey, ...material);

/**
 * One set of uploaded materials of the demo developer (a licence photo, ID card sides, a commitment letter); a
 * material may be referenced by any number of the owner's filings, so every benchmark filing shares the set.
 */
export async function uploadMaterials(url) {
  const card = png(1280, 720);
  return {
    licence: await upload(url, "organizer.certificate.photo", png(1280, 900), "licence.png", "uscc"),
    front: await upload(url, "organizer.principal.certificate.front", card, "id-front.png", "resident_id"),
    back: await upload(url, "organizer.principal.certificate.back", card, "id-back.png", "resident_id"),
    letter: await upload(url, "commitment.letter", pdf("承诺书"), "commitment.pdf"),
  };
}

/**
 * A valid new filing for pool app `i`: its own organizer (USCC), principal (ID, mobile) and service name, so no
 * quota, name or mobile rule ties one benchmark filing to another.
 */
export function filingBody(i, media, appId = poolAppId(i)) {
  const digits = String(i).padStart(7, "0");
  const template = demoFilings()[0].body;
  const id17 = `44030519850315${String(i % 1000).padStart(3, "0")}`;
  const idNumber = id17 + residentIdCheckCharacter(id17);
  const mobile = `139${String(i).padStart(8, "0")}`;
  const principal = {
    ...template.organizer.principal,
    certificate: {
      type: "resident_id",
      number: idNumber,
      validFrom: "2020-05-01",
      validTo: "long_term",
      front: media.front,
      back: media.back,
    },
    mobile,
    emergencyContact: `137${String(i).padStart(8, "0")}`,
  };
  const uscc17 = `91440300MA${digits}`;
  return {
    ...template,
    appId,
    organizer: {
      ...template.organizer,
      name: `深圳市压测${i}科技有限公司`,
      certificate: { type: "uscc", number: uscc17 + usccCheckCharacter(uscc17), photo: media.licence },
      principal,
    },
    service: { ...template.service, name: poolServiceName(i), principal },
    commitment: { accepted: true, letter: media.letter },
  };
}

async function post(url, path, key, body) {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() };
}

/**
 * `count` filings through the API, each taken to approval (development mode: beian allocates the number), on pool
 * apps from `first` on. Returns the registration numbers.
 */
export async function seedThroughApi(url, media, { first, count }) {
  const numbers = [];
  for (let i = first; i < first + count; i++) {
    const submitted = await post(url, "/v1/filings", developerKey, filingBody(i, media));
    if (submitted.status !== 201) throw new Error(`submit: ${submitted.status} ${JSON.stringify(submitted.body)}`);
    const id = submitted.body.id;
    const review = await post(url, `/v1/review/filings/${id}/approve`, reviewerKey);
    if (review.status !== 200) throw new Error(`review: ${review.status} ${JSON.stringify(review.body)}`);
    const sms = await post(url, `/v1/regulator/filings/${id}/sms-verified`, regulatorKey);
    if (sms.status !== 200) throw new Error(`sms-verified: ${sms.status} ${JSON.stringify(sms.body)}`);
    const approved = await post(url, `/v1/regulator/filings/${id}/approve`, regulatorKey, {});
    if (approved.status !== 200) throw new Error(`approve: ${approved.status} ${JSON.stringify(approved.body)}`);
    numbers.push(approved.body.registrationNumber);
  }
  return numbers;
}

/** The JSON shape of a value: keys and value types, recursively (arrays by their first element). */
function shape(value) {
  if (Array.isArray(value)) return [value.length ? shape(value[0]) : "empty"];
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, shape(value[k])]),
    );
  return typeof value;
}

/**
 * Looks up an API-made and a SQL-made number and checks both answers have the same shape (the same fields, of the
 * same types) and that the search finds each. Throws when the paths disagree.
 */
export async function checkPathsAgree(url, apiNumber, sqlNumber) {
  const get = async (path) => {
    const res = await fetch(`${url}${path}`);
    return { status: res.status, body: await res.json() };
  };
  const fromApi = await get(`/v1/public/registrations/${encodeURIComponent(apiNumber)}`);
  const fromSql = await get(`/v1/public/registrations/${encodeURIComponent(sqlNumber)}`);
  if (fromApi.status !== 200 || fromSql.status !== 200)
    throw new Error(`lookup: ${fromApi.status} (API-made) / ${fromSql.status} (SQL-made)`);
  const a = JSON.stringify(shape(fromApi.body));
  const b = JSON.stringify(shape(fromSql.body));
  if (a !== b) throw new Error(`API-made and SQL-made records differ in shape:\n${a}\n${b}`);
  for (const record of [fromApi.body, fromSql.body]) {
    const found = await get(`/v1/public/search?q=${encodeURIComponent(record.serviceName)}`);
    if (!found.body.items?.some((r) => r.serviceLicence === record.serviceLicence))
      throw new Error(`search for ${record.serviceName} misses ${record.serviceLicence}`);
  }
  return { apiRecord: fromApi.body, sqlRecord: fromSql.body };
}
