export const KEYS: Record<"developer" | "provider" | "reviewer" | "regulator" | "admin", string>;
/** A greyscale PNG of `width` × `height`. */
export function png(width: number, height: number): Uint8Array<ArrayBuffer>;
/** A one-page PDF. */
export function pdf(text?: string): Uint8Array<ArrayBuffer>;
export function residentId(): string;
export function uscc(): string;
export function mobile(): string;
export function unique(): number;

export function startBeian(port: number): Promise<{ url: string; stop(): Promise<void> }>;

export type Received = { headers: Record<string, string | string[] | undefined>; body: string };
export function startReceiver(): Promise<{
  url: string;
  received: Received[];
  until(test: (received: Received[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}>;
