// `npm run import`'s pieces (scripts/catalogue-import.mjs) in Node: reading CSV and JSON Lines, the column
// mapping, batching, 422 answers mapped back to file rows, retries, and the checkpoint a resumed run starts from,
// against the fake registrations import (test/import/fake-admin.mjs).
import { afterEach, describe, expect, it } from "vitest";
import {
  batchesOf,
  checkHeader,
  columnOfPath,
  importFile,
  objectOfCells,
  readCheckpoint,
  readRows,
  retryDelay,
  rowProblems,
} from "../../scripts/catalogue-import.mjs";
import { registrationRow, writeCatalogue } from "../../scripts/sample-catalogue.mjs";
import { type FakeAdmin, startFakeAdmin } from "../import/fake-admin.mjs";
import { byteLength, scratch as dir, errorsOf, exists, pathIn as join, write as writeFileSync } from "./support.mjs";

const noWait = async () => {};
const collect = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

let fake: FakeAdmin | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe("columns", () => {
  it("turns a CSV record into the API's object, empty cells left out", () => {
    const names = checkHeader("registrations", [
      "number",
      "organizerNature",
      "organizerName",
      "certificateType",
      "certificateNumber",
      "serviceName",
      "contentTypeName",
      "approvedAt",
    ]);
    expect(
      objectOfCells("registrations", names, [
        "粤ICP备2024012345号-1X",
        "enterprise",
        "某公司",
        "uscc",
        "X",
        "服务",
        "",
        "t",
      ]),
    ).toEqual({
      number: "粤ICP备2024012345号-1X",
      organizer: { nature: "enterprise", name: "某公司", certificate: { type: "uscc", number: "X" } },
      service: { name: "服务" },
      approvedAt: "t",
    });
  });

  it("refuses a header with an unknown, missing or repeated column", () => {
    expect(() => checkHeader("apps", ["appId", "name", "ownerAccountId", "listingStatus", "colour"])).toThrow(/colour/);
    expect(() => checkHeader("apps", ["appId", "name", "ownerAccountId"])).toThrow(/missing column\(s\) listingStatus/);
    expect(() => checkHeader("apps", ["appId", "name", "ownerAccountId", "listingStatus", "name"])).toThrow(/twice/);
  });

  it("names the column a problem's path comes from", () => {
    expect(columnOfPath("registrations", "organizer.certificate.number")).toBe("certificateNumber");
    expect(columnOfPath("registrations", "organizer.certificate")).toBe("certificateType");
    expect(columnOfPath("registrations", "service.name")).toBe("serviceName");
    expect(columnOfPath("apps", "listedAt")).toBe("listedAt");
    expect(columnOfPath("apps", "")).toBe("");
  });
});

describe("reading", () => {
  it("reads CSV with a BOM, quoted commas and line breaks, a blank line; numbers rows as a spreadsheet", async () => {
    const file = join(dir(), "apps.csv");
    writeFileSync(
      file,
      '\uFEFFappId,name,ownerAccountId,listingStatus\r\nwx1,"a, b",acc,unlisted\r\nwx2,"two\nlines",acc,unlisted\r\n\r\nwx3,short\r\n',
    );
    const rows = await collect(readRows("apps", file));
    expect(rows.map((r) => [r.row, r.ordinal, r.value?.name ?? r.problem?.code])).toEqual([
      [2, 1, "a, b"],
      [3, 2, "two\nlines"],
      [5, 3, "INVALID_ROW"],
    ]);
    expect(rows.at(-1)?.bytes).toBe(byteLength(file));
    expect((await collect(readRows("apps", file, { skip: 2 }))).map((r) => r.ordinal)).toEqual([3]);
  });

  it("reads JSON Lines: each line the object itself, a line that is not an object set aside", async () => {
    const file = join(dir(), "r.jsonl");
    writeFileSync(file, `${JSON.stringify(registrationRow(0))}\n\n{oops\n[1]\n${JSON.stringify(registrationRow(1))}\n`);
    const rows = await collect(readRows("registrations", file));
    expect(rows.map((r) => [r.row, r.ordinal, r.problem?.code ?? "ok"])).toEqual([
      [1, 1, "ok"],
      [3, 2, "INVALID_JSON"],
      [4, 3, "INVALID_JSON"],
      [5, 4, "ok"],
    ]);
    expect(rows[0]?.value).toEqual(registrationRow(0));
  });

  it("batches by rows to send, carrying rows with problems along", async () => {
    async function* rows() {
      for (let i = 0; i < 7; i++) yield i === 2 ? { problem: true } : { value: i };
    }
    expect((await collect(batchesOf(rows(), 3))).map((b) => b.length)).toEqual([4, 3]);
  });
});

