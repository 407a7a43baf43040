// The policy pack keeps its own lists of what is allowed, on purpose: it judges the program's
// output and must not take the program's word for it. These tests hold each independent list
// in agreement with the product's, so a port added to one and not the other fails here.
import { describe, expect, it } from "vitest";
import { inboundPorts } from "../../infra/core/ports";
import { factsFromConfig } from "../../policy/facts";
import { ADMIN_PORTS, PLAINTEXT_MAIL_PORTS, allowedInboundPorts } from "../../policy/policies/network";
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
