// The operator's step of the browser loop (test/browser/console/loop.mjs): the operator, signed in with the demo
// admin key, opens the dashboard and sees the newly approved app counted as filed. The loop's app is registered
// by its developer and never listed, so no deadline policy covers it; it is counted in the catalogue's row ("全部小程序",
// every app; filed = an active registration), whose "now" cells carry `data-count`.
/** The loop's developer: the demo developer (scripts/seed.mjs DEMO_ACCOUNTS; not imported, as it needs Node 22). */
const DEMO_DEVELOPER_KEY = "bk_dev_developer_9f3KqT7wXn2LmP4s";

/** The catalogue's "filed" count on the dashboard `page` is showing (opening it first unless `open` is false). */
export async function filedCount(ctx, page, { open = true } = {}) {
  if (open) await page.goto(`${ctx.base}/console/admin`);
  const cell = page.locator('section[data-scope="*"] tr.now td[data-count="filed"]');
  const text = (await cell.textContent())?.trim() ?? "";
  ctx.check(/^\d+$/.test(text), `the dashboard shows no filed count for all apps (got "${text}")`);
  return Number(text);
}

/**
 * The operator sees `appId` counted as filed: the app has an active registration (as its owner's API reads it), so
 * the catalogue's filed count includes it — at least one, and one more than `filedBefore` when the loop read the
 * count before the app was approved. The page's chart is an image with its title and description, the CSV export
 * holds the same count, and the accounts page opens. Screens at 1280 and 390 px with axe (ctx.shot).
 */
export async function seesFiled(ctx, page, appId, { filedBefore, developerKey = DEMO_DEVELOPER_KEY } = {}) {
  const { base, check, shot } = ctx;
  const res = await page.goto(`${base}/console/admin`);
  check(res?.status() === 200, `the operator dashboard answered ${res?.status()}`);
  check((await page.locator("h1").textContent())?.includes("运营概览"), "the dashboard's heading is missing");

  // Its owner reads its registration back: it is filed, so the catalogue's count below includes it.
  if (developerKey) {
    const status = await fetch(`${base}/v1/apps/${encodeURIComponent(appId)}/registration`, {
      headers: { authorization: `Bearer ${developerKey}` },
    });
    check(status.status === 200, `${appId} has no registration to read back (${status.status})`);
  }
  const filed = await filedCount(ctx, page, { open: false });
  check(filed >= 1, `the dashboard counts ${filed} filed apps, so not ${appId}`);
  if (filedBefore !== undefined) {
    check(filed === filedBefore + 1, `filed apps went from ${filedBefore} to ${filed}, not one more with ${appId}`);
  }

  const chart = page.locator('section[data-scope="*"] svg[role="img"]');
  check((await chart.count()) === 1, "the catalogue's chart is not one image");
  check((await chart.locator("title").textContent())?.length > 0, "the chart has no title");
  check(
    (await chart.locator("desc").textContent())?.includes(String(filed)),
    "the chart's description lacks the count",
  );
  await shot(page, "admin-dashboard");

  // The CSV export answers the same count (the session's cookie goes with the page's own request).
  const csv = await page.request.get(`${base}/console/admin/export/coverage.csv`);
  check(csv.status() === 200, `the coverage export answered ${csv.status()}`);
  check(/^text\/csv/.test(csv.headers()["content-type"] ?? ""), "the coverage export is not CSV");
  const header = ["scope", "name", "day", "covered", "filed"];
  const lines = (await csv.text()).replace(/^\uFEFF/, "").split("\r\n");
  check(lines[0]?.startsWith(header.join(",")), `the export's header is ${lines[0]}`);
  const now = lines
    .filter((l) => l.startsWith("*,"))
    .at(-1)
    ?.split(",");
  check(Number(now?.[4]) === filed, `the export counts ${now?.[4]} filed apps, the page ${filed}`);

  await page.goto(`${base}/console/admin/accounts`);
  check((await page.locator("#account-name").count()) === 1, "the accounts page has no account form");
  await shot(page, "admin-accounts");
  return { filed };
}
