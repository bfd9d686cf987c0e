import { createExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { call, callJson, newAccount, newApp, person, unique, validFiling } from "../support/api";
import { approve, approveAtBureau, staff } from "../support/lifecycle";

type Keys = Awaited<ReturnType<typeof staff>>;

/** Submits `body` as `dev` (a fresh developer with a fresh app when omitted) and takes it to an approved number. */
async function register(body: ReturnType<typeof validFiling>, opts: { dev?: { key: string }; keys?: Keys } = {}) {
  const dev = opts.dev ?? (await newAccount("developer"));
  if (!opts.dev) body.appId = await newApp(dev.key);
  const submitted = await callJson("/v1/filings", { key: dev.key, body });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  const approved = await approve(submitted.body.id, opts.keys ?? (await staff()));
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  return { number: approved.body.registrationNumber as string, dev, appId: body.appId };
}

/** An approved enterprise registration with a service name no other test uses. */
async function enterprise() {
  const body = validFiling("");
  const { number, dev, appId } = await register(body);
  return { number, serviceName: body.service.name, unitName: body.organizer.name, dev, appId };
}

/** An approved registration of an individual organizer, whose name must never appear in full. */
async function individual(fullName: string): Promise<{ number: string; serviceName: string }> {
  const body = validFiling("");
  const principal = person({ name: fullName });
  body.organizer = {
    ...body.organizer,
    nature: "individual",
    name: fullName,
    certificate: { type: principal.certificate.type, number: principal.certificate.number },
    principal,
  };
  body.service.principal = principal;
  body.service.name = `个人出行助手${unique()}`;
  const { number } = await register(body);
  return { number, serviceName: body.service.name };
}

const page = async (path: string, headers: Record<string, string> = {}) => {
  const res = await call(path, { headers });
  return { res, status: res.status, text: await res.text() };
};
const recordPath = (number: string) => `/r/${encodeURIComponent(number)}`;
const badgePath = (number: string) => `/badge/${encodeURIComponent(number)}.svg`;
const search = (q: string) => page(`/?${new URLSearchParams({ q })}`);

describe("search page", () => {
  it("renders the empty search form, in Chinese and for phones", async () => {
    const { status, res, text } = await page("/");
    expect(status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(text).toMatch(/^<!doctype html>/i);
    expect(text).toContain('<html lang="zh-CN">');
    expect(text).toContain("<title>小程序备案查询</title>");
    expect(text).toContain('name="viewport"');
    expect(text).toMatch(/<form[^>]*method="get"/);
    expect(text).toContain('name="q"');
    // Everything is inline: no stylesheet, script or font from elsewhere.
    expect(text).not.toMatch(/<link[^>]+stylesheet|<script[^>]+src=|https?:\/\/(?!beian\.miit\.gov\.cn)/);
  });

  it("finds a record by its number and by its service name, linking to the record page", async () => {
    const { number, serviceName, unitName } = await enterprise();
    for (const q of [number, serviceName, serviceName.slice(0, -2), unitName]) {
      const { status, text } = await search(q);
      expect(status, q).toBe(200);
      expect(text, q).toContain(`href="${recordPath(number)}"`);
      expect(text, q).toContain(serviceName);
      expect(text, q).toContain(unitName);
      expect(text, q).toContain("企业");
      expect(text, q).toContain("正常");
    }
  });

  it("shows a clear empty state", async () => {
    const { status, text } = await search(`没有这个小程序${unique()}`);
    expect(status).toBe(200);
    expect(text).toContain("未找到相关备案信息");
  });

  it("pages through many results", async () => {
    const organizer = validFiling("").organizer;
    const [dev, keys] = await Promise.all([newAccount("developer"), staff()]);
    const stem = `分页测试${unique()}号`;
    for (let i = 0; i < 21; i++) {
      const body = validFiling(await newApp(dev.key));
      body.organizer = organizer;
      body.service.principal = organizer.principal;
      body.service.name = `${stem}${String(i).padStart(2, "0")}`;
      await register(body, { dev, keys });
    }
    const first = await search(stem);
    expect(first.text).toContain("共 21 条结果，第 1 / 2 页");
    expect(first.text).toContain(`href="/?q=${encodeURIComponent(stem)}&amp;page=2"`);
    const second = await page(`/?${new URLSearchParams({ q: stem, page: "2" })}`);
    expect(second.text).toContain("第 2 / 2 页");
    expect(second.text.match(/class="number"/g)).toHaveLength(1);
    expect(second.text).toContain("上一页");
    const beyond = await page(`/?${new URLSearchParams({ q: stem, page: "9" })}`);
    expect(beyond.text).toContain("没有更多结果了");
  }, 60_000);

  it("explains a query over 50 characters inline", async () => {
    const { status, text } = await search("示".repeat(51));
    expect(status).toBe(422);
    expect(text).toContain("查询内容不能超过 50 个字符");
    expect(text).toContain('name="q"');
  });

  it("escapes the query wherever it is shown", async () => {
    for (const q of ["<script>alert(1)</script>", `"><img src=x onerror=alert(1)>`]) {
      const { status, text } = await search(q);
      expect(status).toBe(200);
      expect(text).not.toContain("<script>alert(1)");
      expect(text).not.toContain("<img src=x");
      expect(text).toMatch(/&lt;script&gt;alert\(1\)|&lt;img src=x/);
    }
    const long = await search(`<script>alert(1)</script>${"x".repeat(50)}`);
    expect(long.status).toBe(422);
    expect(long.text).not.toContain("<script>alert(1)");
  });

  it("shows an individual's masked name and never the full one, nor finds them by name", async () => {
    const fullName = "王小明";
    const { number, serviceName } = await individual(fullName);
    const found = await search(serviceName);
    expect(found.text).toContain(`href="${recordPath(number)}"`);
    expect(found.text).toContain("王**");
    expect(found.text).not.toContain(fullName);
    const byName = await search(fullName);
    expect(byName.text).toContain("未找到相关备案信息");
    expect(byName.text).not.toContain(recordPath(number));
  });
});

describe("record page", () => {
  it("shows every MIIT field with Chinese labels and the snippet linking to MIIT", async () => {
    const { number, serviceName, unitName } = await enterprise();
    const { status, res, text } = await page(recordPath(number));
    expect(status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    for (const label of [
      "备案号",
      "主体备案号",
      "主办单位名称",
      "单位性质",
      "服务名称",
      "服务类型",
      "前置审批",
      "审核通过日期",
      "限制接入",
      "状态",
    ]) {
      expect(text, label).toContain(`<dt>${label}</dt>`);
    }
    expect(text).toContain(number);
    expect(text).toContain(number.replace(/-\d+X$/, ""));
    expect(text).toContain(serviceName);
    expect(text).toContain(unitName);
    expect(text).toContain("<dd>小程序</dd>");
    expect(text).toContain("<dd>否</dd>");
    // The snippet, escaped inside a textarea so it can be copied as it is.
    const snippet = `<a href="https://beian.miit.gov.cn/" target="_blank" rel="noopener">${number}</a>`;
    const escaped = snippet
      .replaceAll("&", "&amp;")
      .replaceAll("<", "&lt;")
      .replaceAll(">", "&gt;")
      .replaceAll('"', "&quot;");
    expect(text).toMatch(/<textarea[^>]*id="snippet-link"/);
    expect(text).toContain(escaped);
    expect(text).toContain(`href="https://beian.miit.gov.cn/"`);
    expect(text).toContain(`/badge/${number}.svg`);
    expect(text).toContain("复制");
  });

  it("never shows a bidirectional override or an invisible character, even in names stored before the text rule", async () => {
    const { number, serviceName, unitName } = await enterprise();
    // As a record written before the rule refused them (or imported) would hold them.
    await env.DB.prepare("update public_records set service_name = ?, unit_name = ? where service_licence = ?")
      .bind(`${serviceName}\u202e`, `\u2067${unitName}\u200b`, number)
      .run();
    const record = await page(recordPath(number));
    expect(record.status).toBe(200);
    const found = await search(number);
    for (const text of [record.text, found.text]) {
      expect(text).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200b]/);
      expect(text).toContain(serviceName);
      expect(text).toContain(unitName);
    }
    expect(record.text).toContain(`<h1>${serviceName}</h1>`);
    expect(record.text).toContain(`<title>${number} ${serviceName} - 小程序备案查询</title>`);
    const query = await search(`示例\u202e助手`);
    expect(query.text).not.toContain("\u202e");
  });

  it("builds the badge snippet's absolute URL from PUBLIC_ORIGIN, never from the Host the client sent", async () => {
    const { number } = await enterprise();
    const pageAt = async (url: string, vars: Record<string, string>) => {
      const res = await createApp().fetch(
        new Request(url, { headers: { host: "evil.example" } }),
        { ...env, ...vars },
        createExecutionContext(),
      );
      return res.text();
    };
    const path = recordPath(number);
    for (const vars of [
      { ENVIRONMENT: "production", PUBLIC_ORIGIN: "https://beian.example.com" },
      { ENVIRONMENT: "development", PUBLIC_ORIGIN: "https://beian.example.com" },
    ]) {
      const text = await pageAt(`https://evil.example${path}`, vars);
      expect(text, vars.ENVIRONMENT).toContain(`&lt;img src=&quot;https://beian.example.com/badge/${number}.svg&quot;`);
      expect(text, vars.ENVIRONMENT).not.toContain("evil.example");
    }
    // Development without the setting: the request's own origin, as `npm start` serves it.
    const local = await pageAt(`http://localhost:8787${path}`, { ENVIRONMENT: "development", PUBLIC_ORIGIN: "" });
    expect(local).toContain(`&lt;img src=&quot;http://localhost:8787/badge/${number}.svg&quot;`);
  });

  it("notes the redacted name of an individual and never shows the full name", async () => {
    const fullName = "李小红";
    const { number } = await individual(fullName);
    const { status, text } = await page(recordPath(number));
    expect(status).toBe(200);
    expect(text).toContain("李**");
    expect(text).toContain("个人主体名称已隐去");
    expect(text).toContain("个人");
    expect(text).not.toContain(fullName);
  });

  it("marks a cancelled record and offers no snippet for it", async () => {
    const { number, dev, appId } = await enterprise();
    const cancel = await callJson("/v1/filings", {
      key: dev.key,
      body: { type: "cancel", appId, scope: "service", reason: "no_longer_operated" },
    });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(201);
    const cancelled = await approveAtBureau(cancel.body.id, await staff());
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    const { status, text } = await page(recordPath(number));
    expect(status).toBe(200);
    expect(text).toContain("已注销");
    expect(text).toContain("<dt>更新时间</dt>");
    expect(text).toContain("<dd>是</dd>");
    expect(text).not.toContain('id="snippet-link"');
    const badge = await page(badgePath(number));
    expect(badge.text).toContain(`${number} 已注销`);
  });

  it("answers 404 with 未找到 for unknown and malformed numbers", async () => {
    for (const path of [recordPath("粤ICP备2024999999号-9X"), recordPath("not-a-number"), recordPath("<b>x</b>")]) {
      const { status, text } = await page(path);
      expect(status, path).toBe(404);
      expect(text, path).toContain("未找到");
      expect(text, path).toContain('<html lang="zh-CN">');
      expect(text, path).not.toContain("<b>x</b>");
    }
  });

  it("redirects another spelling of a number to its canonical address", async () => {
    const { number } = await enterprise();
    const fullWidth = number.replace("ICP", "ＩＣＰ").replace("X", "ｘ");
    const res = await exports.default.fetch(
      new Request(`http://beian.test${recordPath(fullWidth)}`, { redirect: "manual" }),
    );
    expect(res.status).toBe(301);
    expect(res.headers.get("location")).toBe(recordPath(number));
  });

  it("sends ETag and Cache-Control, and 304 on If-None-Match", async () => {
    const { number } = await enterprise();
    const first = await page(recordPath(number));
    const etag = first.res.headers.get("etag");
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(first.res.headers.get("cache-control")).toMatch(/max-age=(\d|[1-5]\d|60)\b/);
    const again = await page(recordPath(number), { "if-none-match": etag ?? "" });
    expect(again.status).toBe(304);
    expect(again.text).toBe("");
    expect(again.res.headers.get("etag")).toBe(etag);
    const other = await page(recordPath(number), { "if-none-match": '"something-else"' });
    expect(other.status).toBe(200);
  });

  it("allows only its own inline style and script", async () => {
    const { number } = await enterprise();
    const { res } = await page(recordPath(number));
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain("unsafe-inline");
  });
});

describe("badge", () => {
  it("is an SVG with the number and status, cacheable", async () => {
    const { number } = await enterprise();
    const { status, res, text } = await page(badgePath(number));
    expect(status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
    expect(res.headers.get("cache-control")).toMatch(/max-age=(\d|[1-5]\d|60)\b/);
    expect(text).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(text).toContain("ICP备案");
    expect(text).toContain(`${number} 正常`);
    const etag = res.headers.get("etag");
    expect(etag).toBeTruthy();
    const again = await page(badgePath(number), { "if-none-match": etag ?? "" });
    expect(again.status).toBe(304);
  });

  it("reads 未找到 with a 404 for an unknown or malformed number", async () => {
    for (const path of [badgePath("粤ICP备2024999999号-9X"), badgePath("<script>")]) {
      const { status, res, text } = await page(path);
      expect(status, path).toBe(404);
      expect(res.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
      expect(text).toContain("未找到");
      expect(text).not.toContain("<script>");
    }
  });

  it("is only served as .svg", async () => {
    const { number } = await enterprise();
    const res = await call(`/badge/${encodeURIComponent(number)}.png`);
    expect(res.status).toBe(404);
  });
});

describe("pages a person is glad to use", () => {
  it("the home page says what the registry is, how to read a number, with examples, links and freshness", async () => {
    const { text } = await page("/");
    expect(text).toContain("这是什么");
    expect(text).toContain("如何读备案号");
    expect(text).toContain("60 秒内");
    expect(text).toContain(`href="${`/?${new URLSearchParams({ q: "生活助手" })}`}"`);
    for (const href of [
      'href="/docs"',
      'href="/docs#/public/lookupRegistration"',
      'href="/docs#/filings/submitFiling"',
    ]) {
      expect(text, href).toContain(href);
    }
    expect(text).toMatch(/<link rel="icon" href="data:image\/svg\+xml,/);
  });

  it("says a one- or two-character query matched name prefixes only, and why; three characters do not", async () => {
    for (const q of ["示", "示例"]) expect((await search(q)).text, q).toContain("只匹配以它开头的名称");
    expect((await search("示例小")).text).not.toContain("只匹配以它开头的名称");
  });

  it("keeps what was typed in the box, and says when a string is not a number form", async () => {
    const typo = "粤ICP备20240123号-1Y";
    const searched = await search(typo);
    expect(searched.text).toContain(`value="${typo}"`);
    expect(searched.text).toContain("不是备案号的格式");
    expect((await search("没有这个名字")).text).not.toContain("不是备案号的格式");
    const unknown = await page(recordPath("粤ICP备2024999998号-9X"));
    expect(unknown.text).toContain('value="粤ICP备2024999998号-9X"');
    expect(unknown.text).not.toContain("不是备案号的格式");
    const malformed = await page(recordPath("abc-123"));
    expect(malformed.status).toBe(404);
    expect(malformed.text).toContain('value="abc-123"');
    expect(malformed.text).toContain("不是备案号的格式");
  });

  it("keeps dates on one line and links the badge snippet to MIIT", async () => {
    const { number, serviceName } = await enterprise();
    const record = await page(recordPath(number));
    expect(record.text).toMatch(/<span class="nowrap">\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}<\/span>/);
    expect(record.text).toContain("white-space:nowrap");
    expect(record.text).toContain(
      `&lt;a href=&quot;https://beian.miit.gov.cn/&quot; target=&quot;_blank&quot; rel=&quot;noopener&quot;&gt;&lt;img src=`,
    );
    expect((await search(serviceName)).text).toMatch(/<span class="nowrap">\d{4}-\d{2}-\d{2} /);
  });

  it("exports the results shown as CSV with a BOM", async () => {
    const { number, serviceName } = await enterprise();
    const shown = await search(serviceName);
    const href = /href="([^"]*format=csv)"/.exec(shown.text)?.[1]?.replaceAll("&amp;", "&");
    expect(href).toBeDefined();
    const csv = await call(href ?? "");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csv.headers.get("content-disposition")).toMatch(/^attachment/);
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes).trim().split("\r\n");
    expect(lines[0]).toBe(
      "serviceLicence,mainLicence,unitName,natureName,serviceName,serviceType,contentTypeName,updateRecordTime,limitAccess,status,redacted",
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(number);
    expect(lines[1]).toContain(serviceName);
  });
});

