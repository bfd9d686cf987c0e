// `npm run bench:capacity`: bytes per app, registration, filing and event, from SQLite's own page accounting
// (dbstat) of a local D1 after seeding — the figures docs/capacity.md projects from.
// Volume comes in by SQL (registrations with their organizers, versions and public records; listed apps), filings
// through the API (validation, sealing, history, audit, events and outbox rows as production writes them), half of
// them approved. Usage: npm run bench:capacity [-- --registrations 50000 --filings 200]
import { DatabaseSync } from "node:sqlite";
import { prepareState, startService } from "../scripts/service.mjs";
import { approve, d1File, developerWithApps, filingBody, KEYS, pool, submit } from "../test/reliability/lib.mjs";
import { seedVolume } from "./lib/seed.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const registrations = arg("registrations", 50_000);
const filings = arg("filings", 200);

const state = await prepareState();
await seedVolume(state, { registrations, pool: 0 });
const service = await startService({ state, port: 8950 });
try {
  const dev = await developerWithApps(service.url, filings, { key: KEYS.developer });
  const ids = await pool(
    8,
    dev.appIds.map((appId) => async () => {
      const res = await submit(service.url, dev.key, filingBody(appId, dev.media));
      if (res.status !== 201) throw new Error(`submit: ${res.status} ${res.text}`);
      return res.body.id;
    }),
  );
  await pool(
    4,
    ids.slice(0, filings / 2).map((id) => () => approve(service.url, id)),
  );
} finally {
  await service.stop();
}

const db = new DatabaseSync(d1File(state), { readOnly: true });
const owner = new Map(
  db
    .prepare("SELECT name, tbl_name FROM sqlite_master")
    .all()
    .map((r) => [r.name, r.tbl_name]),
);
const bytes = new Map();
for (const { name, size } of db.prepare("SELECT name, sum(pgsize) AS size FROM dbstat GROUP BY name").all()) {
  // FTS5 shadow tables (public_records_fts_data, …) belong to their virtual table.
  const table = (owner.get(name) ?? name).replace(/_fts_(data|idx|content|docsize|config)$/, "_fts");
  bytes.set(table, (bytes.get(table) ?? 0) + size);
}
const rows = (table) => db.prepare(`SELECT count(*) AS n FROM ${table}`).get().n;
const sum = (tables) => tables.reduce((total, t) => total + (bytes.get(t) ?? 0), 0);

// What one entity costs with everything written for it, tables and their indexes.
const groups = {
  app: { per: "apps", tables: ["apps"] },
  registration: {
    per: "registrations",
    tables: ["registrations", "registration_versions", "public_records", "public_records_fts", "organizers"],
  },
  filing: {
    per: "filings",
    tables: [
      "filings",
      "filing_people",
      "filing_history",
      "audit_log",
      "materials",
      "filing_materials",
      "idempotency_keys",
    ],
  },
  event: { per: "events", tables: ["events", "webhook_deliveries"] },
};
const result = { registrations, filings, tables: {}, perEntity: {} };
for (const [table, size] of [...bytes].sort((a, b) => b[1] - a[1])) {
  const n = owner.has(table) || table.endsWith("_fts") ? safeRows(table) : null;
  result.tables[table] = { bytes: size, rows: n };
}
function safeRows(table) {
  try {
    return rows(table);
  } catch {
    return null;
  }
}
for (const [entity, { per, tables }] of Object.entries(groups)) {
  const present = tables.filter((t) => bytes.has(t));
  const count = rows(per);
  result.perEntity[entity] = { count, tables: present, bytesEach: Math.round(sum(present) / count) };
}
result.databaseBytes = [...bytes.values()].reduce((a, b) => a + b, 0);
db.close();

console.log(`\nlocal D1 after seeding: ${(result.databaseBytes / 1e6).toFixed(1)} MB`);
console.log("table                         rows        bytes");
for (const [table, { bytes: size, rows: n }] of Object.entries(result.tables)) {
  console.log(`${table.padEnd(28)} ${String(n ?? "").padStart(8)} ${String(size).padStart(12)}`);
}
console.log("\nper entity (its tables and their indexes):");
for (const [entity, { count, bytesEach, tables }] of Object.entries(result.perEntity)) {
  console.log(`  ${entity.padEnd(13)} ${String(bytesEach).padStart(6)} B each  (${count} rows; ${tables.join(", ")})`);
}
console.log(JSON.stringify(result));
