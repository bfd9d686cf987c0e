import createClient, {
  type Client,
  type ClientPathsWithMethod,
  type FetchResponse,
  type MaybeOptionalInit,
} from "openapi-fetch";
import { BeianProblem } from "./problem";
import { type Fetch, type RetryOptions, retryingFetch } from "./retry";
import type { paths } from "./schema";

type Method = "get" | "put" | "post" | "delete" | "patch";
type Media = `${string}/${string}`;

// The required keys of an init object, as openapi-fetch computes them: an init with none may be left out.
type RequiredKeys<T> = { [K in keyof T]: Record<never, never> extends Pick<T, K> ? never : K }[keyof T];
type RequiredKeysOf<T> = RequiredKeys<T> extends undefined ? never : RequiredKeys<T>;
type InitArgs<I> =
  RequiredKeysOf<I> extends never ? [(I & { [key: string]: unknown })?] : [I & { [key: string]: unknown }];

/** The paths that take `method`. */
export type ApiPath<M extends Method> = ClientPathsWithMethod<Client<paths>, M>;
type Init<P extends keyof paths, M extends Method> = MaybeOptionalInit<paths[P], M>;
type SuccessData<R> = R extends { data: infer D; error?: never } ? D : never;
/** The body of a successful answer of `method` on `path` (undefined for a 204). */
export type ApiData<P extends keyof paths, M extends Method, I = unknown> =
  SuccessData<FetchResponse<Extract<paths[P][M], Record<string | number, unknown>>, I, Media>> extends infer D
    ? [D] extends [never]
      ? undefined
      : D
    : never;
/** A typed call: the success body, or a thrown BeianProblem. */
export type ApiCall<M extends Method> = <P extends ApiPath<M>, I extends Init<P, M>>(
  path: P,
  ...init: InitArgs<I>
) => Promise<ApiData<P, M, I>>;

/** The GET paths answering a page `{items, nextCursor}`. */
export type PagedPath = {
  [P in ApiPath<"get">]: ApiData<P, "get"> extends { items: unknown[]; nextCursor: string | null } ? P : never;
}[ApiPath<"get">];
export type Page<P extends PagedPath> = Extract<ApiData<P, "get">, { items: unknown[] }>;
export type PageItem<P extends PagedPath> = Page<P>["items"][number];
type Query<P extends keyof paths, M extends Method> = paths[P][M] extends { parameters: { query?: infer Q } }
  ? NonNullable<Q>
  : never;

type JsonBody<P extends keyof paths, M extends Method> = paths[P][M] extends {
  requestBody?: { content: { "application/json": infer B } };
}
  ? B
  : never;
type UploadForm = NonNullable<paths["/v1/materials"]["post"]["requestBody"]>["content"]["multipart/form-data"];

/** What `POST /v1/filings` takes: a `new` or `change` filing, or a cancellation. */
export type FilingRequest = JsonBody<"/v1/filings", "post">;
export type Filing = ApiData<"/v1/filings", "post">;
export type ValidationResult = ApiData<"/v1/filings/validate", "post">;
export type Material = ApiData<"/v1/materials", "post">;
export type MaterialField = UploadForm["field"];
export type CertificateType = NonNullable<UploadForm["certificateType"]>;

export interface BeianClientOptions {
  /** Where the service answers, e.g. `https://beian.example.com` (no trailing `/v1`). */
  baseUrl: string;
  /** An API key (`Authorization: Bearer …`); the public lookups need none. */
  key?: string;
  /** The fetch to send with (default `globalThis.fetch`); it is given a `Request`. */
  fetch?: Fetch;
  /** Retrying 429 and 503 answers per `Retry-After`: attempts and the longest wait, or `false` for none. */
  retries?: RetryOptions | false;
  /** Headers for every request, e.g. `{ "accept-language": "zh-CN" }` for Chinese messages. */
  headers?: Record<string, string>;
}

export interface UploadMaterial {
  /** The filing field the file is for (docs/rules.md#materials). */
  field: MaterialField;
  /** JPEG or PNG (PDF for letters and permits), at most 2 MB; its type is read from its content. */
  file: Blob | ArrayBuffer | Uint8Array;
  /** Required for certificate photos, and only for them: the certificate type shown. */
  certificateType?: CertificateType;
  /** The file name sent (informational: the server ignores it). */
  filename?: string;
}

