// Instance: the VM and its disks. The instance is cattle (replaced on user-data change); the
// data volume holds the mail and must outlive it.
import type { PolicyResourceOptions } from "@pulumi/policy";
import { asArray, field, resourcePolicy } from "../define";

export const INSTANCE = "aws:ec2/instance:Instance";
export const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
export const VOLUME = "aws:ebs/volume:Volume";

/** CrossGuard's options, plus retainOnDelete where the runner can see it (the offline synth can; the CLI does not send it). */
export type ResourceOptionsSeen = PolicyResourceOptions & { readonly retainOnDelete?: boolean };

export const imdsV2Policy = resourcePolicy({
  name: "instance-imdsv2",
  area: "instance",
  description: "The instance metadata service requires session tokens (IMDSv2) with a hop limit of 1.",
  why: "IMDSv1 hands the instance role's credentials to any SSRF or proxied request; hop limit 1 keeps them away from containers and forwarded packets.",
  types: [INSTANCE, LAUNCH_TEMPLATE],
  check: (props, report) => {
    const md = props.metadataOptions;
    if (field(md, "httpEndpoint") === "disabled") return; // no metadata service at all is stricter still
    if (field(md, "httpTokens") !== "required") report(`metadataOptions.httpTokens is ${JSON.stringify(field(md, "httpTokens") ?? "unset (optional)")}; set it to "required" (IMDSv2)`);
    const hop = Number(field(md, "httpPutResponseHopLimit"));
    if (hop !== 1) report(`metadataOptions.httpPutResponseHopLimit is ${Number.isNaN(hop) ? "unset" : hop}; set it to 1`);
  },
});

export const volumeEncryptionPolicy = resourcePolicy({
  name: "instance-volume-encryption",
  area: "instance",
  description: "The root volume and every EBS volume are encrypted.",
  why: "Mailboxes, queue and keys at rest: an unencrypted volume or snapshot leaks all mail to anyone who gets a copy.",
  types: [INSTANCE, VOLUME],
  check: (props, report, { args }) => {
    if (args.type === VOLUME) {
      if (props.encrypted !== true) report("EBS volume is not encrypted; set encrypted: true");
      return;
    }
    if (field(props.rootBlockDevice, "encrypted") !== true) report("rootBlockDevice.encrypted is not true; encrypt the root volume");
    for (const [i, d] of asArray(props.ebsBlockDevices).entries()) {
      if (field(d, "encrypted") !== true) report(`ebsBlockDevices[${i}] is not encrypted; set encrypted: true`);
    }
  },
});

/** The data volume is the one EBS volume the stack creates (the instance's root is inline). */
export const dataVolumeRetainedPolicy = resourcePolicy({
  name: "instance-data-volume-retained",
  area: "instance",
  description: "The data volume (mail, queue, Rspamd/Redis state, ACME account) is protected and retained on delete.",
  why: "A mistaken `pulumi destroy`, a rename or a replacement must never delete the only copy of everyone's mail.",
  types: [VOLUME],
  check: (_props, report, { args }) => {
    const opts = args.opts as ResourceOptionsSeen;
    if (opts.protect !== true) report("is not protected; create it with { protect: true }");
    // The CLI does not send retainOnDelete to policy packs; where it is visible it must be true.
    if ("retainOnDelete" in opts && opts.retainOnDelete !== true) report("is not retained on delete; create it with { retainOnDelete: true }");
  },
});

export const detailedMonitoringPolicy = resourcePolicy({
  name: "instance-detailed-monitoring",
  area: "instance",
  description: "Detailed (1-minute) CloudWatch monitoring is on.",
  why: "Alarms on CPU, status checks and network need 1-minute data to catch a spam run or a hung host before users do.",
  types: [INSTANCE],
  check: (props, report) => {
    if (props.monitoring !== true) report("monitoring is not true; enable detailed monitoring");
  },
});

export const noKeyPairPolicy = resourcePolicy({
  name: "instance-no-key-pair",
  area: "instance",
  description: "No EC2 key pair is attached (relax with a reason for a break-glass key).",
  why: "A key pair is an SSH credential that lives outside the stack; admin access is SSM Session Manager, audited and IAM-controlled.",
  types: [INSTANCE, LAUNCH_TEMPLATE],
  check: (props, report) => {
    if (typeof props.keyName === "string" && props.keyName !== "") report(`key pair ${JSON.stringify(props.keyName)} is attached; remove keyName (use SSM Session Manager)`);
  },
});
