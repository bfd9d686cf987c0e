export {
  type ApiCall,
  type ApiData,
  type ApiPath,
  type BeianClient,
  type BeianClientOptions,
  type CertificateType,
  createBeianClient,
  type Filing,
  type FilingRequest,
  type Material,
  type MaterialField,
  type Page,
  type PagedPath,
  type PageItem,
  type UploadMaterial,
  type ValidationResult,
} from "./client";
export { BeianProblem, type FieldProblem, type Problem, type ProblemCode } from "./problem";
export { type Fetch, parseRetryAfter, type RetryOptions } from "./retry";
export type { components, paths } from "./schema";
export { verifyWebhook, type WebhookEvent, type WebhookHeaders, WebhookVerificationError } from "./webhooks";
