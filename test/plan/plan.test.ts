// `npm run plan`: the PR plan, run as a reviewer's CI would. Both sides are synthesized from git
// refs (--head HEAD) so the test does not depend on uncommitted work in the checkout.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), "mailfort-plan-test-"));

async function plan(args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", path.join(ROOT, "tools/plan.ts"), ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? -1, out: x.stdout ?? "", err: x.stderr ?? "" };
  }
}

/** dev as committed, with POP3 on and DMARC tightened to reject. */
function devChanged(): string {
  const text = readFileSync(path.join(ROOT, "stacks/Pulumi.dev.yaml"), "utf8");
  if (!text.includes("\nconfig:\n") || !text.includes("policy: quarantine")) throw new Error("stacks/Pulumi.dev.yaml changed shape; update this test");
  const file = path.join(dir, "Pulumi.dev.yaml");
  writeFileSync(file, text.replace("\nconfig:\n", "\nconfig:\n  mailfort:features:\n    pop3: true\n").replace("policy: quarantine", "policy: reject"));
  return file;
}

describe("npm run plan", () => {
  it("shows no change between a ref and itself: mock ids, keys and certificates are masked", async () => {
    const r = await plan(["--stack", "dev", "--base", "HEAD", "--head", "HEAD"]);
    expect(r.err).toBe("");
    expect(r.out).toContain("**Resources:** 0 to add, 0 to change, 0 to remove");
    expect(r.out).toContain("**DNS records:** +0 / -0.");
    expect(r.out).toContain("**Open ports:** unchanged.");
    expect(r.out).toContain("**Host files:** unchanged.");
    expect(r.out).toMatch(/(\d+)\/\1 policies pass/);
  });

  it("shows a config change as changed resources, DNS records, ports and a unified diff of the host files", async () => {
    const out = path.join(dir, "plan.md");
    const r = await plan(["--stack", "dev", "--base", "HEAD", "--head", "HEAD", "--config-file", devChanged(), "--out", out]);
    expect(r.code).toBe(0);
    const md = readFileSync(out, "utf8");
    expect(md).toMatch(/\| ~ change \| `aws:ec2\/securityGroup:SecurityGroup` \| `mailfort-dev-sg` \| `ingress` \|/);
    expect(md).toMatch(/\| ~ change \| `aws:ec2\/instance:Instance` \| `mailfort-dev-host` \| .*`userData(Base64)?`/);
    expect(md).toMatch(/^- _dmarc\.dev\.example\.com 3600 TXT "v=DMARC1; p=quarantine;/m);
    expect(md).toMatch(/^\+ _dmarc\.dev\.example\.com 3600 TXT "v=DMARC1; p=reject;/m);
    expect(md).toMatch(/### Open ports \(inbound\)\n\n```diff\n\+ tcp\/995 from 0\.0\.0\.0\/0\n```/);
    expect(md).toMatch(/<summary>changed <code>\/etc\/dovecot\/dovecot.conf<\/code><\/summary>[\s\S]*?\n\+ {2}pop3 = yes\n/);
    expect(md).toContain("--- a/etc/dovecot/dovecot.conf\tbase");
  });

  it("names the DKIM rotation's step this up takes, and what the next up does and from when", async () => {
    const text = readFileSync(path.join(ROOT, "stacks/Pulumi.dev.yaml"), "utf8");
    const file = path.join(dir, "Pulumi.dev-rotating.yaml");
    writeFileSync(file, text.replace("\nconfig:\n", "\nconfig:\n  mailfort:dkim:\n    rotation:\n      generation: 1\n"));
    const state = path.join(dir, "dkim-state.json");
    writeFileSync(state, '{"v":1,"step":"published","from":0,"generation":1,"publishedAt":"2026-12-01T10:00:00Z"}\n');
    const early = await plan(["--stack", "dev", "--base", "HEAD", "--head", "HEAD", "--config-file", file, "--dkim-state", state, "--now", "2026-12-01T11:00:00Z"]);
    expect(early.code).toBe(0);
    expect(early.out).toContain("**DKIM rotation:** published: generation 1's key public since 2026-12-01T10:00:00Z; generation 0 still signs; next `pulumi up`: sign with generation 1");
    expect(early.out).toContain("not before 2026-12-01T12:00:00.000Z");
    const due = await plan(["--stack", "dev", "--base", "HEAD", "--head", "HEAD", "--config-file", file, "--dkim-state", state, "--now", "2026-12-01T12:00:00Z"]);
    expect(due.out).toContain("**DKIM rotation:** this up takes a step: signing: generation 1 signs since 2026-12-01T12:00:00Z");
    expect(due.out).toMatch(/^\+ mail-g1\._domainkey\.dev\.example\.com 3600 TXT/m);
    // The switch is a parameter the host syncs, not a host file: the instance is not replaced.
    expect(due.out).toContain("| ~ change | `aws:ssm/parameter:Parameter` | `mailfort-dev-params-mailfort-dev-dkim-signing` | `value` |");
    expect(due.out).not.toContain("aws:ec2/instance:Instance");
    expect(due.out).not.toContain("dkim_selectors.map");
  });

  it("treats a stack that does not exist at the base as all new", async () => {
    const file = path.join(dir, "Pulumi.brandnew.yaml");
    writeFileSync(file, readFileSync(path.join(ROOT, "stacks/Pulumi.lab.yaml"), "utf8"));
    const r = await plan(["--stack", "brandnew", "--base", "HEAD", "--head", "HEAD", "--config-file", file]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\*\*Resources:\*\* (\d+) to add, 0 to change, 0 to remove \(0 -> \1\)/);
    // Every host file is new: their bodies are left out so the comment fits GitHub's limit.
    expect(r.out.length).toBeLessThanOrEqual(60_000);
    expect(r.out).toMatch(/<summary>added <code>\/etc\/postfix\/main.cf<\/code><\/summary>\n\n\(\d+ lines; see the plan artifact/);
  });

  it("names the bad ref and the fix", async () => {
    const r = await plan(["--stack", "dev", "--base", "no-such-ref-xyz"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--base "no-such-ref-xyz" is not a commit .*git fetch/);
  });
});