describe("the language switch", () => {
  /** Words of the Chinese chrome that no English page may show (the records' own names stay as stored). */
  const CHINESE_CHROME = ["查询", "备案号或名称", "这是什么", "主办单位名称", "复制", "上一页", "未找到"];
  const hrefs = (text: string) =>
    [...text.matchAll(/href="([^"]*)"/g)].map((m) => (m[1] ?? "").replaceAll("&amp;", "&"));
  /** Every link to another public page of this site carries lang=en, except the one switching back to Chinese. */
  const expectLinksKeepEnglish = (text: string) => {
    const internal = hrefs(text).filter((h) => h.startsWith("/?") || h === "/" || h.startsWith("/r/"));
    expect(internal.length).toBeGreaterThan(0);
    const toChinese = internal.filter((h) => !new URLSearchParams(h.split("?")[1] ?? "").has("lang"));
    expect(toChinese, "only the switch leads to Chinese").toHaveLength(1);
    expect(text).toMatch(
      new RegExp(`<a class="lang" href="${toChinese[0]?.replaceAll("&", "&amp;").replace(/[?.*+]/g, "\\$&")}"`),
    );
  };

  it("Chinese stays the default, with a link to the English page", async () => {
    const { text } = await page("/", { "accept-language": "en-US,en;q=0.9" });
    expect(text).toContain('<html lang="zh-CN">');
    expect(text).toContain("这是什么");
    expect(text).toMatch(/<a class="lang" href="\/\?lang=en"[^>]*>English<\/a>/);
  });

  it("renders the home page in English with ?lang=en, every link keeping the language", async () => {
    const { status, text } = await page("/?lang=en");
    expect(status).toBe(200);
    expect(text).toContain('<html lang="en">');
    expect(text).toContain("<title>Mini Program ICP Filing Lookup</title>");
    expect(text).toContain("What this is");
    expect(text).toContain("How to read a filing number");
    expect(text).toContain("within 60 seconds");
    expect(text).toContain('<input type="hidden" name="lang" value="en"');
    for (const word of CHINESE_CHROME) expect(text, word).not.toContain(word);
    expect(text).toContain(
      `href="${`/?${new URLSearchParams({ q: "生活助手", lang: "en" })}`.replaceAll("&", "&amp;")}"`,
    );
    expect(text).toMatch(/<a class="lang" href="\/"[^>]*>中文<\/a>/);
    expectLinksKeepEnglish(text);
    expect(new TextEncoder().encode(text).length).toBeLessThan(50 * 1024);
  });

  it("renders search results in English, records and pager links keeping the language", async () => {
    const { number, serviceName, unitName } = await enterprise();
    const { status, text } = await page(`/?${new URLSearchParams({ q: serviceName, lang: "en" })}`);
    expect(status).toBe(200);
    expect(text).toContain('<html lang="en">');
    expect(text).toContain(`Results for “${serviceName}”`);
    expect(text).toContain("1 result");
    expect(text).toContain("Export this page (CSV)");
    expect(text).toContain("Active");
    // The record itself is shown as stored.
    expect(text).toContain(unitName);
    expect(text).toContain(`href="${recordPath(number)}?lang=en"`);
    expect(text).toContain(
      `href="/?${new URLSearchParams({ q: serviceName, lang: "en" }).toString().replaceAll("&", "&amp;")}&amp;format=csv"`,
    );
    expect(text).toContain(`href="/?${new URLSearchParams({ q: serviceName }).toString()}"`); // the switch back
    for (const word of CHINESE_CHROME) expect(text, word).not.toContain(word);
    expectLinksKeepEnglish(text);
  });

  it("renders the record page in English with its own ETag", async () => {
    const { number, serviceName } = await enterprise();
    const zh = await page(recordPath(number));
    const en = await page(`${recordPath(number)}?lang=en`);
    expect(en.status).toBe(200);
    expect(en.text).toContain('<html lang="en">');
    for (const label of ["Filing number", "Organizer", "Organizer type", "Status", "Service name", "Approved on"]) {
      expect(en.text, label).toContain(`<dt>${label}</dt>`);
    }
    expect(en.text).toContain(serviceName);
    expect(en.text).toContain(">Copy</button>");
    expect(en.text).toContain('data-done="Copied"');
    for (const word of CHINESE_CHROME) expect(en.text, word).not.toContain(word);
    expect(en.text).toContain(
      `href="/?${new URLSearchParams({ q: number.replace(/-\d+X$/, ""), lang: "en" }).toString().replaceAll("&", "&amp;")}"`,
    );
    expect(en.text).toMatch(new RegExp(`<a class="lang" href="${recordPath(number).replace(/[?.*+]/g, "\\$&")}"`));
    expectLinksKeepEnglish(en.text);
    expect(zh.text).toContain(`href="${recordPath(number)}?lang=en"`);
    const zhEtag = zh.res.headers.get("etag");
    const enEtag = en.res.headers.get("etag");
    expect(enEtag).toMatch(/^"[^"]+"$/);
    expect(enEtag).not.toBe(zhEtag);
    // A browser holding the Chinese page is never told it already has the English one.
    expect((await page(`${recordPath(number)}?lang=en`, { "if-none-match": zhEtag ?? "" })).status).toBe(200);
    expect((await page(`${recordPath(number)}?lang=en`, { "if-none-match": enEtag ?? "" })).status).toBe(304);
  });

  it("says a client passed its limit in the page's language", async () => {
    const me = { "cf-connecting-ip": "198.51.100.91" };
    let limited: Awaited<ReturnType<typeof page>> | undefined;
    // Numbers nobody holds: each lookup reaches storage, so each one counts.
    for (let i = 0; i < 200 && !limited; i++) {
      const res = await page(`${recordPath(`粤ICP备20259${String(i).padStart(5, "0")}号-1X`)}?lang=en`, me);
      if (res.status === 429) limited = res;
    }
    expect(limited?.status).toBe(429);
    expect(limited?.text).toContain('<html lang="en">');
    expect(limited?.text).toContain("Too many requests");
    const zh = await page("/", me);
    expect(zh.status).toBe(429);
    expect(zh.text).toContain("请求过于频繁");
    const en = await page("/?lang=en", me);
    expect(en.status).toBe(429);
    expect(en.text).toContain("Too many lookups");
    expect(en.text).not.toContain("请求过于频繁");
  });

  it("answers 404 in English and redirects another spelling keeping the language", async () => {
    const missing = await page(`${recordPath("粤ICP备2025899999号-1X")}?lang=en`);
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('<html lang="en">');
    expect(missing.text).toContain("Filing number not found");
    expect(missing.text).toContain("No mini program filing has the number “粤ICP备2025899999号-1X”.");
    for (const word of CHINESE_CHROME) expect(missing.text, word).not.toContain(word);
    const malformed = await page("/r/nonsense?lang=en");
    expect(malformed.status).toBe(404);
    expect(malformed.text).toContain("is not a filing number");
    const { number } = await enterprise();
    const res = await exports.default.fetch(
      new Request(`http://beian.test${recordPath(number.replace("ICP", "ＩＣＰ"))}?lang=en`, { redirect: "manual" }),
    );
    expect(res.status).toBe(301);
    expect(res.headers.get("location")).toBe(`${recordPath(number)}?lang=en`);
  });
});
