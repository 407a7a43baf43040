// Where the instance lives: either its own small VPC with one public subnet (and IPv6 when on),
// or an existing public subnet the admin names. Mail needs a public address, so no NAT.
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { TYPE_PREFIX } from "./tags";

export interface NetworkArgs {
  /** An existing public subnet; when set, nothing is created. */
  existingSubnetId?: pulumi.Input<string>;
  vpcCidr: pulumi.Input<string>;
  /** Defaults to the region's first available zone. */
  availabilityZone?: pulumi.Input<string>;
  ipv6: boolean;
  tags: Record<string, string>;
}

export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly subnetId: pulumi.Output<string>;
  readonly availabilityZone: pulumi.Output<string>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:Network`, name, {}, opts);
    if (args.existingSubnetId !== undefined) {
      const subnet = aws.ec2.getSubnetOutput({ id: args.existingSubnetId }, { parent: this });
      this.vpcId = subnet.vpcId;
      this.subnetId = subnet.id;
      this.availabilityZone = subnet.availabilityZone;
    } else {
      const az = args.availabilityZone !== undefined
        ? pulumi.output(args.availabilityZone)
        : aws.getAvailabilityZonesOutput({ state: "available" }, { parent: this }).names.apply((names) => {
          const first = names[0];
          if (first === undefined) throw new Error("the region reports no available zone: set mailfort:network.availabilityZone");
          return first;
        });
      const vpc = new aws.ec2.Vpc(`${name}-vpc`, {
        cidrBlock: args.vpcCidr,
        enableDnsSupport: true,
        enableDnsHostnames: true,
        assignGeneratedIpv6CidrBlock: args.ipv6,
        tags: { ...args.tags, Name: `${name}-vpc` },
      }, { parent: this });
      const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { ...args.tags, Name: `${name}-igw` } }, { parent: this });
      const subnet = new aws.ec2.Subnet(`${name}-public`, {
        vpcId: vpc.id,
        cidrBlock: args.vpcCidr,
        availabilityZone: az,
        // The instance gets an Elastic IP (stable address, PTR); no automatic public IPv4.
        mapPublicIpOnLaunch: false,
        ...(args.ipv6 ? { ipv6CidrBlock: vpc.ipv6CidrBlock.apply(firstSlash64), assignIpv6AddressOnCreation: true } : {}),
        tags: { ...args.tags, Name: `${name}-public` },
      }, { parent: this });
      const routes: aws.types.input.ec2.RouteTableRoute[] = [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }];
      if (args.ipv6) routes.push({ ipv6CidrBlock: "::/0", gatewayId: igw.id });
      const table = new aws.ec2.RouteTable(`${name}-public`, { vpcId: vpc.id, routes, tags: { ...args.tags, Name: `${name}-public` } }, { parent: this });
      new aws.ec2.RouteTableAssociation(`${name}-public`, { subnetId: subnet.id, routeTableId: table.id }, { parent: this });
      this.vpcId = vpc.id;
      this.subnetId = subnet.id;
      this.availabilityZone = subnet.availabilityZone;
    }
    this.registerOutputs({ vpcId: this.vpcId, subnetId: this.subnetId, availabilityZone: this.availabilityZone });
  }
}

/** The first /64 of the VPC's Amazon-provided /56 (e.g. 2600:1f18:a:b00::/56 -> 2600:1f18:a:b00::/64). */
function firstSlash64(vpcCidr: string): string {
  const m = /^([0-9a-f:]+)::\/56$/i.exec(vpcCidr);
  if (m === null) throw new Error(`unexpected VPC IPv6 block ${JSON.stringify(vpcCidr)}: expected an Amazon-provided /56`);
  return `${m[1]}::/64`;
}
