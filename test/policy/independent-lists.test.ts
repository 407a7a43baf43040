// The policy pack keeps its own lists of what is allowed, on purpose: it judges the program's
// output and must not take the program's word for it. These tests hold each independent list
// in agreement with the product's, so a port (or the mark of a masked secret) changed in one
// and not the other fails here.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RELAXABLE_PROTECTION_IDS } from "../../infra/config/protections";
import { renderHostFiles } from "../../infra/core/host";
import { egressRules, inboundPorts } from "../../infra/core/ports";
import { SECRET_MARK } from "../../infra/synth";
import { factsFromConfig } from "../../policy/facts";
import { allowedEgress } from "../../policy/policies/egress";
import { CONTAINMENT_RELAX_ID, SUSPENDED_MAP } from "../../policy/policies/containment";
import { MASKED_SECRET } from "../../policy/policies/host-hygiene";
import { MEDIUM_SEVERITY } from "../../policy/policies/monitoring";
import { ADMIN_PORTS, PLAINTEXT_MAIL_PORTS, allowedInboundPorts } from "../../policy/policies/network";
import { MIN_FINDING_SEVERITY } from "../../infra/core/guardduty-findings";
import { loadStack } from "../../infra/synth/in-process";

describe("the pack's inbound ports and the product's", () => {
  it.each(["dev", "prod", "lab"])("agree for the %s stack, with POP3 on and off", (stack) => {
    const { config } = loadStack(stack, { passphrase: "" });
    for (const pop3 of [false, true]) {
      const cfg = { ...config, features: { ...config.features, pop3 } };
      const product = inboundPorts(cfg).map((r) => r.port).sort((a, b) => a - b);
      const pack = [...allowedInboundPorts(factsFromConfig(cfg))].sort((a, b) => a - b);
      expect(pack, `pop3 ${pop3}`).toEqual(product);
    }
  });

  it("the product opens none of the ports the pack forbids outright", () => {
    const { config } = loadStack("prod", { passphrase: "" });
    const open = inboundPorts({ ...config, features: { ...config.features, pop3: true } }).map((r) => r.port);
    for (const p of open) {
      expect(ADMIN_PORTS.has(p), `port ${p}`).toBe(false);
      expect(PLAINTEXT_MAIL_PORTS.has(p), `port ${p}`).toBe(false);
    }
  });
});

describe("the pack's egress and the product's", () => {
  it.each(["direct", "ses"] as const)("agree with %s outbound", (mode) => {
    const { config } = loadStack("prod", { passphrase: "" });
    const cfg = { ...config, outbound: { ...config.outbound, mode } };
    const product = egressRules(cfg).map((r) => `${r.protocol}/${r.port}`).sort();
    expect([...allowedEgress(factsFromConfig(cfg)).keys()].sort()).toEqual(product);
  });
});

describe("the mark of a secret value the offline synth masks", () => {
  it("is the one the lists policy skips", () => {
    expect(MASKED_SECRET).toBe(SECRET_MARK);
  });
});

describe("the pack's GuardDuty severity floor and the product's", () => {
  it("agree: the findings rule passes exactly what the pack requires (medium and up)", () => {
    expect(MEDIUM_SEVERITY).toBe(MIN_FINDING_SEVERITY);
  });
});

describe("the pack's containment names and the product's", () => {
  it("the relaxation the pack accepts is the config protection that refuses containment off in prod", () => {
    expect(RELAXABLE_PROTECTION_IDS).toContain(CONTAINMENT_RELAX_ID);
  });

  it("the map the pack looks for is the one the host script writes and main.cf reads", () => {
    const script = readFileSync(join(__dirname, "../../configs/bin/mailfort-containment"), "utf8");
    expect(script).toContain(`"${SUSPENDED_MAP}"`);
    const { config } = loadStack("prod", { passphrase: "" });
    const main = renderHostFiles(config).find((f) => f.path === "/etc/postfix/main.cf")?.content ?? "";
    expect(main).toMatch(new RegExp(`^mailfort_submission_sender_restrictions = check_sasl_access texthash:${SUSPENDED_MAP},`, "m"));
  });
});
