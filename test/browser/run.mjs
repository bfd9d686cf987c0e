// The public web (docs/rules.md#public-lookup) in a real browser: starts the service the way `npm start` does, on a free port with its
// own empty local state and the demo data, then walks the pages as a visitor on a phone would. Uses Debian's
// chromium (never a downloaded browser). It also presses 通过 on the face verification simulator and files with it. Screenshots go to test/browser/output/. Exits non-zero on any failure.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import axe from "axe-core";
import { chromium } from "playwright-core";
import { pdf, png, uploadMaterial } from "../../scripts/material-files.mjs";
import { consoleLoop } from "./console/loop.mjs";

const root = join(import.meta.dirname, "..", "..");
// The service's scripts need Node 22, which the project's own `node` devDependency provides whatever node started
// this file. (Modules imported above must load on older Node too: they run before this line.)
const ownNode = join(root, "node_modules", ".bin", "node");
if (Number(process.versions.node.split(".")[0]) < 22 && existsSync(ownNode)) {
  process.exit(spawnSync(ownNode, process.argv.slice(1), { stdio: "inherit" }).status ?? 1);
}
const outputDir = join(import.meta.dirname, "output");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
// Generous: applying the migrations alone takes over a minute on a loaded machine.
const SERVER_START_TIMEOUT_MS = 240_000;
const MIIT = "https://beian.miit.gov.cn/";
const UNKNOWN_NUMBER = "粤ICP备2099999999号-1X";
/** What one page may weigh: its HTML, CSS and JavaScript together, uncompressed. */
const MAX_PAGE_BYTES = 50 * 1024;
/** Screen widths every public page is checked and captured at: a desktop and a phone. */
const WIDTHS = [1280, 390];

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

class Failure extends Error {}
function check(condition, message) {
  if (!condition) throw new Failure(message);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * `node scripts/start.mjs` in its own process group, so stopping it also stops wrangler and workerd even if the
 * script is interrupted halfway through its start-up.
 */
function startService(port, stateDir) {
  const log = [];
  // The project's own Node (node_modules/.bin/node, as under `npm start`): the scripts import TypeScript sources,
  // which needs Node 22 whatever node runs this file.
  const child = spawn(join(root, "node_modules", ".bin", "node"), [join(root, "scripts", "start.mjs")], {
    cwd: root,
    env: { ...process.env, PORT: String(port), BEIAN_STATE_DIR: stateDir },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Failure(`the service did not start within ${SERVER_START_TIMEOUT_MS / 1000} s`)),
      SERVER_START_TIMEOUT_MS,
    );
    // wrangler dev keeps waiting for a fix after a failed build, so that is reported at once rather than by timeout.
    const collect = (chunk) => {
      log.push(chunk.toString());
      const text = log.join("");
      if (text.includes("beian is running at")) {
        clearTimeout(timer);
        resolve();
      } else if (text.includes("Build failed")) {
        clearTimeout(timer);
        reject(new Failure("the service failed to start: wrangler could not build the Worker"));
      }
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Failure(`the service exited during start-up (code ${code}, signal ${signal})`));
    });
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const group = (signal) => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    group("SIGTERM");
    const killed = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5_000))]);
    if (!killed) group("SIGKILL");
  };
  return { ready, stop, log };
}

