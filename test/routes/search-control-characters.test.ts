import { describe, expect, it } from "vitest";
import { call } from "../support/api";

describe("search with control characters", () => {
  // FTS5 reads its query as a C string; a NUL must not cut the phrase short and fail the query.
  for (const q of ["ab\0", "a\0c", "\0\0\0", "示例\0助手"]) {
    it(`answers ${JSON.stringify(q)} with an empty result, as JSON and as a page`, async () => {
      const headers = { "cf-connecting-ip": "203.0.113.90" };
      const json = await call(`/v1/public/search?q=${encodeURIComponent(q)}`, { headers });
      expect(json.status).toBe(200);
      expect(((await json.json()) as { total: number }).total).toBe(0);
      const page = await call(`/?q=${encodeURIComponent(q)}`, { headers });
      expect(page.status).toBe(200);
      await page.arrayBuffer();
    });
  }
});
