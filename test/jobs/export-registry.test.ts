import { env } from "cloudflare:workers";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { CSV_COLUMNS, readCsvCell } from "../../src/domain/registry-csv";
import { beijingToday } from "../../src/domain/time";
import { Budget } from "../../src/jobs/budget";
import { exportRegistry } from "../../src/jobs/export-registry";
import { publicRecordsAfter } from "../../src/repositories/public-records";
import { call, callJson, unique } from "../support/api";

const client = () => ({ "cf-connecting-ip": `198.19.${unique() % 250}.${unique() % 250}` });

/** Records written straight into the public table, with the values CSV has to take care of. */
async function plantRecords(n: number): Promise<void> {
  const awkward = ["逗号,名称", '引号"名称"', "换行\n名称", "=SUM(A1)", "+86 服务", "-减号", "@提及", "普通名称"];
  for (let i = 0; i < n; i++) {
    const seq = unique();
    const name = `${awkward[i % awkward.length]}${seq}`;
    await env.DB.prepare(
      `insert into public_records (service_licence, main_licence, unit_name, unit_name_key, nature_name, service_name,
         service_name_key, service_type, content_type_name, update_record_time, status, redacted, version)
       values (?, ?, ?, ?, ?, ?, ?, 7, ?, ?, ?, ?, 1)`,
    )
      .bind(
        `粤ICP备2025${String(seq).padStart(6, "0").slice(-6)}号-1X`,
        `粤ICP备2025${String(seq).padStart(6, "0").slice(-6)}号`,
        i % 3 === 0 ? "张*" : `深圳市${name}有限公司`,
        null,
        i % 3 === 0 ? "个人" : "企业",
        name,
        name,
        i % 4 === 0 ? "新闻,出版" : "",
        "2026-03-01 10:00:00",
        i % 5 === 0 ? "cancelled" : "active",
        i % 3 === 0 ? '["unitName"]' : "[]",
      )
      .run();
  }
}

async function gunzip(bytes: Uint8Array): Promise<string> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(await new Response(stream).arrayBuffer());
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("the nightly export", () => {
  it("writes the whole registry in chunks across runs, and the file round-trips to the records", async () => {
    await plantRecords(23);
    const db = createDb(env.DB);
    const now = new Date();
    // A budget of a few queries a run: each run writes a chunk or two, and the next goes on.
    let runs = 0;
    let outcome: Awaited<ReturnType<typeof exportRegistry>>;
    do {
      outcome = await exportRegistry(env, db, new Budget({ maxQueries: 6, maxMillis: 60_000 }), now, {
        chunkRows: 4,
      });
      runs++;
    } while (outcome && !outcome.finished && runs < 100);
    expect(outcome?.finished).toBe(true);
    expect(runs).toBeGreaterThan(2);
    // A further run that day writes nothing.
    expect(await exportRegistry(env, db, new Budget(), now)).toEqual({
      date: beijingToday(now),
      rows: 0,
      finished: true,
    });

    const info = await callJson("/v1/public/export", { headers: client() });
    expect(info.status).toBe(200);
    const records = await publicRecordsAfter(db, null, 100_000);
    expect(info.body).toMatchObject({
      date: beijingToday(now),
      url: `/v1/public/export/${beijingToday(now)}.csv.gz`,
      rows: records.length,
      columns: [...CSV_COLUMNS],
    });

    const file = await call(info.body.url, { headers: client() });
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("application/gzip");
    expect(file.headers.get("etag")).toBe(`"${info.body.sha256}"`);
    expect(file.headers.get("cache-control")).toContain("max-age=");
    const bytes = new Uint8Array(await file.arrayBuffer());
    expect(bytes.byteLength).toBe(info.body.bytes);
    expect(await sha256(bytes)).toBe(info.body.sha256);

    const text = await gunzip(bytes);
    expect(text.startsWith("\uFEFF")).toBe(true);
    const [header, ...rows] = parse(text.slice(1), { relaxColumnCount: false }) as string[][];
    expect(header).toEqual([...CSV_COLUMNS]);
    const parsed = rows.map((row) => {
      const cells = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, readCsvCell(row[i] ?? "")]));
      return {
        ...cells,
        serviceType: Number(cells.serviceType),
        redacted: cells.redacted === "" ? [] : (cells.redacted ?? "").split(","),
      };
    });
    expect(parsed).toEqual(records);
    // Formula-like names are guarded in the file itself.
    expect(text).toContain("'=SUM(A1)");

    const again = await call(info.body.url, { headers: { ...client(), "if-none-match": `"${info.body.sha256}"` } });
    expect(again.status).toBe(304);
  });

  it("is 404 for a date without a finished export, and 422 for a file name that is no date", async () => {
    expect((await callJson("/v1/public/export/2001-01-01.csv.gz", { headers: client() })).status).toBe(404);
    expect((await callJson("/v1/public/export/latest.csv", { headers: client() })).status).toBe(422);
  });
});
