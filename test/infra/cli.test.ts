// `npm run synth` as a user runs it: the files it writes, and a bad config that writes nothing.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../infra/synth/in-process";

const work = mkdtempSync(join(tmpdir(), "mailfort-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function synth(args: string[], env: Record<string, string> = {}) {
  const tsx = join(REPO_ROOT, "node_modules", ".bin", "tsx");
  const clean = { ...process.env };
  delete clean.PULUMI_CONFIG_PASSPHRASE;
  return spawnSync(tsx, [join(REPO_ROOT, "tools", "synth.ts"), ...args], { cwd: REPO_ROOT, encoding: "utf8", timeout: 180_000, env: { ...clean, ...env } });
}

describe("npm run synth", () => {
  it("writes resources.json, zone files, user-data, plan.md and synth.json for the lab stack", () => {
    const out = join(work, "lab");
    const r = synth(["--stack", "lab", "--out", out, "--serial", "2026010101"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^synth lab: \d+ resources, \d+ DNS records, \d+ SSM parameters in \d+ ms/);
    for (const f of ["resources.json", "user-data", "user-data.yaml", "plan.md", "synth.json", "zones/mailfort.test.zone", "zones/second.test.zone", "zones/parked.test.zone"]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    expect(readdirSync(join(out, "zones")).some((z) => z.endsWith(".in-addr.arpa.zone"))).toBe(true);
    const resources = JSON.parse(readFileSync(join(out, "resources.json"), "utf8")) as Array<{ type: string; name: string; inputs: Record<string, unknown> }>;
    expect(resources.some((x) => x.type === "aws:ec2/instance:Instance")).toBe(true);
    for (const x of resources) expect(typeof x.name).toBe("string");
    const text = readFileSync(join(out, "resources.json"), "utf8") + readFileSync(join(out, "synth.json"), "utf8");
    // A key's body or a whole password hash, not the scheme's name: the host files the synth
    // shows (the webmail's app-password store, mailfort-secrets' hash check) name the scheme.
    expect(text).not.toMatch(/PRIVATE KEY-----\\n[A-Za-z0-9+/]|\{BLF-CRYPT\}\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}|\$argon2id\$v=19\$m=\d+/);
    // user-data: what EC2's API takes; decoded, the very #cloud-config in user-data.yaml.
    const raw = Buffer.from(readFileSync(join(out, "user-data"), "utf8"), "base64");
    expect(gunzipSync(raw).toString("utf8")).toBe(readFileSync(join(out, "user-data.yaml"), "utf8"));
    const zone = readFileSync(join(out, "zones/mailfort.test.zone"), "utf8");
    expect(zone).toContain("$ORIGIN mailfort.test.");
    expect(zone).toContain("2026010101 ; serial");
    const plan = readFileSync(join(out, "plan.md"), "utf8");
    expect(plan).toContain("## Open ports");
    expect(plan).toContain("| 993 | tcp | 0.0.0.0/0 |");
    expect(plan).not.toMatch(/^\| 22 \|/m);
    expect(plan).toContain("## DNS records");
    expect(plan).toContain("_dmarc.mailfort.test");
  }, 180_000);

  it("lists the opaque secrets of an encrypted stack in its output and plan.md", () => {
    const opaque = synth(["--stack", "dev", "--out", join(work, "dev")]);
    expect(opaque.status).toBe(0);
    expect(opaque.stdout).toContain("opaque secrets (placeholders used): mailfort:admin-password");
    expect(readFileSync(join(work, "dev", "plan.md"), "utf8")).toContain("`mailfort:admin-password`");
  }, 180_000);

  it("on a bad config prints every error, exits non-zero and writes nothing", () => {
    const bad = join(work, "Pulumi.bad.yaml");
    writeFileSync(bad, [
      "config:",
      "  mailfort:region: eu-west-1",
      "  mailfort:hostname: mail.example.com",
      "  mailfort:domains:",
      "    - name: Example.COM",
      "  mailfort:instance:",
      "    dataVolumeGb: 0",
      "  mailfort:backups:",
      "    intervalHours: 5",
      "",
    ].join("\n"));
    const out = join(work, "never");
    const r = synth(["--stack", "bad", "--config-file", bad, "--out", out]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("mailfort:domains[0].name");
    expect(r.stderr).toContain("mailfort:instance.dataVolumeGb");
    expect(r.stderr).toContain("mailfort:backups.intervalHours");
    expect(r.stderr).toContain("nothing was created");
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it("refuses a wrong passphrase without writing anything", () => {
    const out = join(work, "wrong");
    const r = synth(["--stack", "dev", "--out", out], { PULUMI_CONFIG_PASSPHRASE: "not-the-passphrase" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("incorrect passphrase");
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
