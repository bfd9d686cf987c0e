export type Block = { lang: string; words: string[]; text: string; line: number };
export function fencedBlocks(markdown: string): Block[];
export function pasteProblems(block: Block): string[];
export function expectedError(block: Block): { status: string } | null;
export function walkthroughScript(blocks: Block[], baseUrl: string): string;
export function readReadme(): { blocks: Block[]; problems: string[] };
