import { exports } from "cloudflare:workers";

const BASE = "http://beian.test";

/**
 * A browser of the consoles for tests: it keeps the cookies the service sets (as a browser would for this host) and
 * fills each form's CSRF token from the page the form came from, so a test reads like a person using the console:
 * `const b = new ConsoleBrowser(); await b.signIn(key); const page = await b.get("/console");`.
 */
export class ConsoleBrowser {
  readonly cookies = new Map<string, string>();
  /** The CSRF token of the last signed-in page read, sent with every `post` unless the test says otherwise. */
  csrf: string | undefined;

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) {
      headers.set("cookie", [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "));
    }
    const res = await exports.default.fetch(new Request(`${BASE}${path}`, { ...init, headers, redirect: "manual" }));
    for (const line of res.headers.getSetCookie()) {
      const [pair = "", ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === "";
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** A page read: its HTML, and the CSRF token its forms carry (kept for the next `post`). */
  async get(path: string): Promise<{ status: number; html: string; res: Response }> {
    const res = await this.fetch(path);
    const html = await res.text();
    const token = csrfOf(html);
    if (token) this.csrf = token;
    return { status: res.status, html, res };
  }

  /** A form post (urlencoded, or multipart when a value is a File), with the CSRF token unless `csrf: null`. */
  async post(
    path: string,
    fields: Record<string, string | string[] | File> = {},
    opts: { csrf?: string | null } = {},
  ): Promise<Response> {
    const token = opts.csrf === null ? undefined : (opts.csrf ?? this.csrf);
    const multipart = Object.values(fields).some((v) => v instanceof File);
    let body: BodyInit;
    if (multipart) {
      const form = new FormData();
      if (token) form.set("_csrf", token);
      for (const [name, value] of Object.entries(fields)) {
        for (const v of Array.isArray(value) ? value : [value]) form.append(name, v);
      }
      body = form;
    } else {
      const form = new URLSearchParams();
      if (token) form.set("_csrf", token);
      for (const [name, value] of Object.entries(fields)) {
        for (const v of Array.isArray(value) ? value : [value]) form.append(name, v as string);
      }
      body = form;
    }
    return this.fetch(path, { method: "POST", body });
  }

  /** Signs in with an API key through the sign-in form; answers the response (303 to the role's console). */
  async signIn(key: string): Promise<Response> {
    await this.get("/console/login");
    const res = await this.post("/console/login", { key });
    if (res.status === 303) await this.get(res.headers.get("location") ?? "/console");
    return res;
  }
}

/** The `_csrf` value of the first form of a page. */
export function csrfOf(html: string): string | undefined {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
}
