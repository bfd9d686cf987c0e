/**
 * Every answer the suite receives through `call` is checked against the published OpenAPI document
 * (public/openapi.json, written by `npm test`'s pretest from the routes): its status must be documented for the
 * operation, its media type declared, and a JSON body must match the declared schema. The document and the server
 * cannot drift apart without a test failing. Paths and methods the document does not have (pages, the 405 answers)
 * are left to their own tests.
 */
import { type OutputUnit, Validator } from "@cfworker/json-schema";
import published from "../../public/openapi.json";

type MediaTypes = Record<string, { schema?: unknown }>;
type Operation = {
  operationId?: string;
  requestBody?: { content?: MediaTypes };
  responses: Record<string, { content?: MediaTypes }>;
};
type Document = { paths: Record<string, Record<string, Operation>> };

const document = published as unknown as Document;
const DOCUMENT_ID = "https://beian.test/openapi.json";

type Template = { template: string; pattern: RegExp; params: number; operations: Record<string, Operation> };

const templates: Template[] = Object.entries(document.paths)
  .map(([template, operations]) => ({
    template,
    pattern: new RegExp(
      `^${template
        .split("/")
        .map((s) => (s.startsWith("{") ? "[^/]+" : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
        .join("/")}$`,
    ),
    params: (template.match(/\{/g) ?? []).length,
    operations,
  }))
  // A literal segment wins over a parameter: /v1/filings/validate before /v1/filings/{id}.
  .sort((a, b) => a.params - b.params);

/** The documented operation a request reaches, if the document has one. */
export function operationFor(method: string, path: string): { template: string; operation: Operation } | undefined {
  const m = method.toLowerCase();
  for (const t of templates) {
    const operation = t.operations[m];
    if (operation && t.pattern.test(path)) return { template: t.template, operation };
  }
  return undefined;
}

const pointerSegment = (s: string) => encodeURI(s.replaceAll("~", "~0").replaceAll("/", "~1"));
const validators = new Map<string, Validator>();

function validatorFor(pointer: string[]): Validator {
  const ref = `${DOCUMENT_ID}#/${pointer.map(pointerSegment).join("/")}`;
  let validator = validators.get(ref);
  if (!validator) {
    validator = new Validator({ $ref: ref }, "2020-12", false);
    validator.addSchema(published as never, DOCUMENT_ID);
    validators.set(ref, validator);
  }
  return validator;
}

/** The innermost failures, which say what is wrong (the outer ones only say "a subschema had errors"). */
function leafErrors(errors: OutputUnit[]): string[] {
  const leaves = errors.filter(
    (e) => !errors.some((o) => o !== e && o.keywordLocation.startsWith(`${e.keywordLocation}/`)),
  );
  return leaves
    .slice(0, 5)
    .map((e) => `${e.instanceLocation}: ${e.error} (${e.keywordLocation.replace(/^#\/\$ref/, "")})`);
}

/** Throws, naming the operation, when `res` is not an answer the document promises for `method path`. */
export async function checkAgainstDocument(method: string, path: string, res: Response): Promise<void> {
  const found = operationFor(method, path);
  if (!found) return;
  const { template, operation } = found;
  const where = `${method} ${path} (${operation.operationId ?? template})`;
  const status = String(res.status);
  const key = operation.responses[status] ? status : "default";
  const answer = operation.responses[key];
  if (!answer) {
    const body = await res.clone().text();
    throw new Error(`${where} answered ${status}, which the document does not list: ${body.slice(0, 300)}`);
  }
  if (method === "HEAD") return;
  const text = await res.clone().text();
  if (!answer.content) {
    if (text !== "") throw new Error(`${where} answered ${status} with a body the document says it has none of`);
    return;
  }
  const mediaType = (res.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const declared = Object.keys(answer.content);
  const matched = declared.find(
    (d) => d === mediaType || d === "*/*" || (d.endsWith("/*") && mediaType.startsWith(d.slice(0, -1))),
  );
  if (!matched)
    throw new Error(`${where} answered ${status} as ${mediaType || "no media type"}, not ${declared.join(" or ")}`);
  if (!/json$/.test(matched) || answer.content[matched]?.schema === undefined) return;
  const pointer = ["paths", template, method.toLowerCase(), "responses", key, "content", matched, "schema"];
  const result = validatorFor(pointer).validate(JSON.parse(text));
  if (!result.valid) {
    throw new Error(`${where} answered ${status} outside its schema:\n  ${leafErrors(result.errors).join("\n  ")}`);
  }
}

/** Whether the document's request schema for `method path` accepts `body` as JSON: what a generated client checks. */
export function documentAcceptsBody(method: string, path: string, body: unknown): boolean {
  const found = operationFor(method, path);
  if (!found?.operation.requestBody?.content?.["application/json"]) {
    throw new Error(`${method} ${path} takes no JSON body in the document`);
  }
  const pointer = [
    "paths",
    found.template,
    method.toLowerCase(),
    "requestBody",
    "content",
    "application/json",
    "schema",
  ];
  return validatorFor(pointer).validate(body).valid;
}
