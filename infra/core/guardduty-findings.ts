// Which GuardDuty findings page this stack's operator: the EventBridge event pattern, as data.
// A detector is per account and region and reports on everything in it; the rule picks out the
// findings about THIS server, by its instance id or by one of its public addresses (the Elastic
// IP outlives the instance: a finding about the address still matters after a replacement), or
// about the instance role's credentials (e.g. used from outside AWS: the finding's resource is
// then the access key, named by the role), from severity medium up. Low findings (port probes, scans) are the Internet's background noise
// for a server on port 25 and stay in the GuardDuty console.

/** GuardDuty's severity scale: 1.0-3.9 low, 4.0-6.9 medium, 7.0-8.9 high, 9.0-10.0 critical. */
export const MIN_FINDING_SEVERITY = 4;

export interface FindingTarget {
  readonly instanceId: string;
  /** The server's public IPv4 (the Elastic IP). */
  readonly publicIpv4: string;
  /** Its IPv6 address, when IPv6 is on. */
  readonly ipv6?: string;
  /** The instance role's name: findings about its session credentials name it as the user. */
  readonly roleName?: string;
}

/** An EventBridge pattern; arrays of objects in the event are matched element by element. */
export type EventPattern = { readonly [key: string]: EventPatternValue };
type EventPatternValue = readonly (string | number | { readonly numeric: readonly (string | number)[] })[] | EventPattern | readonly EventPattern[];

/**
 * GuardDuty findings (schema 2.0, as EventBridge delivers them: the finding is `detail`) of
 * severity >= MIN_FINDING_SEVERITY whose resource is this instance, whose instance details
 * list one of this server's public addresses on a network interface, or whose access key is the
 * instance role's.
 */
export function guardDutyFindingPattern(target: FindingTarget): EventPattern {
  if (!/^i-[0-9a-f]{8,17}$/.test(target.instanceId)) throw new Error(`internal: ${JSON.stringify(target.instanceId)} is not an EC2 instance id`);
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(target.publicIpv4)) throw new Error(`internal: ${JSON.stringify(target.publicIpv4)} is not an IPv4 address`);
  const others: EventPattern[] = [{ resource: { instanceDetails: { networkInterfaces: { publicIp: [target.publicIpv4] } } } }];
  if (target.ipv6 !== undefined) others.push({ resource: { instanceDetails: { networkInterfaces: { ipv6Addresses: [target.ipv6] } } } });
  if (target.roleName !== undefined) {
    if (!/^[\w+=,.@-]{1,64}$/.test(target.roleName)) throw new Error(`internal: ${JSON.stringify(target.roleName)} is not an IAM role name`);
    others.push({ resource: { accessKeyDetails: { userName: [target.roleName] } } });
  }
  return {
    source: ["aws.guardduty"],
    "detail-type": ["GuardDuty Finding"],
    detail: {
      severity: [{ numeric: [">=", MIN_FINDING_SEVERITY] }],
      $or: [{ resource: { instanceDetails: { instanceId: [target.instanceId] } } }, ...others],
    },
  };
}
