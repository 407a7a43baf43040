// PTR for the Elastic IP = the mail hostname (receivers check forward-confirmed reverse DNS).
// AWS only accepts it once the hostname's A record points at the address, hence dependsOn.
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { TYPE_PREFIX } from "./tags";

export interface ReverseDnsArgs {
  allocationId: pulumi.Input<string>;
  hostname: pulumi.Input<string>;
  /** The Route53 records (at least the hostname's A record) that must exist first. */
  after: pulumi.Input<pulumi.Resource>[];
}

export class ReverseDns extends pulumi.ComponentResource {
  readonly ptrRecord: pulumi.Output<string>;

  constructor(name: string, args: ReverseDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:ReverseDns`, name, {}, opts);
    const ptr = new aws.ec2.EipDomainName(name, { allocationId: args.allocationId, domainName: args.hostname }, { parent: this, dependsOn: args.after });
    this.ptrRecord = ptr.ptrRecord;
    this.registerOutputs({ ptrRecord: this.ptrRecord });
  }
}
