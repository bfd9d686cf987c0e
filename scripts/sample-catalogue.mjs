// A made-up catalogue to try `npm run import` with (`npm run samples -- catalogue <n>`): samples/apps-<n>.csv and
// samples/registrations-<n>.csv, or .jsonl. The rows are valid by the service's rules (USCCs and resident IDs with
// their check characters, registration numbers in the bureau's grammar, docs/rules.md#numbers); `bad` of them are
// spoiled on purpose, spread through the file, to show what <file>.errors.csv says.
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "csv-stringify/sync";
import { residentIdCheckCharacter, usccCheckCharacter } from "../src/domain/identifiers.ts";
import { KINDS } from "./catalogue-import.mjs";

const USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const PROVINCES = [
  { abbr: "粤", region: "440300", city: "深圳市" },
  { abbr: "京", region: "110105", city: "北京" },
  { abbr: "沪", region: "310115", city: "上海" },
  { abbr: "浙", region: "330106", city: "杭州" },
  { abbr: "川", region: "510104", city: "成都" },
];
const TRADES = ["科技", "网络", "信息技术", "文化传媒", "电子商务", "教育科技", "软件"];
const SERVICES = ["生活助手", "学习课堂", "出行服务", "健康管理", "点餐", "记账本", "天气查询", "图书馆", "商城"];
const SURNAMES = ["张", "王", "李", "赵", "陈", "刘", "杨", "黄", "周", "吴"];
const GIVEN = ["伟", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰"];

function uscc(region, n) {
  let body = "";
  for (let i = 0; i < 9; i++) {
    body = USCC_ALPHABET.charAt(n % 31) + body;
    n = Math.floor(n / 31);
  }
  const first17 = `91${region}${body}`;
  return first17 + usccCheckCharacter(first17);
}

/** One person per row up to ten million rows: the birth date takes n's last four digits, the sequence the rest. */
function residentId(region, n) {
  const birth = new Date(Date.UTC(1970, 0, 1) + (n % 10_000) * 86_400_000).toISOString().slice(0, 10);
  const first17 = `${region}${birth.replaceAll("-", "")}${String(Math.floor(n / 10_000) % 1000).padStart(3, "0")}`;
  return first17 + residentIdCheckCharacter(first17);
}

const appIdOf = (i) => `wx5a3c${i.toString(16).padStart(12, "0")}`;
const at = (i) => new Date(Date.UTC(2021, 0, 1) + ((i * 7_919_000) % (4 * 365 * 86_400_000))).toISOString();

/** Row `i` (from 0) of the apps catalogue, owned by `owner`. */
export function appRow(i, owner) {
  const listed = i % 5 !== 0;
  const p = PROVINCES[i % PROVINCES.length];
  return {
    appId: appIdOf(i),
    name: `${p.city}${SERVICES[i % SERVICES.length]}${i}`.slice(0, 30),
    ownerAccountId: owner,
    listingStatus: listed ? "listed" : "unlisted",
    ...(listed ? { listedAt: at(i) } : {}),
  };
}

/** Row `i` (from 0) of the registrations catalogue: every tenth organizer a person, the rest enterprises. */
export function registrationRow(i) {
  const p = PROVINCES[i % PROVINCES.length];
  const approvedAt = at(i);
  const year = approvedAt.slice(0, 4);
  const individual = i % 10 === 3;
  const name = individual
    ? `${SURNAMES[i % 10]}${GIVEN[Math.floor(i / 10) % 10]}${GIVEN[Math.floor(i / 100) % 10]}`
    : `${p.city}${TRADES[i % TRADES.length]}有限公司${i}`;
  return {
    number: `${p.abbr}ICP备${year}${String(i + 1).padStart(6, "0")}号-1X`,
    appId: appIdOf(i),
    organizer: {
      nature: individual ? "individual" : "enterprise",
      name,
      certificate: individual
        ? { type: "resident_id", number: residentId(p.region, i) }
        : { type: "uscc", number: uscc(p.region, 1_000_000 + i) },
    },
    service: { name: `${SERVICES[i % SERVICES.length]}${i}`, ...(i % 50 === 7 ? { contentTypeName: "新闻" } : {}) },
    approvedAt,
    status: i % 97 === 5 ? "cancelled" : "active",
  };
}

/** Spoils a row so the service refuses it (each kind of mistake a real catalogue has). */
function spoil(kind, row, j) {
  if (kind === "apps") {
    if (j % 3 === 0) return { ...row, name: "" };
    if (j % 3 === 1) return { ...row, listingStatus: "listed", listedAt: undefined };
    return { ...row, listingStatus: "hidden" };
  }
  if (j % 3 === 0) return { ...row, number: `${row.number.slice(0, -3)}-0X` };
  if (j % 3 === 1) {
    const cert = row.organizer.certificate;
    return {
      ...row,
      organizer: { ...row.organizer, certificate: { ...cert, number: `${cert.number.slice(0, -1)}Z` } },
    };
  }
  return { ...row, approvedAt: "2024-02-30T08:00:00.000Z" };
}

/** The row as the CSV's cells, in the kind's column order. */
function cellsOf(kind, row) {
  return KINDS[kind].columns.map(([, path]) => path.split(".").reduce((o, k) => o?.[k], row) ?? "");
}

/**
 * Writes `n` rows of `kind` to `file` (CSV or JSON Lines by its extension), `bad` of them spoiled; returns the row
 * numbers (as the errors file names them) of the spoiled ones.
 */
export function writeCatalogue(kind, n, file, { owner = "acc_demo_developer", bad = 0 } = {}) {
  const jsonl = /\.jsonl$/.test(file);
  const spoiled = new Set(Array.from({ length: bad }, (_, j) => Math.floor(((j + 0.5) * n) / bad)));
  const fd = openSync(file, "w");
  try {
    if (!jsonl) writeSync(fd, stringify([KINDS[kind].columns.map(([c]) => c)]));
    const rowNumbers = [];
    let chunk = [];
    const flush = () => {
      writeSync(fd, jsonl ? chunk.map((r) => `${JSON.stringify(r)}\n`).join("") : stringify(chunk));
      chunk = [];
    };
    let j = 0;
    for (let i = 0; i < n; i++) {
      let row = kind === "apps" ? appRow(i, owner) : registrationRow(i);
      if (spoiled.has(i)) {
        row = spoil(kind, row, j++);
        rowNumbers.push(jsonl ? i + 1 : i + 2);
      }
      chunk.push(jsonl ? JSON.parse(JSON.stringify(row)) : cellsOf(kind, row));
      if (chunk.length >= 5000) flush();
    }
    flush();
    return rowNumbers;
  } finally {
    closeSync(fd);
  }
}

/** `npm run samples -- catalogue <n> [--bad k] [--jsonl] [--owner accountId]`: both kinds, into `dir`. */
export function writeSampleCatalogue(dir, n, { bad = 0, jsonl = false, owner } = {}) {
  mkdirSync(dir, { recursive: true });
  const ext = jsonl ? "jsonl" : "csv";
  return ["apps", "registrations"].map((kind) => {
    const file = join(dir, `${kind}-${n}.${ext}`);
    writeCatalogue(kind, n, file, { bad, owner });
    return file;
  });
}
