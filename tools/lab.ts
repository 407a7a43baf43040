// `npm run lab`: boot the synthesized mailfort server in a local Debian 13 VM on a closed
// network and verify it end to end. Subcommands: run (default), up, down, hosts.
import { Command } from "commander";
import { labHostsInfo } from "../lab/hosts";
import { networkDown, networkUp } from "../lab/net/network";

function log(line: string): void {
  process.stderr.write(`[lab ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function requireRoot(): void {
  if (process.getuid && process.getuid() !== 0) {
    throw new Error("the lab creates network namespaces and runs qemu: run it as root (sudo npm run lab)");
  }
}

const program = new Command("lab").description("the mailfort lab: a local VM on a closed network, verified end to end");

program
  .command("hosts")
  .description("print the lab hosts, namespaces, addresses, domains, test mailboxes and CA path as JSON")
  .action(() => {
    process.stdout.write(`${JSON.stringify(labHostsInfo(), null, 2)}\n`);
  });

program
  .command("net-up")
  .description("create only the closed network (namespaces, bridge, veths, tap)")
  .action(() => {
    requireRoot();
    networkUp(log);
  });

program
  .command("down")
  .description("stop everything the lab started and delete its namespaces")
  .action(() => {
    requireRoot();
    networkDown(log);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  log(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
