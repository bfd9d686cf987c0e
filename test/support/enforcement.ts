import { expect } from "vitest";
import { adminKey, callJson, newAccount, unique } from "./api";

export const DAY = 24 * 60 * 60 * 1000;

/** A deadline policy made for one test, with a fresh developer who owns the apps it imports. */
export type Scenario = { policyId: string; deadline: Date; cutoff: Date; owner: { id: string; key: string } };

/**
 * Only this test's policy is active, so each test sees exactly the apps it made: every other policy is deactivated,
 * then one is created for apps listed before `cutoff` (200 days before `deadline` unless given).
 */
export async function policyScenario(
  deadline: Date,
  cutoff = new Date(deadline.getTime() - 200 * DAY),
  reminderDays: number[] = [30, 7, 1],
): Promise<Scenario> {
  const existing = await callJson("/v1/admin/policies", { key: adminKey() });
  for (const p of existing.body.items) {
    await callJson(`/v1/admin/policies/${p.id}`, { key: adminKey(), method: "PATCH", body: { active: false } });
  }
  const created = await callJson("/v1/admin/policies", {
    key: adminKey(),
    body: {
      name: `policy ${unique()}`,
      listedBefore: cutoff.toISOString().replace("Z", "+00:00"),
      deadline: deadline.toISOString().replace("Z", "+00:00"),
      reminderDays,
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { policyId: created.body.id, deadline, cutoff, owner: await newAccount("developer") };
}

/**
 * Imports apps for the scenario's owner through the catalogue import: `listedDaysBeforeCutoff` (10 unless given) < 0
 * means listed after the cutoff. Answers their ids, in order.
 */
export async function importScenarioApps(
  s: Scenario,
  specs: { listed: boolean; listedDaysBeforeCutoff?: number }[],
): Promise<string[]> {
  const apps = specs.map((spec) => ({
    appId: `wxenf${unique().toString(16).padStart(12, "0")}`,
    name: `存量小程序${unique()}`,
    ownerAccountId: s.owner.id,
    listingStatus: spec.listed ? "listed" : "unlisted",
    listedAt: new Date(s.cutoff.getTime() - (spec.listedDaysBeforeCutoff ?? 10) * DAY).toISOString(),
  }));
  const res = await callJson("/v1/admin/apps/import", { key: adminKey(), body: { apps } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return apps.map((a) => a.appId);
}
