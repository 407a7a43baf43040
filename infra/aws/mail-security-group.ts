// The instance's security group: exactly the mail ports in (never 22: admin access is SSM),
// exactly what the host needs out. Rules are inline so the group owns all of them and no stray
// rule attached elsewhere can widen it; the default allow-all egress is replaced.
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import type { PortRule } from "../core/ports";
import { TYPE_PREFIX } from "./tags";

export interface MailSecurityGroupArgs {
  vpcId: pulumi.Input<string>;
  inbound: readonly PortRule[];
  egress: readonly PortRule[];
  ipv6: boolean;
  tags: Record<string, string>;
}

export class MailSecurityGroup extends pulumi.ComponentResource {
  readonly securityGroupId: pulumi.Output<string>;

  constructor(name: string, args: MailSecurityGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:MailSecurityGroup`, name, {}, opts);
    const toRule = (r: PortRule) => ({
      protocol: r.protocol,
      fromPort: r.port,
      toPort: r.port,
      cidrBlocks: ["0.0.0.0/0"],
      ...(args.ipv6 ? { ipv6CidrBlocks: ["::/0"] } : {}),
      description: r.description,
    });
    const group = new aws.ec2.SecurityGroup(`${name}`, {
      vpcId: args.vpcId,
      description: "mailfort mail server: SMTP, submission, IMAPS (POP3S), HTTP(S); no SSH",
      ingress: args.inbound.map(toRule),
      egress: args.egress.map(toRule),
      revokeRulesOnDelete: true,
      tags: { ...args.tags, Name: name },
    }, { parent: this });
    this.securityGroupId = group.id;
    this.registerOutputs({ securityGroupId: this.securityGroupId });
  }
}
