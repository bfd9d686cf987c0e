/**
 * The benchmark's baseline: one raw prepared statement per case, no framework, no validation, no cache. Its
 * throughput is the ceiling of a Worker on this D1 for that kind of request; beian's figures are read against it.
 * - GET /health: no I/O at all.
 * - GET /point?number=…: the public record by primary key, the same columns the lookup reads.
 * - GET /search?q=…: the first page of service names starting with q, as an index range.
 * - POST /insert: the request body stored as one filing row (withdrawn, so no in-flight rule applies).
 * - GET /point-limited, /search-limited: the same statement with the client's rate limit asked beside it (the
 *   Rate Limiting binding, as beian's public routes must), the least a rate-limited lookup or search can cost.
 */
type Env = { DB: D1Database; LIMITER: RateLimit };

const COLUMNS = `service_licence, main_licence, unit_name, nature_name, service_name, service_type, content_type_name,
  update_record_time, status, redacted`;

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });

const point = (env: Env, number: string) =>
  env.DB.prepare(`select ${COLUMNS} from public_records where service_licence = ?`).bind(number).first();

const search = async (env: Env, q: string) =>
  (
    await env.DB.prepare(
      `select ${COLUMNS} from public_records where service_name_key >= ?1 and service_name_key < ?1 || char(1114111)
       order by service_name_key limit 20`,
    )
      .bind(q)
      .all()
  ).results;

/** Runs `read` beside the client's rate limit: 429 when refused, else the read's result. */
async function limited<T>(request: Request, env: Env, read: () => Promise<T>): Promise<T | Response> {
  const key = request.headers.get("cf-connecting-ip") ?? "unknown";
  const [{ success }, result] = await Promise.all([env.LIMITER.limit({ key }), read()]);
  return success ? result : json({ error: "rate limited" }, 429);
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const number = url.searchParams.get("number") ?? "";
    const q = url.searchParams.get("q") ?? "";
    switch (`${request.method} ${url.pathname}`) {
      case "GET /health":
        return json({ ok: true });
      case "GET /point": {
        const row = await point(env, number);
        return row ? json(row) : json({ error: "not found" }, 404);
      }
      case "GET /point-limited": {
        const row = await limited(request, env, () => point(env, number));
        if (row instanceof Response) return row;
        return row ? json(row) : json({ error: "not found" }, 404);
      }
      case "GET /search":
        return json({ items: await search(env, q) });
      case "GET /search-limited": {
        const items = await limited(request, env, () => search(env, q));
        return items instanceof Response ? items : json({ items });
      }
      case "POST /insert": {
        const body = await request.text();
        const now = new Date().toISOString();
        const id = `fil_${crypto.randomUUID().replaceAll("-", "")}`;
        await env.DB.prepare(
          `insert into filings (id, type, app_id, status, submitter_account_id, request_sealed, request_masked,
             created_at, updated_at)
           values (?1, 'new', 'wxdemo0000000001', 'withdrawn', 'acc_demo_developer', ?2, ?2, ?3, ?3)`,
        )
          .bind(id, body, now)
          .run();
        return json({ id }, 201);
      }
      default:
        return json({ error: "not found" }, 404);
    }
  },
};
