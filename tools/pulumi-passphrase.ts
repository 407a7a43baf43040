// Set one `secure:` value in a stack file without the Pulumi CLI, keeping the file's comments:
//   PULUMI_CONFIG_PASSPHRASE=... tsx tools/pulumi-passphrase.ts set <stack file> <namespace:key> < value
// The format (Pulumi's passphrase provider) lives in infra/config/passphrase.ts.
import { readFileSync, writeFileSync } from "node:fs";
import { setStackSecret } from "../infra/config";

function main(argv: string[]): number {
  const [command, file, configKey] = argv;
  const passphrase = process.env.PULUMI_CONFIG_PASSPHRASE;
  if (command !== "set" || file === undefined || configKey === undefined || passphrase === undefined) {
    console.error("usage: PULUMI_CONFIG_PASSPHRASE=... tsx tools/pulumi-passphrase.ts set <stack file> <namespace:key>  (value on stdin)");
    return 2;
  }
  const value = readFileSync(0, "utf8").replace(/\r?\n$/, "");
  writeFileSync(file, setStackSecret(readFileSync(file, "utf8"), passphrase, configKey, value));
  console.error(`set ${configKey} (secure) in ${file}`);
  return 0;
}

process.exit(main(process.argv.slice(2)));
