// The whole filing loop through the consoles alone (issue 18): a developer signs in and files a mini program with
// attachments (seeing and fixing an inline error first), a reviewer rejects it with a field reason, the developer
// corrects and resubmits, the reviewer approves, the regulator confirms the SMS and approves with a bureau number,
// the public record appears, and an operator sees the app counted as filed.
//
// Each console's steps live in their own module here (developer.mjs, staff.mjs, admin.mjs); they share `ctx`:
//   base            the service's origin
//   newPage()       a page in a browser context of its own (its own cookies: one per signed-in person)
//   shot(page, name) screenshots the page at 1280 and 390 px (output/console-<name>-<width>.png) and runs axe-core,
//                   collecting serious and critical violations (the loop fails on any at its end)
//   check(cond, message) fails the loop with `message` unless `cond`
// The contexts bypass the pages' CSP only so that axe can be injected; the pages themselves load nothing else.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import axe from "axe-core";
import { chromium } from "playwright-core";
import * as admin from "./admin.mjs";
import { correctAndResubmit, fileNewApp, signIn } from "./developer.mjs";
import * as staff from "./staff.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"];
const WIDTHS = [1280, 390];
/** The demo accounts' keys (scripts/seed.mjs DEMO_ACCOUNTS). */
export const KEYS = {
  developer: "bk_dev_developer_9f3KqT7wXn2LmP4s",
  reviewer: "bk_dev_reviewer_G7hJ2kL9zX4cV1bN",
  regulator: "bk_dev_regulator_M3qW8eR5tY2uI6oP",
  admin: "bk_dev_admin_A1sD4fG7hJ0kL3zX",
};

class LoopFailure extends Error {}

/** The loop's shared context; `close()` ends its browser. */
export async function consoleContext(base, outputDir) {
  mkdirSync(outputDir, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  const violations = [];
  const errors = [];
  const ctx = {
    base,
    violations,
    errors,
    check(condition, message) {
      if (!condition) throw new LoopFailure(message);
    },
    async newPage() {
      const context = await browser.newContext({
        bypassCSP: true,
        locale: "zh-CN",
        viewport: { width: 1280, height: 900 },
      });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      page.on("pageerror", (err) => errors.push(`script error on ${page.url()}: ${err.message}`));
      page.on("console", (msg) => {
        if (msg.type() === "error" && !/status of (4\d\d)/.test(msg.text())) {
          errors.push(`console error on ${page.url()}: ${msg.text()}`);
        }
      });
      return page;
    },
    async shot(page, name) {
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        await page.screenshot({ path: join(outputDir, `console-${name}-${width}.png`), fullPage: true });
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        if (overflow > 0) violations.push(`${name} at ${width}px scrolls sideways (${overflow}px)`);
        if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: axe.source });
        const found = await page.evaluate(async () => {
          const result = await window.axe.run(document, { resultTypes: ["violations"] });
          return result.violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
        });
        for (const v of found) violations.push(`${name} at ${width}px: axe ${v}`);
      }
      await page.setViewportSize({ width: 1280, height: 900 });
    },
    close: () => browser.close(),
  };
  return ctx;
}

/** The loop, step by step (`log` reports each). */
export async function consoleLoop(base, { outputDir, log = console.log } = {}) {
  const ctx = await consoleContext(base, outputDir ?? join(import.meta.dirname, "..", "output"));
  const step = async (name, fn) => {
    const t = Date.now();
    const out = await fn();
    log(`  ok  console: ${name} (${Date.now() - t} ms)`);
    return out;
  };
  try {
    const developer = await step("developer signs in", () => signIn(ctx, KEYS.developer));
    const { appId, filingId } = await step("developer files a new app, fixing an inline error first", () =>
      fileNewApp(ctx, developer),
    );
    const reviewer = await step("reviewer signs in", () => signIn(ctx, KEYS.reviewer));
    await step("reviewer rejects with a field reason", () => staff.rejectWithFieldReason(ctx, reviewer, filingId));
    const { filingId: second } = await step("developer corrects and resubmits", () =>
      correctAndResubmit(ctx, developer, filingId),
    );
    // The operator's filed count before the approval, so the dashboard is seen to count one more after it.
    const operator = await step("operator signs in", () => signIn(ctx, KEYS.admin));
    const filedBefore = await admin.filedCount(ctx, operator);
    await step("reviewer approves", () => staff.approve(ctx, reviewer, second));
    const regulator = await step("regulator signs in", () => signIn(ctx, KEYS.regulator));
    const { number } = await step("regulator confirms SMS and approves with a bureau number", () =>
      staff.regulatorSmsAndApprove(ctx, regulator, second),
    );
    await step("the public record appears", async () => {
      const res = await developer.goto(`${base}/r/${encodeURIComponent(number)}`);
      ctx.check(res?.status() === 200, `the public record of ${number} answered ${res?.status()}`);
    });
    await step("operator sees the app counted as filed", () =>
      admin.seesFiled(ctx, operator, appId, { filedBefore, developerKey: KEYS.developer }),
    );
    await step("every other console page, at both widths, with axe", () =>
      otherPages(ctx, { developer, operator, reviewer, regulator }),
    );
    ctx.check(ctx.errors.length === 0, `the console pages reported:\n    ${ctx.errors.join("\n    ")}`);
    ctx.check(
      ctx.violations.length === 0,
      `accessibility or layout on console pages:\n    ${ctx.violations.join("\n    ")}`,
    );
  } catch (err) {
    if (err instanceof LoopFailure || err?.name === "TimeoutError") throw new Error(`console loop: ${err.message}`);
    throw err;
  } finally {
    await ctx.close().catch(() => {});
  }
}

/**
 * The console pages the loop does not pass through on its way, each shot at both widths with axe: the sign-in (and
 * its refusal), the developer's events and webhook pages, a staff page refused to a developer, the operator's audit
 * check and an account's keys, and both queues in English.
 */
async function otherPages(ctx, { developer, operator, reviewer, regulator }) {
  const { base, check, shot } = ctx;
  const visit = async (page, path, name, status = 200) => {
    const res = await page.goto(`${base}${path}`);
    check(res?.status() === status, `${path} answered ${res?.status()}, not ${status}`);
    await shot(page, name);
  };
  const visitor = await ctx.newPage();
  await visit(visitor, "/console/login", "login");
  await visitor.fill("#key", "bk_not_a_key");
  const [refused] = await Promise.all([
    visitor.waitForResponse((r) => r.url().endsWith("/console/login") && r.request().method() === "POST"),
    visitor.click('button[type="submit"]'),
  ]);
  check(refused.status() === 401, `a wrong key's sign-in answered ${refused.status()}`);
  await shot(visitor, "login-refused");
  await visitor.context().close();
  await visit(developer, "/console/events", "dev-events");
  await visit(developer, "/console/webhook", "dev-webhook");
  await visit(developer, "/console/admin", "forbidden", 403);
  await visit(operator, "/console/admin/audit", "admin-audit");
  await visit(operator, "/console/admin/accounts/acc_demo_developer", "admin-account-keys");
  await visit(reviewer, "/console/review?lang=en", "review-queue-en");
  await visit(regulator, "/console/regulator?lang=en", "regulator-queue-en");
  await visit(reviewer, "/console/review?lang=zh", "review-queue-zh");
}
