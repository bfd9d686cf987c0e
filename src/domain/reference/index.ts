/**
 * Reference data served under `/v1/reference/*`. REFERENCE_VERSION changes whenever any of these lists
 * changes, so clients can cache them and notice an update; the service content taxonomy also carries its own
 * version, and regions are versioned by the migration that loaded them.
 */
export const REFERENCE_VERSION = "2026-11";

export * from "./certificate-types";
export * from "./languages";
export * from "./names";
export * from "./natures";
export * from "./pre-approval-types";
export * from "./service-content-types";
