// The account's GuardDuty detector in the stack's region, for monitoring.guardduty: create. A
// detector is one per account and region: exactly one stack (or the account owner) may own it;
// the others say `existing` and only route the findings (finding-alerts.ts).
// What it watches without any agent on the host: VPC flow logs, DNS queries through the VPC
// resolver and CloudTrail management events (GuardDuty reads them from AWS's side, whether or
// not the stack keeps flow logs of its own), plus EBS malware scans of the instance's volumes
// when a finding suggests malware. Runtime Monitoring is not enabled: it needs GuardDuty's agent
// on the host, whose automatic deployment goes through the SSM agent, which Debian does not package.
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { TYPE_PREFIX } from "./tags";

export interface GuardDutyDetectorArgs {
  readonly tags: Record<string, string>;
}

export class GuardDutyDetector extends pulumi.ComponentResource {
  readonly detectorId: pulumi.Output<string>;

  constructor(name: string, args: GuardDutyDetectorArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:GuardDutyDetector`, name, {}, opts);
    const detector = new aws.guardduty.Detector(name, {
      enable: true,
      // Updates of a finding that is still going on (new findings are published within minutes regardless).
      findingPublishingFrequency: "FIFTEEN_MINUTES",
      tags: args.tags,
    }, { parent: this });
    // Scans the instance's EBS volumes (from a snapshot, nothing runs on the host) when a finding
    // points at malware; billed per GB scanned.
    new aws.guardduty.DetectorFeature(`${name}-ebs-malware`, { detectorId: detector.id, name: "EBS_MALWARE_PROTECTION", status: "ENABLED" }, { parent: this });
    this.detectorId = detector.id;
    this.registerOutputs({ detectorId: this.detectorId });
  }
}