describe("answers", () => {
  it("maps a 422's paths back to the rows of the batch", () => {
    const { byIndex, other } = rowProblems("apps", [
      { path: "apps[3].name", code: "TOO_SHORT", message: "m" },
      { path: "apps[3].listedAt", code: "REQUIRED", message: "m" },
      { path: "apps[10]", code: "INVALID_TYPE", message: "m" },
      { path: "apps", code: "TOO_MANY", message: "m" },
      { path: "registrations[1].number", code: "X", message: "m" },
    ]);
    expect([...byIndex.keys()]).toEqual([3, 10]);
    expect(byIndex.get(3)?.map((p) => p.path)).toEqual(["name", "listedAt"]);
    expect(byIndex.get(10)?.[0]?.path).toBe("");
    expect(other).toHaveLength(2);
  });

  it("waits as Retry-After says, else backs off with jitter up to 30 s", () => {
    expect(retryDelay(1, "3")).toBe(3000);
    expect(retryDelay(1, null, () => 0)).toBe(250);
    expect(retryDelay(3, null, () => 1)).toBe(2000);
    expect(retryDelay(20, null, () => 1)).toBe(30_000);
  });
});

describe("importFile against the fake registrations import", () => {
  it("imports every valid row; sets each bad row aside by its row number; retries 429 and 503", async () => {
    const d = dir();
    const file = join(d, "registrations.csv");
    const spoiled = writeCatalogue("registrations", 2500, file, { bad: 6 });
    fake = await startFakeAdmin({
      fault: (n) => (n === 2 ? { status: 429, retryAfter: 1 } : n === 4 ? { status: 503 } : undefined),
    });
    const waits: number[] = [];
    const r = await importFile({
      kind: "registrations",
      file,
      url: fake.url,
      key: fake.key,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(fake.store.size).toBe(2500 - 6);
    expect(r).toMatchObject({ imported: 2494, updated: 0, unchanged: 0, rejected: 6, rows: 2500 });
    expect(waits[0]).toBe(1000);
    expect(waits).toHaveLength(2);
    const errors = errorsOf(file);
    expect(errors.map((e) => Number(e.row))).toEqual(spoiled);
    expect(errors.map((e) => e.column)).toEqual([
      "number",
      "certificateNumber",
      "approvedAt",
      "number",
      "certificateNumber",
      "approvedAt",
    ]);
    expect(errors[0]).toMatchObject({ path: "number", code: "INVALID_FORMAT" });
    expect(exists(`${file}.checkpoint.json`)).toBe(false);
  });

  it("halves the rows a call carries after a 413; a second run changes nothing; no bad rows, no errors file", async () => {
    const file = join(dir(), "r.jsonl");
    writeCatalogue("registrations", 1200, file);
    fake = await startFakeAdmin();
    const opts = { kind: "registrations" as const, file, url: fake.url, key: fake.key, sleep: noWait };
    expect(await importFile(opts)).toMatchObject({ imported: 1200, rejected: 0 });
    // 1,000 of these rows are over the 256 KiB body limit: one 413, then 500 a call for the rest of the run.
    expect(fake.calls).toBe(1 + 2 + 1);
    expect(await importFile(opts)).toMatchObject({ imported: 0, updated: 0, unchanged: 1200 });
    expect(exists(`${file}.errors.csv`)).toBe(false);
  });

  it("stops on an answer it cannot act on, keeping the checkpoint; --resume finishes with every row once", async () => {
    const file = join(dir(), "r.csv");
    const spoiled = writeCatalogue("registrations", 5000, file, { bad: 4 });
    // A body of 1,000 of these rows is over the service's 256 KiB: each batch goes as two calls (413, then halves).
    // The service refuses the key once 2,400 rows are in: batch 3 half taken, the checkpoint at batch 2.
    let refuse = true;
    fake = await startFakeAdmin({
      fault: () => (refuse && (fake?.store.size ?? 0) >= 2400 ? { status: 401 } : undefined),
    });
    const opts = { kind: "registrations" as const, file, url: fake.url, key: fake.key, sleep: noWait };
    await expect(importFile(opts)).rejects.toThrow(/answered 401/);
    const checkpoint = readCheckpoint(`${file}.checkpoint.json`);
    expect(checkpoint?.rows).toBe(2000);
    refuse = false;
    expect(fake.store.size).toBeLessThan(5000 - 4);
    await expect(importFile(opts)).rejects.toThrow(/--resume/);
    const r = await importFile({ ...opts, resume: true });
    expect(fake.store.size).toBe(5000 - 4);
    // The half of batch 3 the service took before it stopped comes again, unchanged.
    expect(r).toMatchObject({ imported: 4496, unchanged: 500, rejected: 4, rows: 5000 });
    expect(errorsOf(file).map((e) => Number(e.row))).toEqual(spoiled);
  });

  it("refuses to resume against a file that changed, and says so when the service has no such route", async () => {
    const file = join(dir(), "apps.csv");
    writeCatalogue("apps", 10, file);
    fake = await startFakeAdmin();
    await expect(importFile({ kind: "apps", file, url: fake.url, key: fake.key })).rejects.toThrow(
      /no apps import route/,
    );
    writeFileSync(`${file}.checkpoint.json`, JSON.stringify({ kind: "apps", size: 1, mtimeMs: 1, rows: 0 }));
    await expect(importFile({ kind: "apps", file, url: fake.url, key: fake.key, resume: true })).rejects.toThrow(
      /changed/,
    );
  });
});
