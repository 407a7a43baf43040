// The dev stack with the opt-in post-deploy verification on: one test mailbox whose password is
// an encrypted stack secret, as `pulumi config set --secret` leaves it. Run through the entry
// point, it adds the @pulumi/command local Command the deploying machine runs after `pulumi up`.
import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { stackFilePath } from "../../infra/synth/in-process";
import { setStackSecret } from "../../infra/config";

export const VERIFY_PASSWORD = "entry-point-verify-Pa55word";

export function devWithPostDeployVerify(passphrase: string): string {
  const doc = parseDocument(readFileSync(stackFilePath("dev"), "utf8"));
  doc.setIn(["config", "mailfort:verifyAfterDeploy"], doc.createNode({
    enabled: true,
    onFailure: "report",
    mailboxes: [{ address: "admin@dev.example.com", passwordSecret: "admin-verify" }],
  }));
  return setStackSecret(doc.toString({ lineWidth: 0 }), passphrase, "mailfort:admin-verify", VERIFY_PASSWORD);
}
