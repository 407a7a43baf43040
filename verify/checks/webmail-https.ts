// The webmail's front door from outside: plain HTTP only redirects; HTTPS serves the sign-in page
// with HSTS, a CSP that keeps foreign scripts, frames and objects out, and session cookies that
// are Secure, HttpOnly and same-site strict; and nothing but index.php and static files is
// reachable (plugin code, configuration, the installer, the database schema, logs).
import { request } from "node:http";
import { targetAddress } from "../dns-client";
import { type Check, fail } from "../types";
import { WebClient } from "../webmail/http";

const NOT_SERVED = [
  "/plugins/mailfort_totp/mailfort_totp.php", "/plugins/mailfort_totp/rfc6238.php", "/plugins/mailfort_totp/skins/elastic/templates/totp.html",
  "/plugins/mailfort_app_passwords/app_password_store.php", "/config/config.inc.php", "/config/mailfort-secrets.inc.php",
  "/installer/", "/installer/index.php", "/bin/gc.sh", "/SQL/sqlite.initial.sql", "/.htaccess", "/program/include/iniset.php",
  "/logs/", "/temp/", "/composer.json", "/static.php", "/index.php/../config/config.inc.php", "/skins/elastic/templates/login.html",
];

function plainHttp(address: string, host: string): Promise<{ status: number; location: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port: 80, path: "/?_task=mail", headers: { Host: host }, timeout: 15_000 }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, location: String(res.headers.location ?? "") });
    });
    req.on("timeout", () => req.destroy(new Error("port 80: no answer in 15 s")));
    req.on("error", reject);
    req.end();
  });
}

export const webmailHttpsCheck: Check = {
  id: "webmail-https",
  title: "the webmail: HTTP only redirects to HTTPS; HTTPS serves the sign-in with HSTS, a strict CSP and Secure/HttpOnly/SameSite cookies; no script or file but index.php and static assets is reachable",
  run: async (t) => {
    const address = await targetAddress(t);
    const plain = await plainHttp(address, t.host);
    if (plain.status !== 301 || plain.location !== `https://${t.host}/?_task=mail`) fail(`http://${t.host}/ answered ${plain.status} ${plain.location}`);
    const c = new WebClient(t, address);
    const login = await c.get("/");
    if (login.status !== 200 || !/id="rcmloginuser"/.test(login.body)) fail(`https://${t.host}/ answered ${login.status} without the sign-in form`);
    const h = (name: string) => String(login.headers[name] ?? "");
    const csp = h("content-security-policy");
    const problems = [
      ...(/max-age=(\d+)/.exec(h("strict-transport-security"))?.[1] && Number(/max-age=(\d+)/.exec(h("strict-transport-security"))?.[1]) >= 31_536_000 ? [] : [`HSTS ${JSON.stringify(h("strict-transport-security"))}`]),
      ...(["frame-ancestors 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'"].filter((d) => !csp.includes(d)).map((d) => `CSP lacks ${d}`)),
      ...(/(?:script|default|connect|frame)-src[^;]*(?:\*|https?:|data:)/.test(csp.replace(/img-src[^;]*/, "")) ? [`CSP allows foreign sources: ${csp}`] : []),
      ...(h("x-content-type-options") === "nosniff" ? [] : ["no X-Content-Type-Options: nosniff"]),
    ];
    const cookies = ([] as string[]).concat(login.headers["set-cookie"] ?? []);
    for (const cookie of cookies) {
      const name = cookie.split("=")[0];
      if (!/;\s*secure/i.test(cookie)) problems.push(`cookie ${name} without Secure`);
      if (!/;\s*httponly/i.test(cookie)) problems.push(`cookie ${name} without HttpOnly`);
      if (!/;\s*samesite=strict/i.test(cookie)) problems.push(`cookie ${name} without SameSite=Strict`);
    }
    if (cookies.length === 0) problems.push("the sign-in page set no session cookie");
    for (const path of NOT_SERVED) {
      const r = await c.get(path);
      if (r.status !== 404) problems.push(`${path} answered ${r.status}`);
    }
    const css = await c.get("/skins/elastic/styles/styles.min.css");
    if (css.status !== 200) problems.push(`the skin's stylesheet answered ${css.status}`);
    if (problems.length > 0) fail(problems.join("; "));
    return `port 80 -> 301 https; sign-in page with HSTS, CSP (${csp.split(";").length} directives), ${cookies.length} Secure/HttpOnly/SameSite=Strict cookie(s); ${NOT_SERVED.length} non-public paths answer 404`;
  },
};
