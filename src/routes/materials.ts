import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { detectContentType, FORMAT_NAMES, imageFileProblem, readImageSize } from "../domain/material-files";
import {
  findMaterialField,
  imageProblem,
  MATERIAL_FIELDS,
  MAX_MATERIAL_BYTES,
  type MaterialContentType,
  type MaterialField,
  MIN_LONG_SIDE,
  MIN_SHORT_SIDE,
} from "../domain/materials";
import { pdfActiveContent, pdfHasTrailingData } from "../domain/pdf-content";
import { materialReadAccess } from "../domain/permissions";
import { type Problem, problem } from "../domain/problems";
import { requireRole } from "../lib/auth";
import { sha256HexOfBytes, vaultFor } from "../lib/crypto";
import { ApiError, validationFailed } from "../lib/errors";
import { newId } from "../lib/ids";
import { createKeyHolderRouter, declareKeyRoutes, ok } from "../lib/router";
import { mediaTypeOf, readBodyCapped } from "../lib/validation";
import { audit } from "../repositories/audit";
import {
  getMaterial,
  insertMaterial,
  type MaterialRow,
  materialObjectKey,
  materialReferences,
  materialsBucket,
} from "../repositories/materials";
import type { AppEnv } from "../types";
import { MaterialSchema, MediaParams, UploadFormDoc } from "./materials.schemas";

export const materialsRoutes = createKeyHolderRouter([], { multipart: true });
const route = declareKeyRoutes("materials");

/**
 * Every material answer, errors included, is a sandboxed document that may load nothing: a file a staff console
 * opens on the service's origin can run no script and reach nothing, whatever it turns out to hold.
 */
export const MATERIAL_CSP = "sandbox; default-src 'none'";
materialsRoutes.use("*", async (c, next) => {
  await next();
  c.header("content-security-policy", MATERIAL_CSP);
});

/** Room for the multipart framing and the text fields around a file of the largest size allowed. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
const MAX_UPLOAD_BODY_BYTES = MAX_MATERIAL_BYTES + MULTIPART_OVERHEAD_BYTES;
const FORM_PARTS = new Set(["file", "field", "certificateType"]);
const ALL_TYPES: readonly MaterialContentType[] = ["image/jpeg", "image/png", "application/pdf", "video/mp4"];

function fileTooLarge(): ApiError {
  const maxMb = MAX_MATERIAL_BYTES / (1024 * 1024);
  return new ApiError("PAYLOAD_TOO_LARGE", `Files may be at most ${maxMb} MB`, {
    problems: [problem("file", "FILE_TOO_LARGE", { maxMb })],
  });
}

/** The multipart body, read under the upload limit before anything parses it. */
async function readUploadForm(c: Context<AppEnv>): Promise<FormData> {
  const contentType = c.req.header("content-type");
  if (mediaTypeOf(contentType) !== "multipart/form-data") {
    throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Send the file as multipart/form-data");
  }
  if (Number(c.req.header("content-length") ?? "0") > MAX_UPLOAD_BODY_BYTES) throw fileTooLarge();
  const bytes = await readBodyCapped(c.req.raw, MAX_UPLOAD_BODY_BYTES);
  if (!bytes) throw fileTooLarge();
  try {
    return await new Response(bytes, { headers: { "content-type": contentType ?? "" } }).formData();
  } catch {
    throw new ApiError("BAD_REQUEST", "The multipart body could not be parsed");
  }
}

/** A text part: absent (or empty) is undefined; a file where text belongs is a problem. */
function textPart(form: FormData, name: string, problems: Problem[]): string | undefined {
  const value = form.get(name);
  if (value === null) return undefined;
  if (typeof value !== "string") {
    problems.push(problem(name, "INVALID_TYPE", { expected: "text" }));
    return undefined;
  }
  return value.trim() === "" ? undefined : value.trim();
}

type CheckedUpload = {
  bytes: Uint8Array;
  spec: MaterialField;
  contentType: MaterialContentType;
  certificateType: string | null;
  size: { width: number; height: number } | null;
};

