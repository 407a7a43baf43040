// The lab proves SURBL scoring with a link to a host of its own (lab/dns/zones.ts). Rspamd finds
// a URL in a text part only when its host has a TLD from the public suffix list, so the listed
// host must have one: this asks the real Rspamd of Debian 13 (rspamadm lua in the trixie root)
// what it makes of the lab's link, and of a .test link, which it would not even see.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SURBL_LISTED_HOST } from "../../lab/dns/zones";
import { baseRoot, checkerUnavailable } from "./checker-root";

const unavailable = checkerUnavailable();
if (unavailable && process.env.CI === "true") throw new Error(`host checker tests cannot run in CI: ${unavailable}`);

let work = "";
let root = "";
beforeAll(() => {
  if (unavailable) return;
  const base = baseRoot();
  work = mkdtempSync(join(tmpdir(), "mailfort-rspamd-urls-"));
  for (const d of ["upper", "work", "root"]) mkdirSync(join(work, d));
  root = join(work, "root");
  execFileSync("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${base},upperdir=${join(work, "upper")},workdir=${join(work, "work")}`, root]);
}, 30 * 60_000);

afterAll(() => {
  if (!work) return;
  spawnSync("umount", ["-l", root]);
  rmSync(work, { recursive: true, force: true });
});

/** Host, registered domain and flags of every URL Rspamd finds in a plain-text message. */
function urlsIn(body: string): string[] {
  const script = [
    'require("rspamd_url").init("/usr/share/publicsuffix/effective_tld_names.dat")',
    'local ok, task = require("rspamd_task").load_from_string(io.read("*a"), rspamd_config)',
    "task:process_message()",
    "for _, u in ipairs(task:get_urls(true) or {}) do",
    "  local flags = {}",
    "  for k, v in pairs(u:get_flags()) do if v then flags[#flags + 1] = k end end",
    "  table.sort(flags)",
    '  print(u:get_host() .. " " .. u:get_tld() .. " " .. table.concat(flags, ","))',
    "end",
  ].join("\n");
  writeFileSync(join(root, "tmp", "urls.lua"), script);
  const message = `From: sender@remote.test\nTo: alice@mailfort.test\nSubject: minutes\n\n${body}\n`;
  const r = spawnSync("chroot", [root, "/usr/bin/rspamadm", "lua", "/tmp/urls.lua"], { input: message, encoding: "utf8", timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim().split("\n").filter(Boolean).sort();
}

describe.skipIf(unavailable !== undefined)("Rspamd's URL detection and the lab's SURBL link", () => {
  it(`finds the lab's listed link host ${SURBL_LISTED_HOST}, with a known TLD`, () => {
    expect(urlsIn(`the minutes are at http://${SURBL_LISTED_HOST}/minutes/1 and http://unlisted-${SURBL_LISTED_HOST}/minutes/2`)).toEqual([
      `${SURBL_LISTED_HOST} ${SURBL_LISTED_HOST} text`,
      `unlisted-${SURBL_LISTED_HOST} unlisted-${SURBL_LISTED_HOST} text`,
    ]);
  });

  it("does not see a link to a .test host at all (why the listed host is not one)", () => {
    expect(urlsIn("the minutes are at http://minutes.mailfort.test/1")).toEqual([]);
  });
});
