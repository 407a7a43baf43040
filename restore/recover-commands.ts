// Bringing the mail that arrived after the snapshot over, once `pulumi up` has restored: attach
// the previous volume to the new instance, run configs/bin/mailfort-recover there through SSM
// Run Command (the instance role has AmazonSSMManagedInstanceCore; there is no SSH), read what
// it did, detach the volume again. As commands for an operator, and the Run Command parameters
// file (the script inline, so nothing has to be on the host already).
import { readFileSync } from "node:fs";
import { join } from "node:path";

const SCRIPT = join(__dirname, "..", "configs", "bin", "mailfort-recover");
const INSTALLED = "/usr/local/sbin/mailfort-recover";
const END = "MAILFORT_RECOVER_EOF";

export interface RecoverInput {
  readonly region: string;
  readonly instanceId: string;
  readonly previousVolumeId: string;
  /** The snapshot's StartTime (ISO 8601). */
  readonly since: string;
  /** How the instance sees the attached volume; default: the Nitro NVMe name of previousVolumeId. */
  readonly device?: string;
}

/** How a Nitro instance names an attached EBS volume: its NVMe serial is the volume id. */
export function nvmeDevice(volumeId: string): string {
  return `/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${volumeId.replace("-", "")}`;
}

/** AWS-RunShellScript's parameters: install the script, wait for the disk, run it. */
export function recoverParameters(r: RecoverInput): { commands: string[]; executionTimeout: string[] } {
  const script = readFileSync(SCRIPT, "utf8");
  if (script.split("\n").includes(END)) throw new Error(`mailfort-recover contains its own heredoc end marker ${END}`);
  const dev = r.device ?? nvmeDevice(r.previousVolumeId);
  return {
    commands: [
      `cat > ${INSTALLED} <<'${END}'`, ...script.trimEnd().split("\n"), END,
      `chmod 0755 ${INSTALLED}`,
      `for i in $(seq 60); do [ -b ${dev} ] && break; sleep 5; done`,
      `${INSTALLED} ${dev} ${r.since}`,
    ],
    executionTimeout: ["7200"],
  };
}

export function recoverCommands(r: RecoverInput, paramsFile: string): string[] {
  const g = `--region ${r.region}`;
  return [
    `aws ec2 attach-volume ${g} --volume-id ${r.previousVolumeId} --instance-id ${r.instanceId} --device /dev/sdg`,
    `aws ec2 wait volume-in-use ${g} --volume-ids ${r.previousVolumeId}`,
    `aws ssm send-command ${g} --instance-ids ${r.instanceId} --document-name AWS-RunShellScript --comment "mailfort-recover" --parameters file://${paramsFile} --query Command.CommandId --output text`,
    `aws ssm get-command-invocation ${g} --instance-id ${r.instanceId} --command-id <command-id> --query '[Status,StandardOutputContent,StandardErrorContent]'   # until Status is Success`,
    `aws ec2 detach-volume ${g} --volume-id ${r.previousVolumeId}`,
    `aws ec2 wait volume-available ${g} --volume-ids ${r.previousVolumeId}`,
  ];
}
