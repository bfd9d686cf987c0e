import { callJson, newAccount, newApp, validFiling } from "./api";

type Filing = ReturnType<typeof validFiling>;

/** Staff accounts for driving filings through review and the bureau. */
export async function staff() {
  const [reviewer, regulator] = await Promise.all([newAccount("reviewer"), newAccount("regulator")]);
  return { reviewer: reviewer.key, regulator: regulator.key };
}

/** Takes a submitted filing through platform review, SMS verification and bureau approval. */
export async function approve(
  filingId: string,
  keys: { reviewer: string; regulator: string },
  body: Record<string, unknown> = {},
) {
  const review = await callJson(`/v1/review/filings/${filingId}/approve`, { key: keys.reviewer, method: "POST" });
  if (review.status !== 200) throw new Error(`review approve: ${review.status} ${JSON.stringify(review.body)}`);
  return approveAtBureau(filingId, keys, body);
}

/** From sms_verification to approved (cancellations start there). */
export async function approveAtBureau(
  filingId: string,
  keys: { regulator: string },
  body: Record<string, unknown> = {},
) {
  const sms = await callJson(`/v1/regulator/filings/${filingId}/sms-verified`, { key: keys.regulator, method: "POST" });
  if (sms.status !== 200) throw new Error(`sms-verified: ${sms.status} ${JSON.stringify(sms.body)}`);
  return callJson(`/v1/regulator/filings/${filingId}/approve`, { key: keys.regulator, body });
}

/**
 * Submits a `new` filing for a fresh app of `dev` (a fresh developer when omitted). With `sameOrganizerAs`, the
 * filing names that filing's organizer (and its principal), as a second mini program of the same organizer.
 */
export async function submitNew(
  opts: { dev?: { id: string; key: string }; sameOrganizerAs?: Filing; region?: Filing["organizer"]["region"] } = {},
) {
  const dev = opts.dev ?? (await newAccount("developer"));
  const appId = await newApp(dev.key);
  const body = validFiling(appId);
  if (opts.sameOrganizerAs) {
    body.organizer = opts.sameOrganizerAs.organizer;
    body.service.principal = opts.sameOrganizerAs.organizer.principal;
  }
  if (opts.region) body.organizer.region = opts.region;
  const res = await callJson("/v1/filings", { key: dev.key, body });
  if (res.status !== 201) throw new Error(`submit: ${res.status} ${JSON.stringify(res.body)}`);
  return { dev, appId, body, id: res.body.id as string };
}
