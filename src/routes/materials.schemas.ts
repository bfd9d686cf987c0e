import { z } from "@hono/zod-openapi";
import { MATERIAL_FIELDS, MAX_MATERIAL_BYTES, MIN_LONG_SIDE, MIN_SHORT_SIDE } from "../domain/materials";
import { CERTIFICATE_TYPES } from "../domain/reference/certificate-types";

export const MaterialSchema = z
  .object({
    mediaId: z.string().openapi({ example: "med_01JD8Z3Q4W5E6R7T8Y9U0IOPAS" }),
    field: z.string().openapi({ example: "organizer.principal.certificate.front" }),
    certificateType: z.string().nullable().openapi({ example: "resident_id" }),
    contentType: z.enum(["image/jpeg", "image/png", "application/pdf", "video/mp4"]),
    size: z.number().int().openapi({ description: "Bytes", example: 184_233 }),
    width: z.number().int().nullable().openapi({ description: "Pixels as shown (null for PDF)", example: 1600 }),
    height: z.number().int().nullable().openapi({ example: 1000 }),
    sha256: z.string().openapi({ description: "Hex SHA-256 of the file as uploaded" }),
    createdAt: z.string(),
  })
  .openapi("Material");

export const MediaParams = z.object({ mediaId: z.string().max(64) });

/**
 * The upload form, for the published document only: the route reads the multipart body itself (under its own
 * size limit, before anything parses it), so this is a plain OpenAPI schema rather than a validator.
 */
export const UploadFormDoc = {
  type: "object" as const,
  required: ["file", "field"],
  properties: {
    file: {
      type: "string" as const,
      format: "binary",
      description:
        `JPEG or PNG (PDF too for letters and permits; PDF or MP4 video too for other materials), at most ` +
        `${MAX_MATERIAL_BYTES / (1024 * 1024)} MB whatever the format, a video included; ` +
        `images at least ${MIN_SHORT_SIDE} × ${MIN_LONG_SIDE} in the document's orientation. ` +
        "The type is read from the content; the file name and its declared type are ignored.",
    },
    field: {
      type: "string" as const,
      enum: MATERIAL_FIELDS.map((f) => f.field),
      description: "The filing field the material is for (`[]` stands for any position in the list)",
    },
    certificateType: {
      type: "string" as const,
      enum: CERTIFICATE_TYPES.map((t) => t.code),
      description: "Required for certificate photos (and only for them): the certificate type it shows",
    },
  },
};
