export type FakeAdmin = {
  url: string;
  key: string;
  store: Map<string, string>;
  readonly calls: number;
  readonly rowsReceived: number;
  close(): Promise<void>;
};
export function startFakeAdmin(opts?: {
  key?: string;
  fault?: (call: number) => { status: number; retryAfter?: number | string } | undefined;
  afterStore?: (store: Map<string, string>) => void;
}): Promise<FakeAdmin>;
