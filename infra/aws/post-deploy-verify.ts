// Opt-in post-deploy verification (mailfort:verifyAfterDeploy): after the server exists, a local
// command on the deployer's machine waits for it to boot and runs verify against it; the summary
// becomes the `verification` stack output. It re-runs when the instance is replaced or any DNS
// record changes (triggers), and on any change of its request (stdin) or command line.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { MailConfig } from "../config";
import type { DnsRecord } from "../core/dns";
import {
  type VerificationSummary, createCommand, mailboxEnvVar, parseSummary, postDeployRequest, recordsDigest,
} from "../core/post-deploy-verify";
import { TYPE_PREFIX } from "./tags";

export interface PostDeployVerifyArgs {
  config: MailConfig;
  /** The public IPv4 verify connects to (the Elastic IP). */
  address: pulumi.Input<string>;
  /** A new instance means a new boot to verify. */
  instanceId: pulumi.Input<string>;
  /** The record set the DNS must serve (verify --records). */
  records: pulumi.Input<DnsRecord[]>;
  /** tls.mode self-signed: the CA verify must trust. */
  caCertPem?: pulumi.Input<string>;
  /** Password per verifyAfterDeploy.mailboxes[].passwordSecret key, as secret outputs. */
  mailboxPasswords: Readonly<Record<string, pulumi.Input<string>>>;
  /** Run only once these exist (the whole MailServer: records, PTR, address association). */
  after: pulumi.Resource[];
}

export class PostDeployVerify extends pulumi.ComponentResource {
  readonly command: command.local.Command;
  readonly summary: pulumi.Output<VerificationSummary>;

  constructor(name: string, args: PostDeployVerifyArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:PostDeployVerify`, name, {}, opts);
    const cfg = args.config;
    const environment: Record<string, pulumi.Input<string>> = {};
    cfg.verifyAfterDeploy.mailboxes.forEach((m, i) => {
      const password = args.mailboxPasswords[m.passwordSecret];
      if (password === undefined) throw new Error(`internal: no password passed for ${m.passwordSecret}`);
      environment[mailboxEnvVar(i + 1)] = pulumi.secret(pulumi.interpolate`${m.address}:${password}`);
    });
    const records = pulumi.output(args.records);
    // The whole request travels on stdin (the records are too big for a command line).
    const stdin = pulumi.all([args.address, records, args.caCertPem]).apply(([address, r, caPem]) =>
      JSON.stringify(postDeployRequest(cfg, address, r, caPem)));

    this.command = new command.local.Command(`${name}-run`, {
      create: createCommand(),
      stdin,
      environment,
      // Re-run on a new instance (same Elastic IP, new boot) or a changed record set.
      triggers: [args.instanceId, records.apply(recordsDigest)],
      // The previous report is of no use to the next run; keep it out of the environment.
      addPreviousOutputInEnv: false,
    // A component's dependsOn does not hold back its children: the Command itself waits.
    }, { parent: this, dependsOn: args.after });

    // The runner blanks every password out of what it prints, so the summary is not secret even
    // though the command's inputs are (the provider would otherwise mark stdout secret too).
    this.summary = pulumi.unsecret(this.command.stdout).apply(parseSummary);
    this.registerOutputs({ summary: this.summary });
  }
}
