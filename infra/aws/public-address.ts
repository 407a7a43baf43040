// A stable public IPv4 for the server: an Elastic IP, associated with the instance. The reverse
// name (PTR) is set separately once the forward A record exists (see ReverseDns).
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { TYPE_PREFIX } from "./tags";

export interface PublicAddressArgs {
  tags: Record<string, string>;
}

export class PublicAddress extends pulumi.ComponentResource {
  readonly allocationId: pulumi.Output<string>;
  readonly ipv4: pulumi.Output<string>;

  constructor(name: string, args: PublicAddressArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:PublicAddress`, name, {}, opts);
    // Kept across instance replacements: other servers' reputation data is tied to this address.
    const eip = new aws.ec2.Eip(name, { domain: "vpc", tags: { ...args.tags, Name: name } }, { parent: this });
    this.allocationId = eip.allocationId;
    this.ipv4 = eip.publicIp;
    this.registerOutputs({ allocationId: this.allocationId, ipv4: this.ipv4 });
  }
}

export interface AddressAssociationArgs {
  allocationId: pulumi.Input<string>;
  instanceId: pulumi.Input<string>;
}

export class AddressAssociation extends pulumi.ComponentResource {
  constructor(name: string, args: AddressAssociationArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:AddressAssociation`, name, {}, opts);
    new aws.ec2.EipAssociation(name, { allocationId: args.allocationId, instanceId: args.instanceId }, { parent: this });
    this.registerOutputs({});
  }
}
