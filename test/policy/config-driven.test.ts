// Where the point is the stack config: production tightens DMARC, an enabled feature opens its
// port, and `mailfort:policy.relax` lowers or disables a policy while saying why — in the
// library and through `npm run policy`, whose exit code gates CI.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { runSynth } from "../../infra/synth";
import { ALL_POLICIES, policyById } from "../../policy/all";
import { type Snapshot } from "../../plan/snapshot";
import { snapshotFromSynth } from "../../plan/from-synth";
import { formatText } from "../../policy/report";
import { hasMandatoryViolation, packConfigFor, runPolicies, runPolicy } from "../../policy/run";
import { clone, record } from "./mutate";

const ROOT = path.resolve(__dirname, "../..");
const stackText = (s: string) => readFileSync(path.join(ROOT, "stacks", `Pulumi.${s}.yaml`), "utf8");
const replaceOnce = (text: string, from: string, to: string) => {
  if (!text.includes(from)) throw new Error(`stack file has no ${JSON.stringify(from)}`);
  return text.replace(from, to);
};

/** prod with DMARC quarantine (what dev uses): fine for dev, not for production. */
const PROD_QUARANTINE = replaceOnce(stackText("prod"), "      dmarc:\n        policy: reject", "      dmarc:\n        policy: quarantine");
/** Add keys (indented two spaces) at the top of the `config:` block: stack files may end in other top-level keys. */
const withConfig = (text: string, lines: string) => replaceOnce(text, "\nconfig:\n", `\nconfig:\n${lines}`);
const relax = (id: string, level: string, reason: string) => `  mailfort:policy:\n    relax:\n      - id: ${id}\n        reason: ${reason}\n        level: ${level}\n`;
const SPF_REASON = "a legacy newsletter service still sends as us until March";

const snaps = new Map<string, Snapshot>();
beforeAll(async () => {
  const variants: Record<string, string> = {
    prodQuarantine: PROD_QUARANTINE,
    devPop3: withConfig(stackText("dev"), "  mailfort:features:\n    pop3: true\n"),
    devRelaxAdvisory: withConfig(stackText("dev"), relax("dns-spf", "advisory", SPF_REASON)),
    devRelaxDisabled: withConfig(stackText("dev"), relax("dns-spf", "disabled", SPF_REASON)),
    // Every optional path at once: SES relay, POP3S, IPv6 and DNSSEC (prod already has the last two).
    prodAllFeatures: withConfig(replaceOnce(stackText("prod"), "  mailfort:features:\n", "  mailfort:features:\n    pop3: true\n"), "  mailfort:outbound:\n    mode: ses\n"),
  };
  const entries = await Promise.all(Object.entries(variants).map(async ([k, text]) => {
    const stack = k.startsWith("prod") ? "prod" : "dev";
    return [k, snapshotFromSynth(await runSynth(stack, { configText: text }))] as const;
  }));
  for (const [k, s] of entries) snaps.set(k, s);
}, 240_000);

const snap = (k: string): Snapshot => {
  const s = snaps.get(k);
  if (!s) throw new Error(`no synth ${k}`);
  return s;
};

describe("config decides what is allowed", () => {
  it("production requires DMARC p=reject", async () => {
    const s = snap("prodQuarantine");
    const v = await runPolicy(policyById("dns-dmarc"), s.resources, s.facts);
    expect(v.map((x) => x.message)).toEqual([expect.stringMatching(/example.com: DMARC p=quarantine; production requires p=reject/)]);
  });

  it("features.pop3 opens 995, and the network policy accepts it because the config asked", async () => {
    const s = snap("devPop3");
    const sg = s.resources.find((r) => r.type === "aws:ec2/securityGroup:SecurityGroup");
    expect(JSON.stringify(sg?.inputs.ingress)).toMatch(/"fromPort":995/);
    expect(await runPolicy(policyById("network-ingress"), s.resources, s.facts)).toEqual([]);
  });
});

