export function readPublishedDocument(): unknown;
