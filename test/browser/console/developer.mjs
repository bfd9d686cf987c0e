// The developer console's steps of the browser loop (test/browser/console/loop.mjs): sign in, register a mini
// program and file it through the form with its attachments (seeing the live check's inline error, then the
// server's, and fixing it), pass the face verification on the simulator, and correct a rejected filing and resubmit
// it from its stored data. Each step works the pages as a person would: labels, buttons, links.
import { pdf, png } from "../../../scripts/material-files.mjs";

/** The id the filing form gives a field's input (src/routes/console/filing-form.tsx `fid`). */
export const fid = (path) => `#f-${path.replace(/[^A-Za-z0-9]+/g, "-").replace(/-$/, "")}`;

/** Fixed, valid data: each run of the loop starts from an empty state. */
const APP_ID = "wxconsoleloop0001";
const USCC = "91440300MA5H8C0N7D";
const USCC_WRONG_CHECK = "91440300MA5H8C0N7E";
const PERSON = {
  name: "钱七",
  number: "440305199003075237",
  validFrom: "2020-01-01",
  validTo: "long_term",
  mobile: "13800990021",
  emergencyContact: "13800990022",
  email: "console-loop@example.com",
};

/** Signs in with an API key on the sign-in page, in a browser context of its own; the signed-in page. */
export async function signIn(ctx, key) {
  const page = await ctx.newPage();
  await page.goto(`${ctx.base}/console/login`);
  await page.fill("#key", key);
  await Promise.all([page.waitForURL((url) => url.pathname !== "/console/login"), page.click('button[type="submit"]')]);
  ctx.check(!(await page.content()).includes(key), "the key appears in the signed-in page");
  return page;
}

async function fillPerson(page, base) {
  await page.fill(fid(`${base}.name`), PERSON.name);
  await page.selectOption(fid(`${base}.certificate.type`), "resident_id");
  await page.fill(fid(`${base}.certificate.number`), PERSON.number);
  await page.fill(fid(`${base}.certificate.validFrom`), PERSON.validFrom);
  await page.fill(fid(`${base}.certificate.validTo`), PERSON.validTo);
  await page.fill(fid(`${base}.mobile`), PERSON.mobile);
  await page.fill(fid(`${base}.emergencyContact`), PERSON.emergencyContact);
  await page.fill(fid(`${base}.email`), PERSON.email);
}

const file = (name, mimeType, buffer) => ({ name, mimeType, buffer });

