import { env } from "cloudflare:workers";
import { vi } from "vitest";

/** One request the stubbed receiver got. */
export type Received = { url: string; method: string; headers: Record<string, string>; body: string };

type Answer = (req: Received, n: number) => Response | Promise<Response>;

/**
 * Stubs `globalThis.fetch` (the Worker runs in the test's isolate, so its outgoing webhook POSTs land here): records
 * each request to `origin` and answers with `answer` (which may throw, like a timeout). Other URLs pass through.
 */
export function stubReceiver(origin: string, answer: Answer = () => new Response("ok", { status: 200 })) {
  const original = globalThis.fetch;
  const received: Received[] = [];
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    if (!req.url.startsWith(origin)) return original(input as RequestInfo, init);
    const r: Received = {
      url: req.url,
      method: req.method,
      headers: Object.fromEntries(req.headers),
      body: await req.text(),
    };
    received.push(r);
    return answer(r, received.length);
  });
  return { received, spy };
}

/** Polls `check` until it returns something truthy (or gives up after `ms`). */
export async function eventually<T>(check: () => Promise<T> | T, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error("eventually: condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until every committed event has been handed to the outbox dispatch (dispatched_at set). */
export async function outboxSettled(): Promise<void> {
  await eventually(async () => {
    const row = await env.DB.prepare("select count(*) as n from events where dispatched_at is null").first<{
      n: number;
    }>();
    return row?.n === 0;
  });
}

/** A webhook timeout as `AbortSignal.timeout` produces it. */
export function timeoutError(): DOMException {
  return new DOMException("The operation was aborted due to timeout", "TimeoutError");
}
