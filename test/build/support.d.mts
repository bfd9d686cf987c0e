export function readPublishedDocument(): unknown;
export function checkBundle(fixture: string): Promise<{ code: number; output: string }>;
export function exportsInPlainNode(path: string): Promise<number>;
