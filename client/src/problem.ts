import type { components } from "./schema";

/** An error answer's body (RFC 9457 problem details with beian's `code` and field `errors`; docs/rules.md#error-codes). */
export type Problem = components["schemas"]["Problem"];
/** One field problem: where (`path`, e.g. `organizer.certificate.number`), which rule (`code`), and what to do. */
export type FieldProblem = NonNullable<Problem["errors"]>[number];
/** A top-level code, or `HTTP_<status>` for an answer that is not a problem document (a proxy's page, say). */
export type ProblemCode = Problem["code"] | `HTTP_${number}`;

/**
 * Every error answer becomes this, thrown by every call of the client: branch on `code` (stable API) and, for
 * `VALIDATION_FAILED` and the other answers that carry them, on `errors[].path`/`errors[].code`. Messages and titles
 * may be reworded; codes never are.
 */
export class BeianProblem extends Error {
  override readonly name = "BeianProblem";
  readonly status: number;
  readonly code: ProblemCode;
  readonly title: string;
  readonly detail: string | undefined;
  /** The server's request id (also the `x-request-id` header): quote it when asking about a failure. */
  readonly requestId: string | undefined;
  /** Field problems; empty when the answer names none. */
  readonly errors: readonly FieldProblem[];
  /** The parsed body as it came (a problem document, or the text of anything else). */
  readonly body: unknown;

  constructor(status: number, body: unknown, headers?: Headers) {
    const problem = isProblem(body) ? body : undefined;
    const title = problem?.title ?? `HTTP ${status}`;
    super(problem ? `${problem.code}: ${problem.detail || title}` : `HTTP ${status}`);
    this.status = status;
    this.code = problem?.code ?? `HTTP_${status}`;
    this.title = title;
    this.detail = problem?.detail;
    this.requestId = problem?.requestId ?? headers?.get("x-request-id") ?? undefined;
    this.errors = problem?.errors ?? [];
    this.body = body;
  }

  /** The field problems at `path` and below it (`organizer` also gives `organizer.certificate.number`). */
  errorsAt(path: string): FieldProblem[] {
    return this.errors.filter((e) => e.path === path || e.path.startsWith(`${path}.`) || e.path.startsWith(`${path}[`));
  }
}

function isProblem(body: unknown): body is Problem {
  return (
    typeof body === "object" &&
    body !== null &&
    typeof (body as { code?: unknown }).code === "string" &&
    typeof (body as { status?: unknown }).status === "number"
  );
}
