export const CLIENT_TYPES_FILE: string;
export function renderClientTypes(document: unknown): Promise<string>;
export function readClientTypes(): string;