describe("a stack with every optional feature on", () => {
  it.each(ALL_POLICIES.map((p) => p.name))("passes %s", async (id) => {
    const s = snap("prodAllFeatures");
    expect(s.facts.features.pop3).toBe(true);
    expect(await runPolicy(policyById(id), s.resources, s.facts)).toEqual([]);
  });
});

describe("relaxations", () => {
  const softfail = (s: Snapshot) => {
    const g = clone(s.resources);
    record(g, "dev.example.com", "TXT").records = ['"v=spf1 mx ~all"'];
    return g;
  };

  it("advisory: the violation is still reported, marked relaxed with the reason, and no longer mandatory", async () => {
    const s = snap("devRelaxAdvisory");
    const outcomes = await runPolicies(softfail(s), s.facts);
    const spf = outcomes.find((o) => o.id === "dns-spf");
    expect(spf?.level).toBe("advisory");
    expect(spf?.violations.map((v) => v.message)).toEqual([expect.stringContaining(`[relaxed to advisory by stack dev: ${SPF_REASON}]`)]);
    expect(hasMandatoryViolation(outcomes)).toBe(false);
    expect(formatText("dev", outcomes)).toMatch(new RegExp(`Relaxed by stack config:\\n  \\[dns-spf\\] advisory \\(relaxed: ${SPF_REASON}\\)`));
    expect(packConfigFor(s.facts)).toEqual({ "dns-spf": { enforcementLevel: "advisory" } });
  });

  it("disabled: the policy reports nothing, and the output still names the reason", async () => {
    const s = snap("devRelaxDisabled");
    const outcomes = await runPolicies(softfail(s), s.facts);
    expect(outcomes.find((o) => o.id === "dns-spf")).toMatchObject({ level: "disabled", violations: [], relaxation: { reason: SPF_REASON } });
    expect(formatText("dev", outcomes)).toContain(`(relaxed: ${SPF_REASON})`);
  });

  it("without the relaxation the same softfail is a mandatory violation", async () => {
    const s = snap("devPop3");
    const outcomes = await runPolicies(softfail(s), s.facts);
    expect(hasMandatoryViolation(outcomes)).toBe(true);
  });
});

describe("npm run policy (offline check)", () => {
  const run = promisify(execFile);
  const cli = async (args: string[]) => {
    try {
      const { stdout } = await run(process.execPath, ["--import", "tsx", path.join(ROOT, "tools/policy.ts"), ...args], { cwd: ROOT });
      return { code: 0, stdout };
    } catch (e) {
      const err = e as { code?: number; stdout?: string };
      return { code: err.code ?? -1, stdout: err.stdout ?? "" };
    }
  };
  const dir = mkdtempSync(path.join(tmpdir(), "mailfort-policy-"));

  it("exits 1 and names the policy on a mandatory violation", async () => {
    writeFileSync(path.join(dir, "Pulumi.prod.yaml"), PROD_QUARANTINE);
    const r = await cli(["--stack", "prod", "--config-file", path.join(dir, "Pulumi.prod.yaml")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/MANDATORY violations:\n {2}\[dns-dmarc\] mandatory\n {4}- example.com: DMARC p=quarantine; production requires p=reject/);
  });

  it("exits 0 once the stack relaxes it, printing the reason, and writes the CrossGuard pack config", async () => {
    const reason = "reject after two weeks of clean DMARC reports";
    writeFileSync(path.join(dir, "relaxed.yaml"), withConfig(PROD_QUARANTINE, relax("dns-dmarc", "advisory", reason)));
    const r = await cli(["--stack", "prod", "--config-file", path.join(dir, "relaxed.yaml"), "--pack-config", path.join(dir, "pack.json")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`[dns-dmarc] advisory (relaxed: ${reason})`);
    expect(JSON.parse(readFileSync(path.join(dir, "pack.json"), "utf8"))).toEqual({ "dns-dmarc": { enforcementLevel: "advisory" } });
  });
});
