// A real browser for the webmail checks: Debian's chromium, driven by playwright-core (no browser
// download), headless, with nothing of its own on the network (no sync, updates or QUIC), a fresh
// profile, the mail hostname mapped to the target address, and the server's key pinned: verify
// first checks the server's certificate chain against the target's CA itself, then lets Chromium
// accept exactly that key.
import { createHash, X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { type BrowserContext, chromium } from "playwright-core";
import type { VerifyTarget } from "../types";

export const CHROMIUM = process.env.MAILFORT_CHROMIUM ?? "/usr/bin/chromium";

/** The server certificate's SPKI SHA-256 (base64), after the chain verified against the CA. */
export function serverKeyPin(t: VerifyTarget, address: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: address, port: 443, servername: t.host, ca: t.caPem, rejectUnauthorized: true }, () => {
      const cert = new X509Certificate(s.getPeerCertificate().raw);
      s.end();
      resolve(createHash("sha256").update(cert.publicKey.export({ type: "spki", format: "der" })).digest("base64"));
    });
    s.setTimeout(15_000, () => s.destroy(new Error("TLS handshake on 443 timed out")));
    s.on("error", reject);
  });
}

export interface WebmailBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh profile (its own --user-data-dir, removed afterwards): no cookie or cache carries over. */
export async function openBrowser(t: VerifyTarget, address: string): Promise<WebmailBrowser> {
  const pin = await serverKeyPin(t, address);
  const profile = mkdtempSync(join(tmpdir(), "mailfort-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync",
      `--host-resolver-rules=MAP ${t.host} ${address}, EXCLUDE localhost`,
      `--ignore-certificate-errors-spki-list=${pin}`,
    ],
    viewport: { width: 1280, height: 800 }, locale: "en-US", timezoneId: "UTC",
  });
  // A page of Roundcube's is PHP compiling and IMAP fetching on the server: seconds on real
  // hardware, but the first view of each kind under an emulated CPU (the lab) took over the
  // default 30 s. The checks' own time limits still bound the whole flow.
  context.setDefaultNavigationTimeout(90_000);
  context.setDefaultTimeout(60_000);
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
