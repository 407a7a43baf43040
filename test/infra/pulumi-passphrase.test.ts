// The passphrase secrets format against Pulumi's own test vector, and the dev/prod stack files:
// their secure values open with the example passphrase into strong Dovecot hashes.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isStrongPasswordHash, parseStackFile } from "../../infra/config";
import { runSynth } from "../../infra/synth";
import { REPO_ROOT, loadStack } from "../../infra/synth/in-process";
import { decryptStackSecrets, decryptValue, encryptValue, keyFromEncryptionSalt, newEncryptionSalt, setStackSecret } from "../../infra/config/passphrase";

// From pulumi/pulumi pkg/secrets/passphrase/manager_test.go: the state of passphrase "password".
const PULUMI_TEST_STATE = "v1:fozI5u6B030=:v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ==";
const EXAMPLE_PASSPHRASE = "mailfort-example";

describe("Pulumi passphrase format", () => {
  it("opens Pulumi's own test state with its passphrase and refuses a wrong one", () => {
    expect(keyFromEncryptionSalt("password", PULUMI_TEST_STATE)).toHaveLength(32);
    expect(() => keyFromEncryptionSalt("password123", PULUMI_TEST_STATE)).toThrow(/incorrect passphrase/);
  }, 30_000);

  it("round-trips values, detects tampering, and makes states that verify", () => {
    const { encryptionsalt, key } = newEncryptionSalt("correct horse");
    expect(encryptionsalt).toMatch(/^v1:[A-Za-z0-9+/]{11}=:v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/=]+$/);
    expect(keyFromEncryptionSalt("correct horse", encryptionsalt).equals(key)).toBe(true);
    const sealed = encryptValue(key, "{BLF-CRYPT}$2b$10$x");
    expect(sealed).toMatch(/^v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/=]+$/);
    expect(decryptValue(key, sealed)).toBe("{BLF-CRYPT}$2b$10$x");
    const parts = sealed.split(":");
    const flipped = Buffer.from(parts[2] as string, "base64");
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => decryptValue(key, `v1:${parts[1]}:${flipped.toString("base64")}`)).toThrow();
  }, 30_000);

  it("sets a secret in a stack file keeping its comments and other keys", () => {
    const text = "# keep me\nconfig:\n  mailfort:region: eu-west-1 # and me\n";
    const out = setStackSecret(text, "pp", "mailfort:x-password", "hash-value");
    expect(out).toContain("# keep me");
    expect(out).toContain("# and me");
    expect(parseStackFile(out, "t").secretKeys.has("mailfort:x-password")).toBe(true);
    expect(decryptStackSecrets(out, "pp")).toEqual({ "mailfort:x-password": "hash-value" });
  }, 30_000);

  it("the CLI sets a secret from stdin into a stack file, and explains its usage when asked wrongly", () => {
    const dir = mkdtempSync(join(tmpdir(), "mailfort-passphrase-"));
    try {
      const file = join(dir, "Pulumi.t.yaml");
      writeFileSync(file, "# keep me\nconfig:\n  mailfort:region: eu-west-1\n");
      const tsx = join(REPO_ROOT, "node_modules", ".bin", "tsx");
      const cli = join(REPO_ROOT, "tools", "pulumi-passphrase.ts");
      const set = spawnSync(tsx, [cli, "set", file, "mailfort:y-password"], { input: "the-hash\n", encoding: "utf8", env: { ...process.env, PULUMI_CONFIG_PASSPHRASE: "pp" } });
      expect(set.status, set.stderr).toBe(0);
      const text = readFileSync(file, "utf8");
      expect(text).toContain("# keep me");
      expect(text).not.toContain("the-hash");
      expect(decryptStackSecrets(text, "pp")).toEqual({ "mailfort:y-password": "the-hash" });
      const usage = spawnSync(tsx, [cli, "get", file], { encoding: "utf8" });
      expect(usage.status).toBe(2);
      expect(usage.stderr).toContain("usage: PULUMI_CONFIG_PASSPHRASE=");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("the dev and prod stack files", () => {
  it.each([["dev", ["mailfort:admin-password"]], ["prod", ["mailfort:alice-password", "mailfort:bob-password"]]])(
    "%s: every secure value opens with the example passphrase into a strong hash",
    (stack, keys) => {
      const text = readFileSync(join(REPO_ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8");
      expect(text).not.toContain("REPLACED-BY-TOOL");
      const plain = decryptStackSecrets(text, EXAMPLE_PASSPHRASE);
      expect(Object.keys(plain).sort()).toEqual(keys);
      for (const v of Object.values(plain)) expect(isStrongPasswordHash(v)).toBe(true);
      const { file, config } = loadStack(stack, { passphrase: EXAMPLE_PASSPHRASE });
      expect(file.opaque).toEqual([]);
      expect(config.mailboxes.length).toBe(keys.length);
    },
    60_000,
  );

  it("synthesize with their real hashes when the passphrase is given", async () => {
    const r = await runSynth("dev", { passphrase: EXAMPLE_PASSPHRASE });
    expect(r.opaqueSecrets).toEqual([]);
    expect(r.parameters.filter((p) => p.name.includes("/mailboxes/")).map((p) => p.type)).toEqual(["SecureString"]);
  }, 180_000);
});