/** Submits the form with one of its buttons and waits for the page it leads to. */
async function press(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

/**
 * Registers a new mini program on the apps page, opens its filing form, fills every required field and chooses the
 * attachments; the live check shows the organizer's wrong certificate number beside its field, a submission shows it
 * again (422, values and uploads kept); fixed, a face verification is started and passed on the simulator, and the
 * filing is submitted. Answers the app and the filing.
 */
export async function fileNewApp(ctx, page) {
  const { base, check, shot } = ctx;
  await page.goto(`${base}/console`);
  await shot(page, "dev-01-apps-empty");
  await page.fill("#app-appId", APP_ID);
  await page.fill("#app-name", "控制台备案小程序");
  await press(page, 'form[action="/console/apps"] button[type="submit"]');
  check(page.url().includes("registered="), `registering the app led to ${page.url()}`);
  await Promise.all([page.waitForURL(/\/file$/), page.click(`a[href="/console/apps/${APP_ID}/file"]`)]);

  await page.selectOption(fid("organizer.nature"), "enterprise");
  await page.fill(fid("organizer.name"), "深圳市控制台备案科技有限公司");
  await page.selectOption(fid("organizer.certificate.type"), "uscc");
  await page.fill(fid("organizer.certificate.number"), USCC_WRONG_CHECK);
  // The region pickers: the script loads a province's cities and a city's districts.
  await page.selectOption(fid("organizer.region.province"), "440000");
  await page.locator(`${fid("organizer.region.city")} option[value="440300"]`).waitFor({ state: "attached" });
  await page.selectOption(fid("organizer.region.city"), "440300");
  await page.locator(`${fid("organizer.region.district")} option[value="440305"]`).waitFor({ state: "attached" });
  await page.selectOption(fid("organizer.region.district"), "440305");
  await page.fill(fid("organizer.address"), "粤海街道科技园路1号");
  await fillPerson(page, "organizer.principal");
  await page.fill(fid("service.name"), "控制台备案服务");
  await page.fill(fid("service.description"), "为用户提供水电燃气缴费、账单查询与缴费提醒等生活服务。");
  await page.check('input[name="service.serviceContentTypes"][value="life.bill_payment"]');
  await page.check('input[name="service.languages"][value="zh-Hans"]');
  await fillPerson(page, "service.principal");
  await page.check(fid("commitment.accepted"));
  const card = png(1280, 720);
  await page.setInputFiles(fid("organizer.certificate.photo"), file("licence.png", "image/png", png(1280, 900)));
  for (const who of ["organizer.principal", "service.principal"]) {
    await page.setInputFiles(fid(`${who}.certificate.front`), file("front.png", "image/png", card));
    await page.setInputFiles(fid(`${who}.certificate.back`), file("back.png", "image/png", card));
  }
  await page.setInputFiles(fid("commitment.letter"), file("commitment.pdf", "application/pdf", pdf("承诺书")));

  // The live check (public/console/filing-form.js) puts the dry run's problem beside the field as it is typed.
  const numberErrors = page.locator('[data-errors-for="organizer.certificate.number"] .problem');
  await page.fill(fid("organizer.certificate.number"), "");
  await page.type(fid("organizer.certificate.number"), USCC_WRONG_CHECK);
  await numberErrors.first().waitFor();
  check(
    (await page.getAttribute(fid("organizer.certificate.number"), "aria-invalid")) === "true",
    "the live check did not mark the certificate number invalid",
  );
  await shot(page, "dev-02-form-live-error");

  // Without waiting for the script, the server says the same on submission, keeping the values and the uploads.
  const [response] = await Promise.all([
    page.waitForResponse((res) => res.request().method() === "POST" && res.url().endsWith(`/apps/${APP_ID}/file`)),
    page.click('button[name="_action"][value="submit"]'),
  ]);
  await page.waitForLoadState("load");
  check(response.status() === 422, `the submission with a wrong number answered ${response.status()}`);
  check(
    (await page.inputValue(fid("organizer.name"))) === "深圳市控制台备案科技有限公司",
    "the form lost the organizer's name",
  );
  const photo = await page.inputValue('input[type="hidden"][name="organizer.certificate.photo"]');
  check(/^med_/.test(photo), `the licence was not kept as an uploaded material (${photo})`);
  check((await numberErrors.count()) > 0, "the server's problem is not beside the certificate number");
  await page.locator(".upload img").first().waitFor();
  await shot(page, "dev-03-form-server-error");

  // Fixed; then the face verification of the mini program's principal.
  await page.fill(fid("organizer.certificate.number"), USCC);
  await press(page, 'button[value="verify:service.principal"]');
  const link = page.locator('a[target="_blank"]', { hasText: /核验|verification/ });
  await link.waitFor();
  const verificationId = await page.inputValue(fid("service.principal.verificationId"));
  check(/^ver_/.test(verificationId), `no verification id was filled in (${verificationId})`);
  const simulator = await page.context().newPage();
  await simulator.goto(await link.getAttribute("href"));
  await simulator.click("#pass");
  await simulator.locator("#status", { hasText: "已通过" }).waitFor();
  await simulator.close();
  await shot(page, "dev-04-form-verified");

  await press(page, 'button[name="_action"][value="submit"]');
  const filed = /\/console\/filings\/(fil_[\w]+)$/.exec(new URL(page.url()).pathname);
  check(
    filed,
    `submitting led to ${page.url()}: ${await page
      .locator("#problems")
      .textContent()
      .catch(() => "")}`,
  );
  check((await page.locator("h1 .status").textContent())?.includes("平台审核中"), "the filing is not in review");
  await shot(page, "dev-05-filing");
  return { appId: APP_ID, filingId: filed[1] };
}

/** A corrected value for a field a reviewer may point at, or undefined for fields this step does not correct. */
const CORRECTIONS = {
  "organizer.address": "粤海街道科技园路1号101室",
  "organizer.certificateAddress": "深圳市南山区粤海街道科技园路1号",
  "organizer.name": "深圳市控制台备案科技有限公司",
  "service.name": "控制台备案缴费服务",
  "service.description": "为深圳用户提供水电燃气缴费、账单查询、缴费记录与到期提醒等生活缴费服务。",
  "organizer.principal.email": "console-loop-2@example.com",
  "service.principal.email": "console-loop-2@example.com",
};

/**
 * Opens the rejected filing, reads the reviewer's reasons, corrects the fields they name in the form that starts
 * from the stored data (each reason shown beside its field), and resubmits. Answers the new filing.
 */
export async function correctAndResubmit(ctx, page, filingId) {
  const { base, check, shot } = ctx;
  await page.goto(`${base}/console/filings/${filingId}`);
  const fields = await page.$$eval("table td code", (codes) => codes.map((c) => c.textContent ?? ""));
  check(fields.length > 0, "the rejected filing shows no reasons");
  await shot(page, "dev-06-rejected");
  await Promise.all([page.waitForURL(/\/resubmit$/), page.click(`a[href="/console/filings/${filingId}/resubmit"]`)]);
  for (const field of fields) {
    const slot = page.locator(`[data-errors-for="${field}"] .reason`);
    const generic = field.replace(/\[\d+\]/g, "");
    if (generic in CORRECTIONS) {
      check((await slot.count()) > 0, `the reason for ${field} is not shown beside it`);
      await page.fill(fid(field), CORRECTIONS[generic]);
    } else {
      const input = page.locator(fid(field));
      check((await input.count()) > 0, `no input for the reason's field ${field}`);
      const tag = await input.evaluate((el) => `${el.tagName}:${el.getAttribute("type") ?? ""}`);
      if (/^(INPUT:(text|)|TEXTAREA:)$/.test(tag)) await input.fill(`${await input.inputValue()}（已更正）`);
    }
  }
  await shot(page, "dev-07-resubmit-form");
  await press(page, 'button[name="_action"][value="submit"]');
  const next = /\/console\/filings\/(fil_[\w]+)$/.exec(new URL(page.url()).pathname);
  check(
    next,
    `resubmitting led to ${page.url()}: ${await page
      .locator("#problems")
      .textContent()
      .catch(() => "")}`,
  );
  check(next[1] !== filingId, "the resubmission did not make a new filing");
  check(
    (await page.locator(`a[href="/console/filings/${filingId}"]`).count()) > 0,
    "the new filing does not name the one it corrects",
  );
  await shot(page, "dev-08-resubmitted");
  return { filingId: next[1] };
}