/** Polls the JSON search until the demo registrations are public (they are approved through the API at start). */
async function waitForSeededData(base) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${base}/v1/public/search?q=${encodeURIComponent("示例")}`);
    if (res.ok && (await res.json()).total >= 2) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Failure("the demo registrations did not appear in the public search within 20 s");
}

/** A JSON call as the demo developer would make it: POST when there is a body. */
async function api(base, key, path, body) {
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/**
 * A new app of the demo developer and a valid `new` filing for it, with its materials uploaded. The numbers are
 * fixed (this file runs on any Node, without the TypeScript identifier rules): each run has fresh state.
 */
async function verificationFiling(base) {
  const key = "bk_dev_developer_9f3KqT7wXn2LmP4s"; // the demo developer (scripts/seed.mjs)
  const appId = "wxbrowser00000001";
  const app = await api(base, key, "/v1/apps", { appId, name: "浏览器核验小程序" });
  check(app.status === 201, `POST /v1/apps answered ${app.status}`);
  const card = png(1280, 720);
  const [licence, front, back, letter] = await Promise.all([
    uploadMaterial(base, key, "organizer.certificate.photo", png(1280, 900), "licence.png", "uscc"),
    uploadMaterial(base, key, "organizer.principal.certificate.front", card, "front.png", "resident_id"),
    uploadMaterial(base, key, "organizer.principal.certificate.back", card, "back.png", "resident_id"),
    uploadMaterial(base, key, "commitment.letter", pdf("承诺书"), "commitment.pdf"),
  ]);
  const principal = {
    name: "赵六",
    certificate: {
      type: "resident_id",
      number: "440305198806124173",
      validFrom: "2020-01-01",
      validTo: "long_term",
      front,
      back,
    },
    mobile: "13800990011",
    emergencyContact: "13800990012",
    email: "browser@example.com",
  };
  const body = {
    type: "new",
    appId,
    organizer: {
      nature: "enterprise",
      name: "深圳市浏览器核验科技有限公司",
      certificate: { type: "uscc", number: "91440300MA5H7Q2K38", photo: licence },
      region: { province: "440000", city: "440300", district: "440305" },
      address: "粤海街道科技园路1号",
      principal,
    },
    service: {
      name: "浏览器核验服务",
      serviceContentTypes: ["life.bill_payment"],
      preApprovals: [],
      languages: ["zh-Hans"],
      description: "为用户提供水电燃气缴费、账单查询与缴费提醒等生活服务。",
      principal,
    },
    commitment: { accepted: true, letter },
  };
  return { key, appId, body };
}

async function run(base) {
  mkdirSync(outputDir, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), "beian-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    locale: "zh-CN",
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  const problems = [];
  try {
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(10_000);
    page.on("pageerror", (err) => problems.push(`script error on ${page.url()}: ${err.message}`));
    page.on("console", (msg) => {
      // A 404 page's own status is reported as a failed load; anything else (a CSP block included) is a problem.
      if (msg.type() === "error" && !/status of 404/.test(msg.text()))
        problems.push(`console error on ${page.url()}: ${msg.text()}`);
    });
    const shot = (name) => page.screenshot({ path: join(outputDir, `${name}.png`), fullPage: true });
    const bodyText = () => page.locator("body").textContent();
    const fitsPhone = async (what) => {
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      check(overflow <= 0, `${what} scrolls sideways on a phone (${overflow}px too wide)`);
    };
    const step = async (name, fn) => {
      const t = Date.now();
      try {
        await fn();
      } catch (err) {
        await shot(`failed-${name.replaceAll(/\W+/g, "-")}`).catch(() => {});
        throw new Failure(`${name}: ${err.message}`);
      }
      console.log(`  ok  ${name} (${Date.now() - t} ms)`);
    };

    await step("search page", async () => {
      const res = await page.goto(`${base}/`);
      check(res?.status() === 200, `GET / answered ${res?.status()}`);
      check((await page.title()) === "小程序备案查询", `title is "${await page.title()}"`);
      check((await page.getAttribute("html", "lang")) === "zh-CN", "html lang is not zh-CN");
      await page.locator('input[name="q"]').waitFor();
      await fitsPhone("the search page");
      await shot("01-search");
    });

    const records = {};
    await step("search by name 示例 finds both approved demo apps", async () => {
      await page.fill('input[name="q"]', "示例");
      await Promise.all([
        page.waitForURL((url) => url.searchParams.get("q") === "示例"),
        page.click('form.search button[type="submit"]'),
      ]);
      const items = await page.$$eval("ul.results li", (lis) =>
        lis.map((li) => ({ text: li.textContent ?? "", number: li.querySelector("a.number")?.textContent ?? "" })),
      );
      for (const name of ["示例生活助手", "示例出行助手"]) {
        const item = items.find((i) => i.text.includes(name));
        check(item, `no result for ${name}; got: ${JSON.stringify(items)}`);
        records[name] = item.number;
      }
      check(!items.some((i) => i.text.includes("示例学习课堂")), "a filing still in review is publicly visible");
      await fitsPhone("the results page");
      await shot("02-search-by-name");
    });
    const enterprise = records.示例生活助手;
    const person = records.示例出行助手;

    await step("search by number finds the record", async () => {
      await page.fill('input[name="q"]', enterprise);
      await Promise.all([
        page.waitForURL((url) => url.searchParams.get("q") === enterprise),
        page.press('input[name="q"]', "Enter"),
      ]);
      const numbers = await page.$$eval("ul.results a.number", (as) => as.map((a) => a.textContent));
      check(
        numbers.length === 1 && numbers[0] === enterprise,
        `expected only ${enterprise}, got ${JSON.stringify(numbers)}`,
      );
      check((await bodyText()).includes("示例生活助手"), "the result does not name the service");
      await shot("03-search-by-number");
    });

    await step("record page shows the fields and the snippet", async () => {
      await Promise.all([page.waitForURL(/\/r\//), page.click(`ul.results a.number`)]);
      const fields = Object.fromEntries(
        await page.$$eval("dl.fields > div", (rows) =>
          rows.map((row) => [row.querySelector("dt")?.textContent ?? "", row.querySelector("dd")?.textContent ?? ""]),
        ),
      );
      const expected = {
        备案号: enterprise,
        主体备案号: enterprise.replace(/-\d+X$/, ""),
        主办单位名称: "深圳市示例科技有限公司",
        单位性质: "企业",
        服务名称: "示例生活助手",
        服务类型: "小程序",
        限制接入: "否",
        状态: "正常",
      };
      for (const [label, value] of Object.entries(expected)) {
        check(fields[label] === value, `${label} is "${fields[label]}", expected "${value}"`);
      }
      check(
        /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(fields.审核通过日期 ?? ""),
        `审核通过日期 is "${fields.审核通过日期}"`,
      );
      check("前置审批" in fields, "前置审批 is missing");
      const snippet = `<a href="${MIIT}" target="_blank" rel="noopener">${enterprise}</a>`;
      const shown = await page.inputValue("#snippet-link");
      check(shown === snippet, `the snippet reads ${shown}`);
      // The copy button only appears when the page's script ran (so the CSP lets it run) and copies the snippet.
      const copy = page.locator('button[data-copy="snippet-link"]');
      await copy.click();
      await page.waitForFunction(
        () => document.querySelector('button[data-copy="snippet-link"]')?.textContent === "已复制",
      );
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      check(copied === snippet, `the clipboard holds ${copied}`);
      const badgeLoaded = await page.$eval(".preview img", (img) => img.complete && img.naturalWidth > 0);
      check(badgeLoaded, "the badge preview did not load");
      check(
        (await page.inputValue("#snippet-badge")).includes(`/badge/${enterprise}.svg`),
        "the badge snippet is wrong",
      );
      await fitsPhone("the record page");
      await shot("04-record");
    });

    await step("an individual's record shows the masked name only", async () => {
      const res = await page.goto(`${base}/r/${encodeURIComponent(person)}`);
      check(res?.status() === 200, `the record answered ${res?.status()}`);
      const text = await bodyText();
      check(text.includes("王**"), "the masked name 王** is missing");
      check(text.includes("个人主体名称已隐去"), "the redaction note is missing");
      check(!(await page.content()).includes("王小明"), "the full name 王小明 appears in the page");
      await shot("05-record-individual");
      await page.goto(`${base}/?q=${encodeURIComponent("王小明")}`);
      check((await bodyText()).includes("未找到相关备案信息"), "an individual can be found by name");
    });

    await step("an unknown number is 未找到", async () => {
      const res = await page.goto(`${base}/r/${encodeURIComponent(UNKNOWN_NUMBER)}`);
      check(res?.status() === 404, `the unknown number answered ${res?.status()}`);
      check((await bodyText()).includes("未找到"), "the 404 page does not say 未找到");
      await shot("06-not-found");
    });

    await step("badges", async () => {
      const res = await page.goto(`${base}/badge/${encodeURIComponent(enterprise)}.svg`);
      check(res?.status() === 200, `the badge answered ${res?.status()}`);
      check(
        /^image\/svg\+xml/.test(res.headers()["content-type"] ?? ""),
        `badge content type ${res.headers()["content-type"]}`,
      );
      check((await res.text()).includes(enterprise), "the badge does not show the number");
      // An SVG document has no scrolling box to measure: capture the badge itself.
      await page.locator("svg").screenshot({ path: join(outputDir, "07-badge.png") });
      const unknown = await page.goto(`${base}/badge/${encodeURIComponent(UNKNOWN_NUMBER)}.svg`);
      check(unknown?.status() === 404, `the unknown badge answered ${unknown?.status()}`);
      check((await unknown.text()).includes("未找到"), "the unknown badge does not say 未找到");
    });

    await step("face verification on the simulator page, then a filing naming it is 201", async () => {
      const { key, appId, body } = await verificationFiling(base);
      const principal = body.service.principal;
      const { type, number } = principal.certificate;
      const started = await api(base, key, "/v1/verifications", {
        appId,
        person: { name: principal.name, certificate: { type, number } },
      });
      check(
        started.status === 201,
        `POST /v1/verifications answered ${started.status} ${JSON.stringify(started.body)}`,
      );
      const res = await page.goto(started.body.url);
      check(res?.status() === 200, `the simulator page answered ${res?.status()}`);
      const text = await bodyText();
      check(text.includes(started.body.person.name), "the page does not say whom the check is for");
      check(!text.includes(number) && !text.includes(principal.name), "the page shows the person unmasked");
      await fitsPhone("the simulator page");
      await shot("08-verify-pending");
      await page.click("#pass");
      await page.locator("#status", { hasText: "已通过" }).waitFor();
      await shot("09-verify-passed");
      const read = await api(base, key, `/v1/verifications/${started.body.id}`);
      check(read.body?.status === "passed", `the verification is ${read.body?.status}`);
      const verified = { ...principal, verificationId: started.body.id };
      const filed = await api(base, key, "/v1/filings", { ...body, service: { ...body.service, principal: verified } });
      check(filed.status === 201, `the filing naming it answered ${filed.status} ${JSON.stringify(filed.body)}`);
    });

    check(problems.length === 0, `the browser reported:\n    ${problems.join("\n    ")}`);
    await checkEveryPage(base, [
      { name: "home", path: "/" },
      { name: "home-en", path: "/?lang=en" },
      { name: "search", path: `/?q=${encodeURIComponent("示例")}` },
      { name: "record", path: `/r/${encodeURIComponent(enterprise)}` },
      { name: "record-en", path: `/r/${encodeURIComponent(enterprise)}?lang=en` },
      { name: "not-found", path: `/r/${encodeURIComponent(UNKNOWN_NUMBER)}` },
    ]);
  } finally {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
}

/**
 * Every public page at each width: axe-core finds no serious or critical violation, no request leaves the service's
 * own host, the page's HTML, CSS and JavaScript stay under MAX_PAGE_BYTES, and a screenshot is saved
 * (`<name>-<width>.png`). axe is injected into the page, which the pages' own CSP forbids, so this browser context
 * bypasses CSP; the walk above keeps it.
 */
async function checkEveryPage(base, pages) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  const failures = [];
  try {
    for (const width of WIDTHS) {
      const context = await browser.newContext({
        bypassCSP: true,
        locale: "zh-CN",
        viewport: { width, height: 900 },
        deviceScaleFactor: width < 500 ? 2 : 1,
      });
      try {
        for (const { name, path } of pages) {
          const t = Date.now();
          const page = await context.newPage();
          const foreign = [];
          const weighed = [];
          page.on("request", (req) => {
            const url = new URL(req.url());
            if (url.protocol !== "data:" && url.origin !== base) foreign.push(req.url());
          });
          page.on("response", (res) => {
            const type = res.request().resourceType();
            if (type === "document" || type === "stylesheet" || type === "script") {
              weighed.push(
                res
                  .body()
                  .then((b) => b.byteLength)
                  .catch(() => 0),
              );
            }
          });
          await page.goto(`${base}${path}`, { waitUntil: "networkidle" });
          const bytes = (await Promise.all(weighed)).reduce((a, b) => a + b, 0);
          await page.screenshot({ path: join(outputDir, `${name}-${width}.png`), fullPage: true });
          await page.addScriptTag({ content: axe.source });
          const violations = await page.evaluate(async () => {
            const result = await window.axe.run(document, { resultTypes: ["violations"] });
            return result.violations
              .filter((v) => v.impact === "serious" || v.impact === "critical")
              .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
          });
          const where = `${name} at ${width}px`;
          for (const v of violations) failures.push(`${where}: axe ${v}`);
          for (const url of foreign) failures.push(`${where}: requested another host: ${url}`);
          if (bytes >= MAX_PAGE_BYTES) failures.push(`${where}: HTML+CSS+JS weigh ${bytes} bytes`);
          console.log(`  ok? ${where}: ${bytes} bytes, ${violations.length} serious/critical (${Date.now() - t} ms)`);
          await page.close();
        }
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
  check(failures.length === 0, `accessibility, hosts or weight:\n    ${failures.join("\n    ")}`);
}

const stateDir = mkdtempSync(join(tmpdir(), "beian-state-"));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const service = startService(port, stateDir);
const interrupt = () => {
  service.stop().finally(() => process.exit(130));
};
process.on("SIGINT", interrupt);
process.on("SIGTERM", interrupt);

let failed = false;
try {
  console.log(`Starting the service on ${base} (state in ${stateDir})…`);
  await service.ready;
  await waitForSeededData(base);
  console.log(`Service up with demo data after ${elapsed()}; browsing with ${CHROMIUM}:`);
  // BROWSER_ONLY=public or BROWSER_ONLY=console walks one part only.
  if (process.env.BROWSER_ONLY !== "console") await run(base);
  if (process.env.BROWSER_ONLY !== "public") {
    console.log("The consoles' loop:");
    await consoleLoop(base, { outputDir });
  }
} catch (err) {
  failed = true;
  console.error(`\nBrowser test FAILED: ${err instanceof Failure ? err.message : (err?.stack ?? err)}`);
  if (!(err instanceof Failure) || /service/.test(err.message)) {
    console.error(`\nService output (last lines):\n${service.log.join("").split("\n").slice(-40).join("\n")}`);
  }
} finally {
  await service.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
console.log(
  failed ? `Failed after ${elapsed()}.` : `Browser test passed in ${elapsed()}; screenshots in test/browser/output/.`,
);
process.exit(failed ? 1 : 0);
