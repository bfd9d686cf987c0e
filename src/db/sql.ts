import { type SQL, sql } from "drizzle-orm";

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
