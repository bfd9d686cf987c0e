import { joinPath, type Problem, problem } from "./problems";

/**
 * The region rule (docs/rules.md#identifiers): an organizer's `{province, city, district?}` as GB/T 2260 codes, six digits each.
 * The code table itself lives in D1 (`regions`, loaded by a migration generated from the region data package),
 * so this rule takes a lookup and does no I/O.
 *
 * The table's shape carries the special cases, so the rule needs none of its own:
 * - Beijing-style municipalities have the city `…0100` (and 重庆 also `500200` for its counties);
 * - a province-administered county-level unit (仙桃 429004, 济源 419001) is a `city` under its province;
 * - a city with no county-level divisions (东莞 441900, 中山 442000, 儋州 460400, 嘉峪关 620200) has no children.
 * A district is therefore required exactly when the chosen city has children, and refused when it has none.
 */
export type RegionRow = {
  code: string;
  name: string;
  level: "province" | "city" | "district";
  parentCode: string | null;
};

export interface RegionLookup {
  get(code: string): RegionRow | undefined;
  hasChildren(code: string): boolean;
}

export function regionLookupFrom(rows: RegionRow[]): RegionLookup {
  const byCode = new Map<string, RegionRow>();
  const parents = new Set<string>();
  for (const row of rows) {
    byCode.set(row.code, row);
    if (row.parentCode !== null) parents.add(row.parentCode);
  }
  return {
    get: (code) => byCode.get(code),
    hasChildren: (code) => parents.has(code),
  };
}

const SIX_DIGITS = /^\d{6}$/;

const isMissing = (value: unknown) => value === undefined || value === null || value === "";

/**
 * Every problem with the region at once, each at its own path (`organizer.region.city`, …).
 * A field that is itself wrong (missing, malformed, unknown) is reported once; relations to its parent are only
 * judged between fields that are each valid, so one typo does not cascade into a second error elsewhere.
 */
export function checkRegion(
  region: { province?: unknown; city?: unknown; district?: unknown },
  lookup: RegionLookup,
  basePath = "organizer.region",
): Problem[] {
  const problems: Problem[] = [];
  const provincePath = joinPath(basePath, "province");
  const cityPath = joinPath(basePath, "city");
  const districtPath = joinPath(basePath, "district");

  /** The row for a well-formed code of the expected level, or a problem. */
  const resolve = (value: unknown, path: string, level: RegionRow["level"]): RegionRow | undefined => {
    if (typeof value !== "string" || !SIX_DIGITS.test(value)) {
      problems.push(problem(path, "INVALID_FORMAT"));
      return undefined;
    }
    const row = lookup.get(value);
    if (!row || row.level !== level) {
      problems.push(problem(path, "UNKNOWN_REGION"));
      return undefined;
    }
    return row;
  };

  let province: RegionRow | undefined;
  if (isMissing(region.province)) problems.push(problem(provincePath, "REQUIRED"));
  else province = resolve(region.province, provincePath, "province");

  let city: RegionRow | undefined;
  if (isMissing(region.city)) problems.push(problem(cityPath, "REQUIRED"));
  else {
    city = resolve(region.city, cityPath, "city");
    if (city && province && city.parentCode !== province.code) {
      problems.push(problem(cityPath, "REGION_MISMATCH"));
    }
  }

  if (isMissing(region.district)) {
    if (city && lookup.hasChildren(city.code)) problems.push(problem(districtPath, "DISTRICT_REQUIRED"));
  } else if (typeof region.district !== "string" || !SIX_DIGITS.test(region.district)) {
    problems.push(problem(districtPath, "INVALID_FORMAT"));
  } else if (city && !lookup.hasChildren(city.code)) {
    // Whatever was typed, this city takes no district: say so rather than "unknown code".
    problems.push(problem(districtPath, "DISTRICT_NOT_ALLOWED"));
  } else {
    const district = resolve(region.district, districtPath, "district");
    if (district && city && district.parentCode !== city.code) {
      problems.push(problem(districtPath, "REGION_MISMATCH"));
    }
  }

  return problems;
}
