// `npm run verify -- --host mail.example.com --domain example.com [...]`: probe a live mailfort
// server (a real deployment or the lab VM) from the outside and report one line per check.
// The options and the run are verify/cli.ts's; `--help` lists them.
import { runVerifyCli } from "../verify/cli";

runVerifyCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (e: unknown) => {
  process.stderr.write(`verify: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
