// Every mailfort policy, in the order the output and docs/policy-pack.md (generated from these
// objects) list them. Plain objects: the pack entry (index.ts) wraps them; tests and the offline
// runner call them directly.
import type { MailfortPolicy } from "./define";
import { dkimRotationPolicy } from "./policies/dkim-rotation";
import { caaPolicy, daneTlsaPolicy, dkimPolicy, dmarcPolicy, mtaStsPolicy, mxPolicy, ptrPolicy, spfPolicy, txtLengthPolicy } from "./policies/dns";
import { dovecotAuthDelayPolicy, dovecotTlsPolicy, fail2banPolicy, hostFirewallPolicy, localServicesPolicy, postfixAuthTlsPolicy, postfixRateLimitPolicy, postfixRelayPolicy, postfixTlsPolicy, postfixVrfyPolicy } from "./policies/host";
import { hostBundlePinnedPolicy } from "./policies/host-bundle";
import { iamInstanceScopePolicy, iamLeastPrivilegePolicy } from "./policies/iam";
import { dataVolumeRestorePolicy } from "./policies/data-volume";
import { dataVolumeRetainedPolicy, detailedMonitoringPolicy, imdsV2Policy, noKeyPairPolicy, volumeEncryptionPolicy } from "./policies/instance";
import { containmentPolicy } from "./policies/containment";
import { srvPolicy } from "./policies/dns-srv";
import { networkEgressPolicy } from "./policies/egress";
import { fail2banSettingsPolicy, localListsPolicy, unattendedUpgradesPolicy } from "./policies/host-hygiene";
import { alarmActionsPolicy, backupAlarmsPolicy, flowLogsPolicy, guardDutyPolicy, hostMetricAlarmsPolicy } from "./policies/monitoring";
import { networkIngressPolicy } from "./policies/network";
import { outboundTlsPolicy } from "./policies/outbound-tls";
import { postfixContentFilterPolicy, postfixMessageLimitsPolicy, postfixSenderLoginPolicy, postscreenDnsblPolicy } from "./policies/postfix-model";
import { reportsPipePolicy } from "./policies/reports";
import { tlsReportsPolicy } from "./policies/tlsrpt";
import { rspamdOutboundLimitPolicy, rspamdReputationPolicy } from "./policies/rspamd";
import { noPlainSecretsPolicy, noSecretsInHostBundlePolicy, secureStringPolicy } from "./policies/secrets";
import { tlsCiphersPolicy, tlsServerCipherOrderPolicy } from "./policies/tls-ciphers";
import { appPasswordsPolicy, webmailSecondFactorPolicy, webmailTlsPolicy } from "./policies/webmail";

export const ALL_POLICIES: readonly MailfortPolicy[] = [
  networkIngressPolicy, networkEgressPolicy,
  imdsV2Policy, volumeEncryptionPolicy, dataVolumeRetainedPolicy, dataVolumeRestorePolicy, detailedMonitoringPolicy, noKeyPairPolicy,
  iamLeastPrivilegePolicy, iamInstanceScopePolicy,
  noPlainSecretsPolicy, noSecretsInHostBundlePolicy, secureStringPolicy,
  mxPolicy, spfPolicy, dkimPolicy, dkimRotationPolicy, dmarcPolicy, mtaStsPolicy, caaPolicy, txtLengthPolicy, ptrPolicy, daneTlsaPolicy, srvPolicy,
  hostBundlePinnedPolicy, postfixTlsPolicy, postfixAuthTlsPolicy, postfixRelayPolicy, postfixVrfyPolicy, postfixRateLimitPolicy,
  postfixMessageLimitsPolicy, postfixContentFilterPolicy, postfixSenderLoginPolicy, containmentPolicy, reportsPipePolicy, postscreenDnsblPolicy,
  outboundTlsPolicy, tlsReportsPolicy, tlsServerCipherOrderPolicy, tlsCiphersPolicy, dovecotTlsPolicy, dovecotAuthDelayPolicy,
  fail2banPolicy, fail2banSettingsPolicy, hostFirewallPolicy, localServicesPolicy,
  rspamdOutboundLimitPolicy, rspamdReputationPolicy, unattendedUpgradesPolicy, localListsPolicy,
  webmailTlsPolicy, webmailSecondFactorPolicy, appPasswordsPolicy,
  flowLogsPolicy, guardDutyPolicy, alarmActionsPolicy, hostMetricAlarmsPolicy, backupAlarmsPolicy,
];

export function policyById(id: string): MailfortPolicy {
  const p = ALL_POLICIES.find((x) => x.name === id);
  if (!p) throw new Error(`no mailfort policy ${JSON.stringify(id)}; ids: ${ALL_POLICIES.map((x) => x.name).join(", ")}`);
  return p;
}