/** Every check at upload, all problems at once; a file over the limit is refused before the rest (413). */
async function checkUpload(form: FormData): Promise<CheckedUpload> {
  const problems: Problem[] = [];
  for (const name of new Set(form.keys())) {
    if (!FORM_PARTS.has(name)) problems.push(problem(name, "UNKNOWN_FIELD"));
    else if (form.getAll(name).length > 1) problems.push(problem(name, "DUPLICATE"));
  }

  const file = form.get("file");
  if (file !== null && typeof file !== "string" && file.size > MAX_MATERIAL_BYTES) throw fileTooLarge();

  const field = textPart(form, "field", problems);
  const spec = field === undefined ? undefined : findMaterialField(field);
  if (field === undefined && !problems.some((p) => p.path === "field")) problems.push(problem("field", "REQUIRED"));
  else if (field !== undefined && !spec) {
    problems.push(
      problem("field", "UNKNOWN_MATERIAL_FIELD", { allowed: MATERIAL_FIELDS.map((f) => f.field).join(", ") }),
    );
  }

  const certificateType = textPart(form, "certificateType", problems);
  if (spec?.certificateTypes) {
    if (certificateType === undefined) {
      if (!problems.some((p) => p.path === "certificateType")) problems.push(problem("certificateType", "REQUIRED"));
    } else if (!(spec.certificateTypes as readonly string[]).includes(certificateType)) {
      problems.push(
        problem("certificateType", "CERTIFICATE_TYPE_MISMATCH", {
          field: spec.field,
          allowed: spec.certificateTypes.join(", "),
        }),
      );
    }
  } else if (spec && certificateType !== undefined) {
    problems.push(problem("certificateType", "CERTIFICATE_TYPE_NOT_EXPECTED"));
  }

  let bytes = new Uint8Array();
  let contentType: MaterialContentType | null = null;
  let size: CheckedUpload["size"] = null;
  if (file === null || file === "" || (typeof file !== "string" && file.size === 0)) {
    // A form whose file input was left empty still sends the part, with no bytes (and no file name, which
    // makes some parsers hand it over as an empty string).
    problems.push(problem("file", "REQUIRED"));
  } else if (typeof file === "string") {
    problems.push(problem("file", "INVALID_TYPE", { expected: "file" }));
  } else {
    bytes = new Uint8Array(await file.arrayBuffer());
    const accepts = spec?.accepts ?? ALL_TYPES;
    contentType = detectContentType(bytes);
    if (!contentType || !accepts.includes(contentType)) {
      problems.push(
        problem("file", "UNSUPPORTED_FILE_TYPE", { allowed: accepts.map((t) => FORMAT_NAMES[t]).join(" / ") }),
      );
    } else if (contentType === "application/pdf") {
      const active = pdfActiveContent(bytes);
      if (active) problems.push(problem("file", "ACTIVE_CONTENT", { name: `/${active.name}` }));
      else if (pdfHasTrailingData(bytes)) problems.push(problem("file", "TRAILING_DATA", { format: "PDF" }));
    } else if (contentType === "image/jpeg" || contentType === "image/png") {
      size = readImageSize(bytes, contentType);
      const format = FORMAT_NAMES[contentType];
      const fileProblem = size && imageFileProblem(bytes, contentType, size);
      if (!size) {
        problems.push(problem("file", "INVALID_IMAGE", { format }));
      } else if (fileProblem) {
        problems.push(problem("file", fileProblem.code, { ...size, format, ...fileProblem.params }));
      } else if (spec) {
        const code = imageProblem(spec, size.width, size.height);
        if (code === "IMAGE_TOO_SMALL") {
          problems.push(problem("file", code, { ...size, minShort: MIN_SHORT_SIDE, minLong: MIN_LONG_SIDE }));
        } else if (code === "WRONG_ORIENTATION") {
          const portrait = spec.orientation === "portrait";
          problems.push(
            problem("file", code, {
              ...size,
              orientation: portrait ? "portrait" : "landscape",
              orientationZh: portrait ? "竖向" : "横向",
            }),
          );
        }
      }
    }
  }

  if (problems.length > 0 || !spec || !contentType) throw validationFailed(problems);
  return { bytes, spec, contentType, certificateType: spec.certificateTypes ? (certificateType ?? null) : null, size };
}

function toMaterialView(row: MaterialRow): z.infer<typeof MaterialSchema> {
  return {
    mediaId: row.id,
    field: row.field,
    certificateType: row.certificateType,
    contentType: row.contentType as MaterialContentType,
    size: row.size,
    width: row.width,
    height: row.height,
    sha256: row.sha256,
    createdAt: row.createdAt,
  };
}

/**
 * The material if the caller may read it (`materialReadAccess`, docs/rules.md#permissions; `staffFilingId` names
 * the filing a staff read is audited against). Anyone else, and anything deleted, gets the 404 a missing material
 * gets.
 */
async function readableMaterial(
  c: Context<AppEnv>,
  mediaId: string,
): Promise<{ row: MaterialRow; staffFilingId: string | null }> {
  const db = c.get("db");
  const principal = c.get("principal");
  const row = await getMaterial(db, mediaId);
  if (row && !row.deletedAt) {
    // The uploader is answered without reading which filings reference the material.
    const access =
      materialReadAccess(principal, row, []) ??
      materialReadAccess(principal, row, await materialReferences(db, mediaId));
    if (access) return { row, staffFilingId: access.staffFilingId };
  }
  throw new ApiError("NOT_FOUND", "No such material");
}

