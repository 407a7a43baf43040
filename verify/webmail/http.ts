// A small HTTPS client for the webmail as a script would use it: one cookie jar per "browser",
// the server certificate checked against the target's CA, redirects NOT followed (where a request
// is sent is part of what the checks judge). Speaks to the target address with the host's name
// (SNI and Host), so it works before DNS points at the server, as the lab needs.
import { request } from "node:https";
import type { VerifyTarget } from "../types";

export interface HttpReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export class WebClient {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly t: VerifyTarget, private readonly address: string, private readonly localAddress?: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  get(path: string): Promise<HttpReply> {
    return this.send("GET", path);
  }

  /** A form POST (application/x-www-form-urlencoded). */
  post(path: string, form: Record<string, string>): Promise<HttpReply> {
    return this.send("POST", path, new URLSearchParams(form).toString());
  }

  private send(method: string, path: string, body?: string): Promise<HttpReply> {
    return new Promise((resolve, reject) => {
      const req = request({
        host: this.address, port: 443, method, path, servername: this.t.host, ca: this.t.caPem, rejectUnauthorized: true,
        ...(this.localAddress ? { localAddress: this.localAddress } : {}),
        headers: {
          Host: this.t.host, "User-Agent": "mailfort-verify", ...(this.cookies.size ? { Cookie: this.cookieHeader() } : {}),
          ...(body !== undefined ? { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(body) } : {}),
        },
        timeout: 30_000,
      }, (res) => {
        for (const c of res.headers["set-cookie"] ?? []) {
          const [pair = ""] = c.split(";");
          const i = pair.indexOf("=");
          const [name, value] = [pair.slice(0, i).trim(), pair.slice(i + 1).trim()];
          if (value === "" || value === "-del-" || /expires=Thu, 01-Jan-1970/i.test(c)) this.cookies.delete(name);
          else this.cookies.set(name, value);
        }
        let data = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (data += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
      });
      req.on("timeout", () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
      req.on("error", reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }
}

/** Roundcube's request token, from a page it served (the login form and every page carry one). */
export function requestToken(html: string): string {
  const m = /name="_token" value="([A-Za-z0-9]+)"/.exec(html) ?? /"request_token":"([A-Za-z0-9]+)"/.exec(html);
  if (!m?.[1]) throw new Error("no request token in the page");
  return m[1];
}

/** Sign in with the mailbox password only (what a thief with the password can do), as a script. */
export async function passwordLogin(c: WebClient, address: string, password: string): Promise<HttpReply> {
  const form = await c.get("/");
  return c.post("/?_task=login", { _token: requestToken(form.body), _task: "login", _action: "login", _timezone: "UTC", _url: "", _user: address, _pass: password });
}
