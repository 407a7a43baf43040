// Secret references live in their own space, and no secret (nor the placeholder standing in for
// one) is ever printed; a decryption failure names its key.
import { beforeAll, describe, expect, it } from "vitest";
import { encryptValue, newEncryptionSalt } from "../../infra/config/passphrase";
import { type Cfg, edited, expectAccepted, expectRefused, goodConfig, stackText, title } from "../support/hostile-stack";
import { SECRET_REF_CASES, dedicatedKey, namesSetting, verifyRef } from "./hostile/secret-refs.cases";

describe("secret references and secrets in messages", () => {
  it("accepts the good stack (the control for every row)", () => {
    expect(expectAccepted(stackText(goodConfig())).config.environment).toBe("prod");
  });

  it.each(SECRET_REF_CASES.map((c) => [title(c), c] as const))("refuses %s", async (_t, c) => {
    await expectRefused(c);
  });

  it("keeps a referenced setting a setting: prod stays prod, so the policy pack judges DMARC as prod", async () => {
    const issues = await expectRefused({ name: "environment", file: edited(verifyRef("environment", false)), path: /passwordSecret$/, problem: namesSetting, fix: dedicatedKey });
    expect(issues.map((i) => i.path)).not.toContain("mailfort:environment");
  });
});

describe("decryption failures name the key and never print a secret", () => {
  const PASS = "hostile-passphrase";
  const OTHER = "another-stack";
  let salt = "";
  let good = "";
  let foreign = "";
  beforeAll(() => {
    const mine = newEncryptionSalt(PASS);
    salt = mine.encryptionsalt;
    good = encryptValue(mine.key, "{BLF-CRYPT}$2b$10$7F3KnM4AkwlVFTgLk3vc2OPrJRpagN5eg0Bge88bHeHcoU0v2ziBy");
    foreign = encryptValue(newEncryptionSalt(OTHER).key, "{BLF-CRYPT}$2b$10$7F3KnM4AkwlVFTgLk3vc2OPrJRpagN5eg0Bge88bHeHcoU0v2ziBy");
  }, 30_000);
  const file = (edit: (c: Cfg) => void) => {
    const c = goodConfig();
    c["mailfort:alice-password"] = { secure: good };
    c["mailfort:bob-password"] = { secure: good };
    edit(c);
    return stackText(c, { encryptionsalt: salt });
  };

  it("accepts the file with the right passphrase (the control)", () => {
    expect(expectAccepted(file(() => undefined), PASS).file.opaque).toEqual([]);
  }, 30_000);

  it("a value encrypted for another stack names its key", async () => {
    await expectRefused({ name: "foreign", file: file((c) => { c["mailfort:bob-password"] = { secure: foreign }; }), passphrase: PASS, path: "mailfort:bob-password", problem: /does not decrypt with this stack's key/, fix: /pulumi-passphrase\.ts set <stack file> mailfort:bob-password/ });
  }, 30_000);

  it("a truncated ciphertext names its key", async () => {
    await expectRefused({ name: "truncated", file: file((c) => { c["mailfort:alice-password"] = { secure: good.slice(0, 30) }; }), passphrase: PASS, path: "mailfort:alice-password", problem: /does not decrypt|not a well-formed/, fix: /set it again/ });
  }, 30_000);

  it("a wrong passphrase names the encryptionsalt", async () => {
    await expectRefused({ name: "wrong passphrase", file: file(() => undefined), passphrase: "not-it", path: "encryptionsalt", problem: /does not open with this passphrase/, fix: /PULUMI_CONFIG_PASSPHRASE/ });
  }, 30_000);

  it("a decrypted setting is refused without printing its value", async () => {
    const c = goodConfig();
    const key = newEncryptionSalt(PASS);
    c["mailfort:alice-password"] = { secure: encryptValue(key.key, "{BLF-CRYPT}$2b$10$7F3KnM4AkwlVFTgLk3vc2OPrJRpagN5eg0Bge88bHeHcoU0v2ziBy") };
    c["mailfort:bob-password"] = c["mailfort:alice-password"];
    c["mailfort:hostname"] = { secure: encryptValue(key.key, "Bad Host Name With Spaces") };
    await expectRefused({ name: "decrypted setting", file: stackText(c, { encryptionsalt: key.encryptionsalt }), passphrase: PASS, path: "mailfort:hostname", problem: /is a setting stored as a secret/, fix: /plain text/, neverShown: ["Bad Host Name"] });
  }, 30_000);
});

