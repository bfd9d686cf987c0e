export function workerAliases(): { find: RegExp; replacement: string }[];
