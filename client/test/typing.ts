// Compile-time checks of the typed calls (`npm run check` type-checks client/): bodies, parameters and answers are
// the OpenAPI document's, and an unknown path or a missing parameter does not compile. Never run.
import { type BeianProblem, createBeianClient, type ProblemCode } from "../src";

const is = <T>(value: T): T => value;
const beian = createBeianClient({ baseUrl: "http://127.0.0.1" });

export async function typedCalls(): Promise<unknown[]> {
  const filing = await beian.GET("/v1/filings/{id}", { params: { path: { id: "fil_x" } } });
  const removed = await beian.DELETE("/v1/webhook");
  const approved = await beian.POST("/v1/regulator/filings/{id}/approve", { params: { path: { id: "x" } }, body: {} });
  const record = await beian.GET("/v1/public/registrations/{number}", { params: { path: { number: "x" } } });
  // @ts-expect-error an unknown path
  await beian.GET("/v1/nothing");
  // @ts-expect-error the path parameter is required
  await beian.GET("/v1/filings/{id}");
  // @ts-expect-error a filing's status is one of the lifecycle's
  is<"nonsense">(filing.status);
  const seen: unknown[] = [
    is<string>(filing.status),
    is<undefined>(removed),
    is<string | null>(approved.registrationNumber),
  ];
  seen.push(is<"是" | "否">(record.limitAccess));
  for await (const event of beian.events({ after: "evt_x" })) seen.push(is<string>(event.type));
  for await (const item of beian.paginate("/v1/review/queue", { params: { query: { status: "platform_review" } } })) {
    seen.push(is<string>(item.appId));
  }
  return seen;
}

export function problemCodes(problem: BeianProblem): ProblemCode[] {
  // @ts-expect-error codes are the closed list (or HTTP_<status>)
  is<ProblemCode>("NO_SUCH_CODE");
  return [problem.code, "VALIDATION_FAILED", "HTTP_502"];
}