export interface BeianClient {
  /** Typed calls by path (openapi-fetch): each resolves to the success body or throws a BeianProblem. */
  GET: ApiCall<"get">;
  POST: ApiCall<"post">;
  PUT: ApiCall<"put">;
  PATCH: ApiCall<"patch">;
  DELETE: ApiCall<"delete">;
  /**
   * openapi-fetch's own client on the same transport (key, retries): `{data, error, response}` without throwing,
   * for when the answer's headers matter (`Idempotent-Replayed`, `ETag`).
   */
  raw: Client<paths>;
  /**
   * Submits a filing with an `Idempotency-Key`: yours (store it with your record to make a resubmission after a
   * crash safe) or a fresh UUID, kept across this call's own retries, so a retried submission answers the first
   * filing instead of filing twice (docs/rules.md#idempotency).
   */
  submitFiling(body: FilingRequest, options?: { idempotencyKey?: string }): Promise<Filing>;
  /** The dry run: every problem the submission would report, nothing stored. */
  validateFiling(body: FilingRequest): Promise<ValidationResult>;
  /** Uploads one material (multipart `POST /v1/materials`); reference its `mediaId` from the filing. */
  uploadMaterial(upload: UploadMaterial): Promise<Material>;
  /** Every item of a paged list, fetching page after page as the loop asks (`limit` sets the page size). */
  paginate<P extends PagedPath, I extends Init<P, "get">>(path: P, ...init: InitArgs<I>): AsyncGenerator<PageItem<P>>;
  /** Every page of a paged list; `nextCursor` of the last one resumes it later (events: as `after`). */
  pages<P extends PagedPath, I extends Init<P, "get">>(path: P, ...init: InitArgs<I>): AsyncGenerator<Page<P>>;
  /** The caller's filings (`appId`, `status` narrow them). */
  filings(query?: Query<"/v1/filings", "get">): AsyncGenerator<PageItem<"/v1/filings">>;
  /** The caller's events, oldest first, after the event `after` names (all of them without it). */
  events(query?: Query<"/v1/events", "get">): AsyncGenerator<PageItem<"/v1/events">>;
  /** The caller's webhook deliveries, newest first. */
  deliveries(query?: Query<"/v1/webhook/deliveries", "get">): AsyncGenerator<PageItem<"/v1/webhook/deliveries">>;
  /** The platform review queue (reviewers). */
  reviewQueue(query?: Query<"/v1/review/queue", "get">): AsyncGenerator<PageItem<"/v1/review/queue">>;
  /** The bureau's queue (the regulator). */
  regulatorQueue(query?: Query<"/v1/regulator/queue", "get">): AsyncGenerator<PageItem<"/v1/regulator/queue">>;
}

/** The events list pages by `after` (an event id); every other list by `cursor`. */
const CURSOR_PARAM: Partial<Record<PagedPath, string>> = { "/v1/events": "after" };

export function createBeianClient(options: BeianClientOptions): BeianClient {
  const send: Fetch = options.fetch ?? ((request) => globalThis.fetch(request));
  const raw = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    fetch: options.retries === false ? send : retryingFetch(send, options.retries),
    headers: { ...options.headers, ...(options.key ? { authorization: `Bearer ${options.key}` } : {}) },
  });

  // One untyped door under the typed ones: openapi-fetch's generics are checked at the call sites above.
  type Any = (path: string, init?: object) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
  const methods: Record<Method, Any> = {
    get: raw.GET as Any,
    put: raw.PUT as Any,
    post: raw.POST as Any,
    delete: raw.DELETE as Any,
    patch: raw.PATCH as Any,
  };
  const call = async (method: Method, path: string, init?: object): Promise<unknown> => {
    const { data, error, response } = await methods[method](path, init);
    if (!response.ok) throw new BeianProblem(response.status, error, response.headers);
    return data;
  };
  const typed = <M extends Method>(method: M) =>
    ((path: string, init?: object) => call(method, path, init)) as unknown as ApiCall<M>;

  type PageInit = { params?: { query?: Record<string, unknown>; path?: Record<string, unknown> } };
  async function* pages(
    path: string,
    init: PageInit = {},
  ): AsyncGenerator<{ items: unknown[]; nextCursor: string | null }> {
    const name = CURSOR_PARAM[path as PagedPath] ?? "cursor";
    let cursor = init.params?.query?.[name] as string | undefined;
    for (;;) {
      const query = { ...init.params?.query, ...(cursor ? { [name]: cursor } : {}) };
      const page = (await call("get", path, { ...init, params: { ...init.params, query } })) as {
        items: unknown[];
        nextCursor: string | null;
      };
      yield page;
      // The events list answers the cursor it was given when nothing is new: an empty page ends every list.
      if (!page.nextCursor || page.items.length === 0 || page.nextCursor === cursor) return;
      cursor = page.nextCursor;
    }
  }
  async function* paginate(path: string, init?: PageInit): AsyncGenerator<unknown> {
    for await (const page of pages(path, init)) yield* page.items;
  }
  const list =
    <P extends PagedPath>(path: P) =>
    (query?: object) =>
      paginate(path, { params: { query: { ...query } } }) as AsyncGenerator<PageItem<P>>;

  return {
    GET: typed("get"),
    POST: typed("post"),
    PUT: typed("put"),
    PATCH: typed("patch"),
    DELETE: typed("delete"),
    raw,
    submitFiling: (body, { idempotencyKey = crypto.randomUUID() } = {}) =>
      call("post", "/v1/filings", { body, headers: { "idempotency-key": idempotencyKey } }) as Promise<Filing>,
    validateFiling: (body) => call("post", "/v1/filings/validate", { body }) as Promise<ValidationResult>,
    uploadMaterial: ({ field, file, certificateType, filename = "material" }) => {
      const form = new FormData();
      form.set("field", field);
      if (certificateType) form.set("certificateType", certificateType);
      form.set("file", file instanceof Blob ? file : new Blob([file as BlobPart]), filename);
      return call("post", "/v1/materials", {
        body: form,
        bodySerializer: (body: FormData) => body,
      }) as Promise<Material>;
    },
    paginate: paginate as BeianClient["paginate"],
    pages: pages as BeianClient["pages"],
    filings: list("/v1/filings"),
    events: list("/v1/events"),
    deliveries: list("/v1/webhook/deliveries"),
    reviewQueue: list("/v1/review/queue"),
    regulatorQueue: list("/v1/regulator/queue"),
  };
}
