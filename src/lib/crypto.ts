/**
 * Personal data protection (docs/rules.md#integrity) with WebCrypto only.
 *
 * - Sealing: AES-256-GCM with a 96-bit random IV; the stored form is `<keyId>.<iv>.<ciphertext>` (base64url),
 *   so values sealed under an older key stay readable after `PII_KEY` rotates (old keys in `PII_OLD_KEYS`).
 *   Files (uploaded materials) are sealed the same way in a binary frame: `0x01`, key id length, key id, iv,
 *   ciphertext — no base64, which would cost a third more storage for a 2 MB photo.
 * - Blind index: HMAC-SHA256 under `BLIND_INDEX_KEY` over a domain tag and the normalized value, so equal
 *   certificate numbers or mobiles can be matched in SQL without decrypting anything.
 * - API keys: high-entropy random tokens, stored as SHA-256 digests (a slow hash adds nothing for 256-bit keys).
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function fromBase64(text: string): Uint8Array {
  const normalized = text.replaceAll("-", "+").replaceAll("_", "/");
  const padded = normalized + "=".repeat((4 - (normalized.length % 4)) % 4);
  const binary = atob(padded);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function toHex(buffer: ArrayBuffer): string {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function sha256Hex(text: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

export async function sha256HexOfBytes(bytes: Uint8Array): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", bytes));
}

export function randomToken(bytes = 32): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** The first byte of a sealed file, so a later format can be told apart. */
const SEALED_BYTES_VERSION = 1;

/** `kid:base64key` entries, comma-separated; the first of PII_KEY is current. */
type KeySpec = { id: string; raw: Uint8Array };

function parseKeys(spec: string | undefined): KeySpec[] {
  if (!spec) return [];
  return spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const sep = entry.indexOf(":");
      if (sep <= 0) throw new Error("Key entries must look like <keyId>:<base64 32-byte key>");
      const raw = fromBase64(entry.slice(sep + 1));
      if (raw.length !== 32) throw new Error(`Key ${entry.slice(0, sep)} must be 32 bytes`);
      return { id: entry.slice(0, sep), raw };
    });
}

export type SecretsConfig = { PII_KEY: string; PII_OLD_KEYS?: string; BLIND_INDEX_KEY: string };

/** Imported keys, cached per isolate: importKey costs more than a seal. */
export class Vault {
  private readonly current: KeySpec;
  private readonly all: Map<string, KeySpec>;
  private readonly aesKeys = new Map<string, Promise<CryptoKey>>();
  private readonly hmacKey: Promise<CryptoKey>;

  constructor(config: SecretsConfig) {
    const current = parseKeys(config.PII_KEY)[0];
    if (!current) throw new Error("PII_KEY is not set");
    if (!config.BLIND_INDEX_KEY || config.BLIND_INDEX_KEY.length < 16) {
      throw new Error("BLIND_INDEX_KEY must be set (at least 16 characters)");
    }
    this.current = current;
    this.all = new Map([...parseKeys(config.PII_OLD_KEYS), current].map((k) => [k.id, k]));
    this.hmacKey = crypto.subtle.importKey(
      "raw",
      encoder.encode(config.BLIND_INDEX_KEY),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  private aesKey(id: string): Promise<CryptoKey> {
    let key = this.aesKeys.get(id);
    if (!key) {
      const spec = this.all.get(id);
      if (!spec) throw new Error(`unknown PII key id ${id}`);
      key = crypto.subtle.importKey("raw", spec.raw, "AES-GCM", false, ["encrypt", "decrypt"]);
      this.aesKeys.set(id, key);
    }
    return key;
  }

  async seal(plaintext: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const key = await this.aesKey(this.current.id);
    const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, encoder.encode(plaintext));
    return `${this.current.id}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(ciphertext))}`;
  }

  async open(sealed: string): Promise<string> {
    const [id, iv, data] = sealed.split(".");
    if (!id || !iv || !data) throw new Error("not a sealed value");
    const key = await this.aesKey(id);
    const plaintext = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64(iv) }, key, fromBase64(data));
    return decoder.decode(plaintext);
  }

  /** Seals file bytes under the current key; the key id travels inside the frame, as it does for `seal`. */
  async sealBytes(bytes: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const key = await this.aesKey(this.current.id);
    const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, bytes));
    const keyId = encoder.encode(this.current.id);
    if (keyId.length > 255) throw new Error("PII key ids must be at most 255 bytes");
    const out = new Uint8Array(2 + keyId.length + iv.length + ciphertext.length);
    out[0] = SEALED_BYTES_VERSION;
    out[1] = keyId.length;
    out.set(keyId, 2);
    out.set(iv, 2 + keyId.length);
    out.set(ciphertext, 2 + keyId.length + iv.length);
    return out;
  }

  /** Opens what `sealBytes` produced, under whichever key (current or old) sealed it. */
  async openBytes(sealed: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
    const idLength = sealed[1] ?? 0;
    const ivStart = 2 + idLength;
    // 16 bytes of GCM tag follow even an empty plaintext.
    if (sealed[0] !== SEALED_BYTES_VERSION || idLength === 0 || sealed.length < ivStart + 12 + 16) {
      throw new Error("not sealed bytes");
    }
    const key = await this.aesKey(decoder.decode(sealed.subarray(2, ivStart)));
    const iv = sealed.subarray(ivStart, ivStart + 12);
    const plaintext = await crypto.subtle.decrypt({ name: "AES-GCM", iv }, key, sealed.subarray(ivStart + 12));
    return new Uint8Array(plaintext);
  }

  /** Keyed equality index. `domain` keeps a mobile and a certificate with the same digits apart. */
  async blindIndex(domain: string, normalizedValue: string): Promise<string> {
    const mac = await crypto.subtle.sign(
      "HMAC",
      await this.hmacKey,
      encoder.encode(`${domain}\u0000${normalizedValue}`),
    );
    return toBase64Url(new Uint8Array(mac)).slice(0, 32);
  }
}

