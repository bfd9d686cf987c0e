// Node's file system for test/scripts/*.test.ts (the tests' types are the Worker's, which have no node:fs).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";

/** A fresh directory under the system's temporary one. */
export const scratch = () => mkdtempSync(join(tmpdir(), "beian-import-"));
export const pathIn = (dir, name) => join(dir, name);
export const exists = (path) => existsSync(path);
export const write = (path, text) => writeFileSync(path, text);
export const byteLength = (path) => readFileSync(path).length;
/** The rows of `<file>.errors.csv`, by column name. */
export const errorsOf = (file) => parse(readFileSync(`${file}.errors.csv`), { columns: true });
