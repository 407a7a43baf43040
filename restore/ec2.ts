// The EC2 calls the restore tools make, as one small interface: the AWS SDK v3 client behind it
// for real, a fake in the tests (and, later, the lab's AWS emulator). Each method is exactly one
// API action, so the offline plan and the calls made can be told apart by name.
import {
  DescribeImagesCommand, type DescribeImagesCommandInput, type DescribeImagesCommandOutput,
  DescribeInstancesCommand, type DescribeInstancesCommandInput, type DescribeInstancesCommandOutput,
  DescribeSecurityGroupsCommand, type DescribeSecurityGroupsCommandInput, type DescribeSecurityGroupsCommandOutput,
  DescribeSnapshotsCommand, type DescribeSnapshotsCommandInput, type DescribeSnapshotsCommandOutput,
  DescribeSubnetsCommand, type DescribeSubnetsCommandInput, type DescribeSubnetsCommandOutput,
  DescribeVolumesCommand, type DescribeVolumesCommandInput, type DescribeVolumesCommandOutput,
  EC2Client,
  GetConsoleOutputCommand, type GetConsoleOutputCommandInput, type GetConsoleOutputCommandOutput,
  RunInstancesCommand, type RunInstancesCommandInput, type RunInstancesCommandOutput,
  TerminateInstancesCommand, type TerminateInstancesCommandInput, type TerminateInstancesCommandOutput,
} from "@aws-sdk/client-ec2";

export interface Ec2Api {
  describeSnapshots(i: DescribeSnapshotsCommandInput): Promise<DescribeSnapshotsCommandOutput>;
  describeImages(i: DescribeImagesCommandInput): Promise<DescribeImagesCommandOutput>;
  describeSubnets(i: DescribeSubnetsCommandInput): Promise<DescribeSubnetsCommandOutput>;
  describeSecurityGroups(i: DescribeSecurityGroupsCommandInput): Promise<DescribeSecurityGroupsCommandOutput>;
  runInstances(i: RunInstancesCommandInput): Promise<RunInstancesCommandOutput>;
  describeInstances(i: DescribeInstancesCommandInput): Promise<DescribeInstancesCommandOutput>;
  getConsoleOutput(i: GetConsoleOutputCommandInput): Promise<GetConsoleOutputCommandOutput>;
  terminateInstances(i: TerminateInstancesCommandInput): Promise<TerminateInstancesCommandOutput>;
  describeVolumes(i: DescribeVolumesCommandInput): Promise<DescribeVolumesCommandOutput>;
}

export function sdkEc2(region: string): { api: Ec2Api; hasCredentials(): Promise<boolean> } {
  const client = new EC2Client({ region });
  return {
    api: {
      describeSnapshots: (i) => client.send(new DescribeSnapshotsCommand(i)),
      describeImages: (i) => client.send(new DescribeImagesCommand(i)),
      describeSubnets: (i) => client.send(new DescribeSubnetsCommand(i)),
      describeSecurityGroups: (i) => client.send(new DescribeSecurityGroupsCommand(i)),
      runInstances: (i) => client.send(new RunInstancesCommand(i)),
      describeInstances: (i) => client.send(new DescribeInstancesCommand(i)),
      getConsoleOutput: (i) => client.send(new GetConsoleOutputCommand(i)),
      terminateInstances: (i) => client.send(new TerminateInstancesCommand(i)),
      describeVolumes: (i) => client.send(new DescribeVolumesCommand(i)),
    },
    // The SDK's default chain (environment, profile, SSO, instance role): none found means offline.
    hasCredentials: async () => {
      try {
        await client.config.credentials();
        return true;
      } catch {
        return false;
      }
    },
  };
}