materialsRoutes.openapi(
  route.post("/", {
    summary: "Upload a material (certificate photo, letter, permit) for one filing field",
    operationId: "uploadMaterial",
    description:
      "Checked at upload: the file's real type (from its content), image size and orientation, that the field " +
      "takes this kind of file, and the certificate type for certificate photos. Stored encrypted; the returned " +
      "`mediaId` goes into the filing at that field.",
    middleware: [requireRole("developer", "provider")],
    request: { body: { required: true, content: { "multipart/form-data": { schema: UploadFormDoc } } } },
    ok: ok(201, "Stored", MaterialSchema),
    errors: [400, 401, 403, 413, 415, 422],
  }),
  async (c) => {
    const upload = await checkUpload(await readUploadForm(c));
    const db = c.get("db");
    const owner = c.get("principal").accountId;
    const bucket = materialsBucket(c.env);
    const id = newId("med");
    const row: MaterialRow = {
      id,
      ownerAccountId: owner,
      field: upload.spec.field,
      certificateType: upload.certificateType,
      contentType: upload.contentType,
      size: upload.bytes.byteLength,
      width: upload.size?.width ?? null,
      height: upload.size?.height ?? null,
      sha256: await sha256HexOfBytes(upload.bytes),
      objectKey: materialObjectKey(id),
      createdAt: new Date().toISOString(),
      deletedAt: null,
    };
    // Sealed here, so the bucket only ever holds ciphertext; the object goes first, so a row never points at
    // nothing, and an object whose row failed is removed again.
    await bucket.put(row.objectKey, await vaultFor(c.env).sealBytes(upload.bytes));
    try {
      await audit(
        db,
        {
          subject: `material:${id}`,
          action: "material.uploaded",
          actor: owner,
          at: row.createdAt,
          data: { field: row.field, contentType: row.contentType, size: row.size, sha256: row.sha256 },
        },
        [insertMaterial(db, row)],
      );
    } catch (e) {
      await bucket.delete(row.objectKey).catch(() => {});
      throw e;
    }
    return c.json(toMaterialView(row), 201);
  },
);

materialsRoutes.openapi(
  route.get("/{mediaId}", {
    summary: "Read a material's metadata",
    operationId: "getMaterial",
    description: "A material's metadata: the field it is for, its type, size, dimensions and which filing uses it.",
    request: { params: MediaParams },
    ok: ok(200, "The material", MaterialSchema),
    errors: [401, 404],
  }),
  async (c) => {
    const { row } = await readableMaterial(c, c.req.valid("param").mediaId);
    return c.json(toMaterialView(row), 200);
  },
);

/** Files are downloaded, never opened on the service's origin, except an image a console asks to preview. */
function dispositionOf(contentType: string, asked: "attachment" | "inline"): "attachment" | "inline" {
  return asked === "inline" && contentType.startsWith("image/") ? "inline" : "attachment";
}

const binary = { schema: { type: "string" as const, format: "binary" } };

materialsRoutes.openapi(
  route.get("/{mediaId}/content", {
    summary: "Download a material (decrypted); staff reads are audited",
    operationId: "downloadMaterial",
    description:
      "The file itself, decrypted, for its uploader, the owner of an app whose filing uses it, and staff handling " +
      "that filing. Staff reads are written to the filing's audit chain. Served as an attachment under " +
      "`Content-Security-Policy: sandbox; default-src 'none'`; `?disposition=inline` shows an image in place.",
    request: {
      params: MediaParams,
      query: z.object({
        disposition: z.enum(["attachment", "inline"]).default("attachment").openapi({
          description:
            "`inline` asks for an image to be shown in place (a console's preview); PDFs are always attachments",
        }),
      }),
    },
    ok: {
      200: {
        description: "The file as uploaded, with its detected content type; never cached",
        content: { "image/jpeg": binary, "image/png": binary, "application/pdf": binary, "video/mp4": binary },
      },
    },
    errors: [401, 404, 422],
  }),
  async (c) => {
    const { row, staffFilingId } = await readableMaterial(c, c.req.valid("param").mediaId);
    const { disposition } = c.req.valid("query");
    const object = await materialsBucket(c.env).get(row.objectKey);
    // The clean-up job deletes the object before it marks the row: in between, the material is gone.
    if (!object) throw new ApiError("NOT_FOUND", "No such material");
    const bytes = await vaultFor(c.env).openBytes(new Uint8Array(await object.arrayBuffer()));
    // GCM proves the bytes were sealed with our key; the digest proves they are this material's bytes.
    if ((await sha256HexOfBytes(bytes)) !== row.sha256) throw new Error(`material ${row.id}: digest mismatch`);
    if (staffFilingId) {
      const principal = c.get("principal");
      await audit(
        c.get("db"),
        {
          subject: `material:${row.id}`,
          action: "material.viewed",
          actor: principal.accountId,
          at: new Date().toISOString(),
          data: { role: principal.role, filingId: staffFilingId },
        },
        [],
      );
    }
    const extension =
      row.contentType === "application/pdf"
        ? "pdf"
        : row.contentType === "video/mp4"
          ? "mp4"
          : row.contentType === "image/png"
            ? "png"
            : "jpg";
    return c.body(bytes, 200, {
      "content-type": row.contentType,
      "cache-control": "private, no-store",
      "x-content-type-options": "nosniff",
      "content-disposition": `${dispositionOf(row.contentType, disposition)}; filename="${row.id}.${extension}"`,
    });
  },
);
