// Every mailfort policy, in the order the output and docs/policy-pack.md (generated from these
// objects) list them. Plain objects: the pack entry (index.ts) wraps them; tests and the offline
// runner call them directly.
import type { MailfortPolicy } from "./define";
import { caaPolicy, daneTlsaPolicy, dkimPolicy, dmarcPolicy, mtaStsPolicy, mxPolicy, ptrPolicy, spfPolicy, txtLengthPolicy } from "./policies/dns";
import { dovecotTlsPolicy, fail2banPolicy, hostFirewallPolicy, localServicesPolicy, postfixAuthTlsPolicy, postfixRateLimitPolicy, postfixRelayPolicy, postfixTlsPolicy, postfixVrfyPolicy } from "./policies/host";
import { iamInstanceScopePolicy, iamLeastPrivilegePolicy } from "./policies/iam";
import { dataVolumeRetainedPolicy, detailedMonitoringPolicy, imdsV2Policy, noKeyPairPolicy, volumeEncryptionPolicy } from "./policies/instance";
import { networkIngressPolicy } from "./policies/network";
import { noPlainSecretsPolicy, secureStringPolicy } from "./policies/secrets";

export const ALL_POLICIES: readonly MailfortPolicy[] = [
  networkIngressPolicy,
  imdsV2Policy, volumeEncryptionPolicy, dataVolumeRetainedPolicy, detailedMonitoringPolicy, noKeyPairPolicy,
  iamLeastPrivilegePolicy, iamInstanceScopePolicy,
  noPlainSecretsPolicy, secureStringPolicy,
  mxPolicy, spfPolicy, dkimPolicy, dmarcPolicy, mtaStsPolicy, caaPolicy, txtLengthPolicy, ptrPolicy, daneTlsaPolicy,
  postfixTlsPolicy, postfixAuthTlsPolicy, postfixRelayPolicy, postfixVrfyPolicy, postfixRateLimitPolicy, dovecotTlsPolicy, fail2banPolicy, hostFirewallPolicy, localServicesPolicy,
];

export function policyById(id: string): MailfortPolicy {
  const p = ALL_POLICIES.find((x) => x.name === id);
  if (!p) throw new Error(`no mailfort policy ${JSON.stringify(id)}; ids: ${ALL_POLICIES.map((x) => x.name).join(", ")}`);
  return p;
}
