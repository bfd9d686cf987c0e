export function scratch(): string;
export function pathIn(dir: string, name: string): string;
export function exists(path: string): boolean;
export function write(path: string, text: string): void;
export function byteLength(path: string): number;
export function errorsOf(file: string): Record<string, string>[];
