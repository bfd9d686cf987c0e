import { z } from "@hono/zod-openapi";

/** RFC 3339 with an explicit offset (docs/rules.md#requests); stored as UTC. */
export const OffsetDateTime = z
  .string()
  .max(40)
  .refine(
    (v) =>
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)),
    {
      params: { code: "OFFSET_REQUIRED" },
    },
  )
  .transform((v) => new Date(v).toISOString())
  .openapi({
    example: "2024-03-31T23:59:59+08:00",
    format: "date-time",
    description: "RFC 3339 with an explicit offset (`Z` or `+08:00`); a local time without one is refused",
  });