export type AuditSecrets = { AUDIT_KEY?: string; AUDIT_OLD_KEYS?: string };

/**
 * The audit chain's keys (docs/rules.md#integrity): `AUDIT_KEY` (`<keyId>:<base64 32-byte key>`) signs new rows and
 * anchors; `AUDIT_OLD_KEYS` (comma-separated, same form) still verify what older keys signed, as `PII_OLD_KEYS` do
 * for sealed data. Each row and anchor names its key id.
 */
export class AuditKeyring {
  readonly currentKeyId: string;
  private readonly raw: Map<string, Uint8Array>;
  private readonly keys = new Map<string, Promise<CryptoKey>>();

  constructor(config: AuditSecrets) {
    const current = parseKeys(config.AUDIT_KEY)[0];
    if (!current) throw new Error("AUDIT_KEY is not set");
    this.currentKeyId = current.id;
    this.raw = new Map([...parseKeys(config.AUDIT_OLD_KEYS), current].map((k) => [k.id, k.raw]));
  }

  has(keyId: string): boolean {
    return this.raw.has(keyId);
  }

  private key(id: string): Promise<CryptoKey> {
    let key = this.keys.get(id);
    if (!key) {
      const raw = this.raw.get(id);
      if (!raw) throw new Error(`unknown audit key id ${id}`);
      key = crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      this.keys.set(id, key);
    }
    return key;
  }

  /** Hex HMAC-SHA256 of `text` under the key `keyId` (the current one unless named). */
  async mac(text: string, keyId = this.currentKeyId): Promise<string> {
    return toHex(await crypto.subtle.sign("HMAC", await this.key(keyId), encoder.encode(text)));
  }
}

const keyrings = new Map<string, AuditKeyring>();

/** The audit keyring of a set of secrets, made once per distinct value; throws when `AUDIT_KEY` is missing. */
export function auditKeyringFor(env: AuditSecrets): AuditKeyring {
  const id = `${env.AUDIT_KEY ?? ""}\u0000${env.AUDIT_OLD_KEYS ?? ""}`;
  let keyring = keyrings.get(id);
  if (!keyring) {
    keyring = new AuditKeyring(env);
    if (keyrings.size >= 16) keyrings.clear();
    keyrings.set(id, keyring);
  }
  return keyring;
}

const vaults = new WeakMap<object, Vault>();

/** One vault per env object (per isolate in production), so keys are imported once. */
export function vaultFor(env: SecretsConfig): Vault {
  let vault = vaults.get(env);
  if (!vault) {
    vault = new Vault(env);
    vaults.set(env, vault);
  }
  return vault;
}

/**
 * JSON with object keys sorted, so two bodies that differ only in key order hash the same.
 * Walks with an explicit stack, not recursion: a request body nested thousands deep (it still fits in 256 KiB)
 * must not overflow the call stack.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  // Work items, taken from the end: a string is emitted as is, a `{ value }` is rendered.
  const work: (string | { value: unknown })[] = [{ value }];
  while (work.length > 0) {
    const item = work.pop() as string | { value: unknown };
    if (typeof item === "string") {
      out.push(item);
      continue;
    }
    const v = item.value;
    if (v === null || typeof v !== "object") {
      out.push(JSON.stringify(v) ?? "null");
      continue;
    }
    const parts: (string | { value: unknown })[] = [];
    if (Array.isArray(v)) {
      parts.push("[");
      for (let i = 0; i < v.length; i++) {
        if (i > 0) parts.push(",");
        parts.push({ value: v[i] });
      }
      parts.push("]");
    } else {
      const entries = Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      parts.push("{");
      entries.forEach(([k, x], i) => {
        parts.push(`${i > 0 ? "," : ""}${JSON.stringify(k)}:`);
        parts.push({ value: x });
      });
      parts.push("}");
    }
    for (let i = parts.length - 1; i >= 0; i--) work.push(parts[i] as string | { value: unknown });
  }
  return out.join("");
}
