import { type SQL, sql } from "drizzle-orm";
import { ID_BODY_LENGTH } from "../lib/ids";

/**
 * A list of values for `x in …` in a query: one bound JSON parameter read with json_each, so a list of any length
 * costs one of D1's 100 parameters.
 */
export function sqlList(values: readonly string[]): SQL {
  return sql`(select value from json_each(${JSON.stringify(values)}))`;
}

/**
 * `('a', 'b')` as SQL string literals, for where parameters cannot go: a partial index's predicate is stored as
 * text in the schema, and a query uses that index only when it spells the same terms, so it must use this too.
 */
export function sqlLiteralList(values: readonly string[]): SQL {
  return sql.raw(`(${values.map((v) => `'${v.replaceAll("'", "''")}'`).join(", ")})`);
}

/**
 * A fresh `prefix_…` id made inside SQL, for rows inserted many at a time: the shape of `newId` (src/lib/ids.ts), with
 * a random body in place of the time-ordered one (26 uppercase hex digits, a subset of Crockford's alphabet). Such ids
 * do not sort by time; lists of them order by a sequence instead.
 */
export function sqlNewId(prefix: string): SQL {
  return sql`${`${prefix}_`} || upper(hex(randomblob(${ID_BODY_LENGTH / 2})))`;
}
