// The review workbench's steps of the console loop (test/browser/console/loop.mjs): the platform reviewer rejects a
// filing with a field reason, later approves its correction, and the bureau confirms each person's SMS and approves
// with a registration number. Each step takes a page (signed in as the right role, or signed in here with the demo
// key of scripts/seed.mjs) and `ctx` = { base, shot(page, name), check(cond, message) }. The moves use the
// workbench's own script (click a field to choose it, keyboard shortcuts), so a broken script fails the walk.
// Signing in replaces the browser context's session cookie: give the staff pages a context of their own.

/** The demo staff keys (scripts/seed.mjs DEMO_ACCOUNTS): development only, valid nowhere else. */
const REVIEWER_KEY = "bk_dev_reviewer_G7hJ2kL9zX4cV1bN";
const REGULATOR_KEY = "bk_dev_regulator_M3qW8eR5tY2uI6oP";

/** The field the reviewer rejects (the developer's correction changes it). */
export const REJECTED_FIELD = "service.description";

/** The province abbreviations registration numbers start with, by the first two digits of the region code. */
const PROVINCES = {
  11: "京",
  12: "津",
  13: "冀",
  14: "晋",
  15: "蒙",
  21: "辽",
  22: "吉",
  23: "黑",
  31: "沪",
  32: "苏",
  33: "浙",
  34: "皖",
  35: "闽",
  36: "赣",
  37: "鲁",
  41: "豫",
  42: "鄂",
  43: "湘",
  44: "粤",
  45: "桂",
  46: "琼",
  50: "渝",
  51: "川",
  52: "贵",
  53: "云",
  54: "藏",
  61: "陕",
  62: "甘",
  63: "青",
  64: "宁",
  65: "新",
};

/** Signs `page` in through the console's sign-in form with `key`; it lands on the role's console. */
export async function signIn(ctx, page, key) {
  if (!new URL(page.url(), ctx.base).pathname.startsWith("/console/login")) {
    await page.goto(`${ctx.base}/console/login`);
  }
  await page.fill("#key", key);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith("/console/login")),
    page.click("main form button[type=submit]"),
  ]);
}

/** Opens a workbench page, signing in first when the page has no session (or another role's). */
async function open(ctx, page, path, key) {
  const res = await page.goto(`${ctx.base}${path}`);
  if (new URL(page.url()).pathname.startsWith("/console/login") || res?.status() === 403) {
    if (res?.status() === 403) await page.goto(`${ctx.base}/console/login`);
    await signIn(ctx, page, key);
    return page.goto(`${ctx.base}${path}`);
  }
  return res;
}

/** Nothing focused that takes typing, so the workbench's shortcuts apply. */
const blur = (page) =>
  page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());

/** Every attachment of the open filing is shown: images decoded, PDFs and videos given their viewer. */
async function checkAttachments(ctx, page) {
  const images = page.locator(".attachments img");
  const count = await images.count();
  ctx.check(count > 0, "the filing's images are shown beside its data");
  for (let i = 0; i < count; i++) {
    const image = images.nth(i);
    await image.scrollIntoViewIfNeeded();
    await image.evaluate((img) =>
      img.complete ? null : new Promise((r) => img.addEventListener("load", r, { once: true })),
    );
    ctx.check(await image.evaluate((img) => img.naturalWidth > 0), `attachment image ${i + 1} is displayed`);
  }
  const frames = page.locator(".attachments iframe.pdf");
  for (let i = 0; i < (await frames.count()); i++) {
    const src = await frames.nth(i).getAttribute("src");
    const res = await page.request.get(`${ctx.base}${src}`);
    ctx.check(
      res.status() === 200 &&
        res.headers()["content-type"] === "application/pdf" &&
        res.headers()["x-frame-options"] === "SAMEORIGIN",
      `the PDF viewer's file ${src} is served to the console's frame`,
    );
  }
}

/** The filing's page from the queue: the queue lists it, its link opens it. */
async function openFromQueue(ctx, page, queuePath, key, filingId, shotName) {
  await open(ctx, page, queuePath, key);
  await ctx.shot(page, shotName);
  const link = page.locator(`a[href$="/filings/${filingId}"]`);
  ctx.check((await link.count()) === 1, `the queue ${queuePath} lists ${filingId}`);
  await Promise.all([page.waitForURL((url) => url.pathname.endsWith(`/filings/${filingId}`)), link.click()]);
}

