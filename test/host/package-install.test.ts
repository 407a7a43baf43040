// What apt would install on a fresh instance. cloud-init installs the user data's packages with
// apt's defaults, recommends included, and Roundcube recommends "apache2 | lighttpd | spawn-fcgi |
// php-fpm | httpd-cgi": only because php8.4-fpm (which provides php-fpm) is in the same install
// does no second web server come along to fight nginx for port 80. apt itself decides it here, in
// a simulation against Debian 13's package lists (those of the cached checker root) from an empty
// system, with recommends on as on the instance.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hostPackages } from "../../infra/core/host";
import { baseRoot, checkerUnavailable } from "./checker-root";
import { loadStack } from "./stacks";

const unavailable = checkerUnavailable();
if (unavailable && process.env.CI === "true") throw new Error(`package install simulation cannot run in CI: ${unavailable}`);

const work = mkdtempSync(join(tmpdir(), "mailfort-apt-sim-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The packages apt would unpack for `apt-get install <packages>` on a system with nothing installed. */
function simulateInstall(root: string, packages: readonly string[]): string[] {
  mkdirSync(join(work, "cache"), { recursive: true });
  writeFileSync(join(work, "status"), "");
  const out = execFileSync("apt-get", [
    "-s", "-q", "-o", "Debug::NoLocking=1", "-o", "APT::Install-Recommends=true",
    "-o", `Dir::State::Lists=${join(root, "var/lib/apt/lists")}`, "-o", `Dir::State::status=${join(work, "status")}`,
    "-o", `Dir::Cache=${join(work, "cache")}`, "-o", `Dir::Etc::SourceList=${join(root, "etc/apt/sources.list")}`,
    "-o", "Dir::Etc::SourceParts=/nonexistent", "install", ...packages,
  ], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  return [...out.matchAll(/^Inst (\S+) /gm)].map((m) => m[1] ?? "");
}

describe.skipIf(Boolean(unavailable))("a fresh instance's package install (apt simulation, recommends on)", () => {
  it("the webmail brings PHP-FPM and no other web server or PHP front end", () => {
    const prod = loadStack("prod");
    expect(prod.features.webmail).toBe(true);
    const installed = simulateInstall(baseRoot(), hostPackages(prod));
    expect(installed).toEqual(expect.arrayContaining(["nginx", "php8.4-fpm", "roundcube-core", "roundcube-sqlite3", "dovecot-auth-lua"]));
    expect(installed.filter((p) => /^(apache2|lighttpd|spawn-fcgi|libapache2-mod-php|php8\.4-cgi|httpd)/.test(p))).toEqual([]);
  }, 1_800_000);

  it("the control: without php8.4-fpm in the same install, apt would take Apache for Roundcube", () => {
    const prod = loadStack("prod");
    const installed = simulateInstall(baseRoot(), hostPackages(prod).filter((p) => p !== "php8.4-fpm"));
    expect(installed.some((p) => /^(apache2|libapache2-mod-php)/.test(p))).toBe(true);
  }, 1_800_000);
});