/** The reviewer rejects `filingId` with a reason on one field (REJECTED_FIELD), chosen by clicking the field. */
export async function rejectWithFieldReason(ctx, page, filingId) {
  await openFromQueue(ctx, page, "/console/review?limit=50", REVIEWER_KEY, filingId, "review-queue");
  await checkAttachments(ctx, page);
  await page.evaluate(() => window.scrollTo(0, 0));
  await ctx.shot(page, "review-filing");

  const row = page.locator(`.rj-row[data-path="${REJECTED_FIELD}"]`);
  const box = row.locator("input[name=field]");
  await row.locator(".rj-value").click();
  ctx.check(await box.isChecked(), "clicking a field chooses it for rejection");
  await row.locator("select").selectOption("5");
  const suggest = row.locator('input[name^="suggest:"]');
  ctx.check((await suggest.inputValue()) !== "", "a common reason fills in its suggestion");
  const error = row.locator('input[name^="error:"]');
  await error.fill("简介过于笼统，没有写明提供的具体服务");
  // Typing a shortcut's letter in a field types it, and nothing else happens.
  await error.press("a");
  ctx.check((await error.inputValue()).endsWith("a"), "a shortcut key typed in a field is text");
  ctx.check(page.url().endsWith(`/filings/${filingId}`), "typing in a field fires no shortcut");
  await error.press("Backspace");
  await suggest.fill("写明小程序提供的具体服务，如缴费、查询、提醒");
  await ctx.shot(page, "review-reject");

  await blur(page);
  await Promise.all([page.waitForURL((url) => url.searchParams.get("done") === "rejected"), page.keyboard.press("r")]);
  ctx.check((await page.locator("p.ok").textContent())?.includes(filingId), "the queue says the filing was rejected");
  await ctx.shot(page, "review-rejected");
}

/** The reviewer approves `filingId` (with the keyboard's `a`); it leaves the review queue. */
export async function approve(ctx, page, filingId) {
  await openFromQueue(ctx, page, "/console/review?limit=50", REVIEWER_KEY, filingId, "review-queue-again");
  await checkAttachments(ctx, page);
  await page.evaluate(() => window.scrollTo(0, 0));
  await ctx.shot(page, "review-approve");
  await blur(page);
  await Promise.all([page.waitForURL((url) => url.searchParams.get("done") === "approved"), page.keyboard.press("a")]);
  ctx.check((await page.locator("p.ok").textContent())?.includes(filingId), "the queue says the filing was approved");
  ctx.check(
    (await page.locator(`a[href$="/filings/${filingId}"]`).count()) === 0,
    "the approved filing left the queue",
  );
  await ctx.shot(page, "review-approved");
}

/**
 * The bureau confirms each person's SMS, then approves with a registration number of the organizer's province;
 * should the number not fit the organizer (one that already holds a number), the field is left empty and the
 * development service allocates it. Answers the number issued.
 */
export async function regulatorSmsAndApprove(ctx, page, filingId) {
  await openFromQueue(
    ctx,
    page,
    "/console/regulator?status=sms_verification&limit=50",
    REGULATOR_KEY,
    filingId,
    "regulator-queue",
  );
  await ctx.shot(page, "regulator-sms");
  const people = await page.locator("tr[data-sms-role]").count();
  ctx.check(people > 0, "the SMS table lists the people who confirm");
  for (let i = 0; i < people; i++) {
    const pending = page.locator('tr[data-sms-role] button[value="verified"]');
    if ((await pending.count()) === 0) break;
    await Promise.all([page.waitForURL((url) => url.searchParams.get("done") === "sms"), pending.first().click()]);
  }
  ctx.check(
    (await page.locator('tr[data-sms-role] button[value="verified"]').count()) === 0,
    "every person is confirmed",
  );

  const number = page.locator("#registrationNumber");
  ctx.check((await number.count()) === 1, "after the SMS the filing is in bureau review, with the approval form");
  const province = (await page.locator('.rj-row[data-path="organizer.region.province"] .rj-value').textContent()) ?? "";
  const prefix = PROVINCES[province.trim().slice(0, 2)] ?? "粤";
  const year = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
  const given = `${prefix}ICP备${year}${String(Date.now()).slice(-6)}号-1X`;
  await number.fill(given);
  await ctx.shot(page, "regulator-approve");
  await Promise.all([
    page.waitForResponse((res) => res.request().method() === "POST" && res.url().endsWith("/approve")),
    page.locator("form.approve button[type=submit]").click(),
  ]);
  await page.waitForLoadState("load");
  if (!new URL(page.url()).searchParams.has("done")) {
    // The API refused the number (shown beside the field): development allocates one instead.
    ctx.check((await page.locator("#number-error").count()) === 1, "a refused number is explained beside its field");
    await page.locator("#registrationNumber").fill("");
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get("done") === "approved"),
      page.locator("form.approve button[type=submit]").click(),
    ]);
  }
  const issued = await page.locator("[data-registration-number]").getAttribute("data-registration-number");
  ctx.check(Boolean(issued), "the approved filing shows its registration number");
  await ctx.shot(page, "regulator-approved");
  return { number: issued };
}
