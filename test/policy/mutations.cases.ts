// One insecure change at a time to a good synthesized graph, the way a careless edit (or an
// attacker with write access to the stack) would make it: the instance, its volumes, the
// security group in both directions, IAM, SSM, every kind of DNS record mailfort publishes, and
// each security-relevant line of every host file. Each row names the mandatory policy that must
// catch it and the message it must give.
import type { StackName } from "./graphs";
import { type Graph, editHostFile, editRolePolicy, editStatements, find, inputs, record, removeRecord, setLine, setOpts } from "./mutate";


export interface Mutation {
  readonly id: string;
  readonly stack: StackName;
  readonly bad: string;
  readonly mutate: (g: Graph) => void;
  readonly expect: RegExp;
}

const SG = "aws:ec2/securityGroup:SecurityGroup";
const INSTANCE = "aws:ec2/instance:Instance";
const VOLUME = "aws:ebs/volume:Volume";
const PARAMETER = "aws:ssm/parameter:Parameter";
const MAIN_CF = "/etc/postfix/main.cf";
const MASTER_CF = "/etc/postfix/master.cf";
const DOVECOT = "/etc/dovecot/dovecot.conf";
const JAILS = "/etc/fail2ban/jail.local";
const NGINX = "/etc/nginx/conf.d/mailfort.conf";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const dlmAlarm = (metric: string) => (r: { type: string; inputs: Record<string, unknown> }) => r.type === ALARM && r.inputs.namespace === "AWS/EBS" && r.inputs.metricName === metric;
const hostAlarm = (metric: string) => (r: { type: string; inputs: Record<string, unknown> }) => r.type === ALARM && r.inputs.namespace === "mailfort" && r.inputs.metricName === metric;
const CBC_AND_DHE = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA:DHE-RSA-AES256-GCM-SHA384";

const mainCf = (re: RegExp, line: string) => (g: Graph) => editHostFile(g, MAIN_CF, setLine(re, line));
const dropMainCf = (key: string) => mainCf(new RegExp(`^${key} = .*\\n`, "m"), "");
const submission = (line: string) => (g: Graph) => editHostFile(g, MASTER_CF, setLine(/^(submission inet.*)$/m, `$1\n  ${line}`));
const egress = (rule: Record<string, unknown>) => (g: Graph) => {
  (inputs(g, SG).egress as unknown[]).push({ cidrBlocks: ["0.0.0.0/0"], ...rule });
};
const ingress = (rule: Record<string, unknown>) => (g: Graph) => {
  (inputs(g, SG).ingress as unknown[]).push({ cidrBlocks: ["0.0.0.0/0"], ...rule });
};
const list = (name: string, value: unknown) => (g: Graph) => {
  inputs(g, PARAMETER, (r) => String(r.inputs.name).endsWith(`/lists/${name}`)).value = JSON.stringify(value);
};
const srv = (name: string, value: string) => (g: Graph) => {
  record(g, name, "SRV").records = [value];
};

export const MUTATIONS: readonly Mutation[] = [
  // The instance and its volumes.
  { id: "instance-imdsv2", stack: "dev", bad: "IMDSv2 with a hop limit of 2 (containers reach the role)", mutate: (g) => { (inputs(g, INSTANCE).metadataOptions as Record<string, unknown>).httpPutResponseHopLimit = 2; }, expect: /httpPutResponseHopLimit is 2; set it to 1/ },
  { id: "instance-imdsv2", stack: "lab", bad: "metadata options removed (IMDSv1 default)", mutate: (g) => { delete inputs(g, INSTANCE).metadataOptions; }, expect: /httpTokens is "unset \(optional\)"/ },
  { id: "instance-no-key-pair", stack: "dev", bad: "an EC2 key pair", mutate: (g) => { inputs(g, INSTANCE).keyName = "break-glass"; }, expect: /key pair "break-glass" is attached/ },
  { id: "instance-detailed-monitoring", stack: "prod", bad: "detailed monitoring off", mutate: (g) => { inputs(g, INSTANCE).monitoring = false; }, expect: /monitoring is not true/ },
  { id: "instance-volume-encryption", stack: "lab", bad: "data volume encryption removed", mutate: (g) => { delete inputs(g, VOLUME).encrypted; }, expect: /EBS volume is not encrypted/ },
  { id: "instance-volume-encryption", stack: "dev", bad: "root volume encryption removed", mutate: (g) => { delete (inputs(g, INSTANCE).rootBlockDevice as Record<string, unknown>).encrypted; }, expect: /rootBlockDevice\.encrypted is not true/ },
  { id: "instance-data-volume-retained", stack: "lab", bad: "data volume neither protected", mutate: (g) => setOpts(g, VOLUME, { protect: false }), expect: /is not protected/ },
  // The security group, inbound.
  { id: "network-ingress", stack: "prod", bad: "RDP open", mutate: ingress({ protocol: "tcp", fromPort: 3389, toPort: 3389 }), expect: /opens RDP port 3389/ },
  { id: "network-ingress", stack: "dev", bad: "every TCP port open", mutate: ingress({ protocol: "tcp", fromPort: 0, toPort: 65535 }), expect: /opens SSH port 22/ },
  { id: "network-ingress", stack: "lab", bad: "the Rspamd controller open", mutate: ingress({ protocol: "tcp", fromPort: 11334, toPort: 11334 }), expect: /Rspamd controller port 11334/ },
  // The security group, outbound.
  { id: "network-egress", stack: "prod", bad: "all protocols out to the world", mutate: egress({ protocol: "-1", fromPort: 0, toPort: 0 }), expect: /egress allows ALL protocols and ports to 0\.0\.0\.0\/0/ },
  { id: "network-egress", stack: "dev", bad: "every TCP port out", mutate: egress({ protocol: "tcp", fromPort: 0, toPort: 65535 }), expect: /egress tcp\/0-65535 .* opens a port range/ },
  { id: "network-egress", stack: "lab", bad: "IRC out (a botnet's channel)", mutate: egress({ protocol: "tcp", fromPort: 6667, toPort: 6667 }), expect: /egress tcp\/6667 to 0\.0\.0\.0\/0 is not something the host needs/ },
  { id: "network-egress", stack: "dev", bad: "SSH out", mutate: egress({ protocol: "tcp", fromPort: 22, toPort: 22 }), expect: /egress tcp\/22 .* is not something the host needs/ },
  { id: "network-egress", stack: "prod", bad: "all UDP out", mutate: egress({ protocol: "udp", fromPort: 0, toPort: 65535 }), expect: /egress udp\/0-65535/ },
  { id: "network-egress", stack: "lab", bad: "an extra egress rule resource for all traffic", mutate: (g) => { g.push({ type: "aws:ec2/securityGroupRule:SecurityGroupRule", name: "extra-egress", inputs: { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], securityGroupId: "sg-1" } }); }, expect: /egress allows ALL protocols/ },
  // IAM.
  { id: "iam-least-privilege", stack: "lab", bad: "s3:* on every bucket", mutate: (g) => editRolePolicy(g, (d) => { d.Statement.push({ Effect: "Allow", Action: "s3:*", Resource: "*" }); }), expect: /allows action "s3:\*"/ },
  { id: "iam-least-privilege", stack: "dev", bad: "PowerUserAccess attached", mutate: (g) => { inputs(g, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").policyArn = "arn:aws:iam::aws:policy/PowerUserAccess"; }, expect: /attaches managed policy arn:aws:iam::aws:policy\/PowerUserAccess/ },
  { id: "iam-instance-scope", stack: "lab", bad: "reads every parameter of the account", mutate: (g) => editStatements(g, (st) => st.Sid === "ReadOwnStackParameters" && Boolean(st.Resource = "arn:aws:ssm:eu-west-1:123456789012:parameter/*")), expect: /reaches arn:aws:ssm:eu-west-1:123456789012:parameter\/\*/ },
  // SSM.
  { id: "secrets-securestring", stack: "dev", bad: "a mailbox hash parameter as a plain String", mutate: (g) => { inputs(g, PARAMETER, (r) => /\/mailboxes?\//.test(String(r.inputs.name)) || /passwd|password/.test(String(r.inputs.name))).type = "String"; }, expect: /holds secret material by the parameter contract but is "String"/ },
  { id: "host-local-lists", stack: "prod", bad: "an allow list of the whole Internet in SSM", mutate: list("allow-ips", ["203.0.113.0/24", "0.0.0.0/0"]), expect: /lists\/allow-ips holds 0\.0\.0\.0\/0: the whole Internet would be trusted/ },
  { id: "host-local-lists", stack: "lab", bad: "a block list of the whole IPv6 Internet in SSM", mutate: list("block-ips", ["::/0"]), expect: /lists\/block-ips holds ::\/0: the whole Internet would be refused/ },
  // DNS, every record kind.
  { id: "dns-mx", stack: "prod", bad: "MX pointing at another host", mutate: (g) => { record(g, "example.com", "MX").records = ["10 mx.attacker.example."]; }, expect: /MX points at mx\.attacker\.example, not the mail host/ },
  { id: "dns-spf", stack: "dev", bad: "SPF +all", mutate: (g) => { record(g, "dev.example.com", "TXT").records = ['"v=spf1 mx +all"']; }, expect: /does not end in -all/ },
  { id: "dns-spf", stack: "prod", bad: "a second SPF record", mutate: (g) => { record(g, "example.com", "TXT").records = [...(record(g, "example.com", "TXT").records as string[]), '"v=spf1 a -all"']; }, expect: /has 2 SPF records/ },
  { id: "dns-dkim-rotation", stack: "dev", bad: "the host signs with a selector never published", mutate: (g) => { const p = inputs(g, "aws:ssm/parameter:Parameter", (r) => r.inputs.name === "/mailfort/dev/dkim-signing"); p.value = String(p.value).replace('"dev.example.com":"mail"', '"dev.example.com":"mail-g1"'); }, expect: /signs with selector mail-g1, but mail-g1\._domainkey\.dev\.example\.com is not published/ },
  { id: "dns-dkim-rotation", stack: "prod", bad: "the signing key's record revoked", mutate: (g) => { record(g, "mail._domainkey.example.com", "TXT").records = ['"v=DKIM1; p="']; }, expect: /signs with selector mail, but mail\._domainkey\.example\.com is revoked/ },
  { id: "dns-dkim", stack: "prod", bad: "no DKIM key for the selector", mutate: (g) => removeRecord(g, "mail._domainkey.example.com", "TXT"), expect: /has no DKIM record at mail\._domainkey\.example\.com/ },
  { id: "dns-dmarc", stack: "prod", bad: "DMARC quarantine in production", mutate: (g) => { record(g, "_dmarc.example.com", "TXT").records = ['"v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@example.com"']; }, expect: /p=reject/ },
  { id: "dns-dmarc", stack: "lab", bad: "DMARC sp=none", mutate: (g) => { record(g, "_dmarc.mailfort.test", "TXT").records = ['"v=DMARC1; p=reject; sp=none; rua=mailto:postmaster@mailfort.test"']; }, expect: /sp=none/ },
  { id: "dns-mta-sts-tlsrpt", stack: "dev", bad: "TLS-RPT without rua", mutate: (g) => { record(g, "_smtp._tls.dev.example.com", "TXT").records = ['"v=TLSRPTv1"']; }, expect: /v=TLSRPTv1; rua=mailto/ },
  { id: "dns-caa", stack: "lab", bad: "CAA without an issue property", mutate: (g) => { record(g, "mailfort.test", "CAA").records = ['0 iodef "mailto:postmaster@mailfort.test"']; }, expect: /has no CAA "issue" record/ },
  { id: "dns-dnssec-dane", stack: "prod", bad: "TLSA with the wrong usage (PKIX-TA)", mutate: (g) => { const r = record(g, "_25._tcp.mail.example.com", "TLSA"); r.records = [String((r.records as string[])[0]).replace(/^3 1 1/, "0 1 1")]; }, expect: /use DANE-EE SPKI SHA-256/ },
  { id: "dns-ptr-hostname", stack: "dev", bad: "the mail host's A record removed", mutate: (g) => removeRecord(g, "mail.dev.example.com", "A"), expect: /has no A record|no A record/ },
  { id: "dns-srv-tls-only", stack: "prod", bad: "SRV advertising plaintext IMAP on 143", mutate: srv("_imap._tcp.example.com", "0 1 143 mail.example.com."), expect: /_imap\._tcp\.example\.com: SRV "0 1 143 mail\.example\.com\." offers a service mailfort keeps closed/ },
  { id: "dns-srv-tls-only", stack: "lab", bad: "SRV sending submission to another host", mutate: srv("_submission._tcp.mailfort.test", "0 1 587 smtp.attacker.example."), expect: /should point at mail\.mailfort\.test port 587/ },
  { id: "dns-srv-tls-only", stack: "dev", bad: "SRV advertising POP3S while POP3 is off", mutate: srv("_pop3s._tcp.dev.example.com", "0 1 995 mail.dev.example.com."), expect: /_pop3s\._tcp\.dev\.example\.com: .* offers a service mailfort keeps closed/ },
  { id: "dns-txt-length", stack: "lab", bad: "an SPF string longer than 255", mutate: (g) => { record(g, "mailfort.test", "TXT").records = [`"v=spf1 ${"ip4:192.0.2.1 ".repeat(20)}-all"`]; }, expect: /character string; split it|-character string/ },
  // Postfix main.cf, line by line.
  { id: "host-postfix-tls-protocols", stack: "lab", bad: "mandatory TLS 1.0+", mutate: mainCf(/^smtpd_tls_mandatory_protocols = .*$/m, "smtpd_tls_mandatory_protocols = >=TLSv1"), expect: /smtpd_tls_mandatory_protocols = ">=TLSv1" still allows TLSv1, TLSv1\.1/ },
  { id: "host-postfix-rate-limits", stack: "dev", bad: "connection rate limit 0", mutate: mainCf(/^smtpd_client_connection_rate_limit = .*$/m, "smtpd_client_connection_rate_limit = 0"), expect: /smtpd_client_connection_rate_limit is "0"/ },
  { id: "host-postfix-rate-limits", stack: "lab", bad: "no concurrent-connection limit", mutate: dropMainCf("smtpd_client_connection_count_limit"), expect: /smtpd_client_connection_count_limit is "unset"/ },
  { id: "host-postfix-rate-limits", stack: "prod", bad: "no message rate limit", mutate: dropMainCf("smtpd_client_message_rate_limit"), expect: /smtpd_client_message_rate_limit is "unset"/ },
  { id: "host-postfix-message-limits", stack: "prod", bad: "message_size_limit = 0 (unlimited)", mutate: mainCf(/^message_size_limit = .*$/m, "message_size_limit = 0"), expect: /main\.cf \(smtpd, port 25\): message_size_limit is "0"; set a positive limit/ },
  { id: "host-postfix-message-limits", stack: "dev", bad: "a 1 GB message size", mutate: mainCf(/^message_size_limit = .*$/m, "message_size_limit = 1073741824"), expect: /message_size_limit is "1073741824"/ },
  { id: "host-postfix-message-limits", stack: "lab", bad: "message_size_limit removed (Postfix's default)", mutate: dropMainCf("message_size_limit"), expect: /message_size_limit is "unset \(10240000\)"/ },
  { id: "host-postfix-message-limits", stack: "prod", bad: "smtpd_recipient_limit = 0", mutate: mainCf(/^smtpd_recipient_limit = .*$/m, "smtpd_recipient_limit = 0"), expect: /smtpd_recipient_limit is "0"/ },
  { id: "host-postfix-message-limits", stack: "lab", bad: "10,000 recipients per message", mutate: mainCf(/^smtpd_recipient_limit = .*$/m, "smtpd_recipient_limit = 10000"), expect: /smtpd_recipient_limit is "10000"/ },
  { id: "host-tls-server-cipher-order", stack: "prod", bad: "the client's cipher order in Postfix", mutate: mainCf(/^tls_preempt_cipherlist = .*$/m, "tls_preempt_cipherlist = no"), expect: /tls_preempt_cipherlist is "no"; set it to yes/ },
  { id: "host-tls-ciphers", stack: "dev", bad: "medium ciphers on port 25", mutate: mainCf(/^smtpd_tls_ciphers = .*$/m, "smtpd_tls_ciphers = medium"), expect: /smtpd_tls_ciphers is "medium"; set it to high/ },
  { id: "host-tls-ciphers", stack: "lab", bad: "CBC and DHE suites in Postfix's list", mutate: mainCf(/^tls_high_cipherlist = .*$/m, `tls_high_cipherlist = ${CBC_AND_DHE}`), expect: /tls_high_cipherlist enables ECDHE-RSA-AES128-SHA, DHE-RSA-AES256-GCM-SHA384/ },
  { id: "host-postfix-content-filter", stack: "prod", bad: "no Rspamd milter", mutate: dropMainCf("smtpd_milters"), expect: /smtpd_milters is "unset"; hand mail to Rspamd/ },
  { id: "host-postfix-content-filter", stack: "dev", bad: "mail accepted unfiltered when Rspamd is down", mutate: mainCf(/^milter_default_action = .*$/m, "milter_default_action = accept"), expect: /milter_default_action is "accept"; set tempfail/ },
  { id: "host-postfix-content-filter", stack: "lab", bad: "local mail skips the filter", mutate: dropMainCf("non_smtpd_milters"), expect: /non_smtpd_milters is unset/ },
  { id: "host-postfix-sender-login", stack: "prod", bad: "no sender login maps", mutate: dropMainCf("smtpd_sender_login_maps"), expect: /smtpd_sender_login_maps is unset/ },
  { id: "host-postfix-postscreen-dnsbl", stack: "dev", bad: "a DNSBL threshold no client reaches", mutate: mainCf(/^postscreen_dnsbl_threshold = .*$/m, "postscreen_dnsbl_threshold = 99"), expect: /postscreen_dnsbl_threshold is 99, but a client listed everywhere scores 7/ },
  { id: "host-postfix-postscreen-dnsbl", stack: "prod", bad: "DNSBL verdicts ignored", mutate: mainCf(/^postscreen_dnsbl_action = .*$/m, "postscreen_dnsbl_action = ignore"), expect: /postscreen_dnsbl_action is "ignore"; set enforce/ },
  { id: "host-postfix-postscreen-dnsbl", stack: "lab", bad: "no DNSBL at all", mutate: mainCf(/^postscreen_dnsbl_sites = .*$/m, "postscreen_dnsbl_sites ="), expect: /lists no DNSBL of positive weight/ },
  // Outbound TLS: DANE first, then MTA-STS (policy/policies/outbound-tls.ts).
  { id: "host-postfix-outbound-tls", stack: "dev", bad: "DANE silently off (no DNSSEC lookups)", mutate: dropMainCf("smtp_dns_support_level"), expect: /smtp_dns_support_level is "unset"; set dnssec/ },
  { id: "host-postfix-outbound-tls", stack: "prod", bad: "outbound TLS merely opportunistic, DANE ignored", mutate: mainCf(/^smtp_tls_security_level = dane$/m, "smtp_tls_security_level = may"), expect: /smtp_tls_security_level is "may"; set dane/ },
  { id: "host-postfix-outbound-tls", stack: "lab", bad: "receivers' MTA-STS policies ignored", mutate: dropMainCf("smtp_tls_policy_maps"), expect: /smtp_tls_policy_maps is "unset"; set socketmap:inet:127\.0\.0\.1:8462:postfix/ },
  { id: "host-postfix-outbound-tls", stack: "dev", bad: "the MTA-STS resolver asked first, overriding DANE", mutate: mainCf(/^smtp_tls_policy_maps = .*$/m, "smtp_tls_policy_maps = socketmap:inet:127.0.0.1:8461:postfix, socketmap:inet:127.0.0.1:8462:postfix"), expect: /asks socketmap:inet:127\.0\.0\.1:8461:postfix directly; an MTA-STS answer there would override DANE/ },
  { id: "host-postfix-outbound-tls", stack: "prod", bad: "the MTA-STS resolver open to the network", mutate: (g) => editHostFile(g, "/etc/mta-sts-daemon.yml", setLine(/^host: .*$/m, "host: 0.0.0.0")), expect: /mta-sts-daemon\.yml: the MTA-STS resolver binds "0\.0\.0\.0"; bind it to 127\.0\.0\.1/ },
  { id: "host-postfix-outbound-tls", stack: "lab", bad: "the policy map served on another port than Postfix asks", mutate: (g) => editHostFile(g, "/etc/systemd/system/mailfort-tls-policy.service", setLine(/--port 8462/, "--port 8463")), expect: /does not start mailfort-tls-policy on port 8462/ },
  // Outbound TLS reports (policy/policies/tlsrpt.ts).
  { id: "host-tlsrpt-reports", stack: "dev", bad: "Postfix's TLSRPT client off (no receiver gets a report)", mutate: mainCf(/^smtp_tlsrpt_enable = yes$/m, "smtp_tlsrpt_enable = no"), expect: /smtp_tlsrpt_enable is "no"; set yes/ },
  { id: "host-tlsrpt-reports", stack: "prod", bad: "the socket outside the queue directory (the chrooted smtp(8) cannot reach it)", mutate: mainCf(/^smtp_tlsrpt_socket_name = .*$/m, "smtp_tlsrpt_socket_name = /run/tlsrpt.sock"), expect: /smtp_tlsrpt_socket_name is "\/run\/tlsrpt\.sock"; name a socket relative to the queue directory/ },
  { id: "host-tlsrpt-reports", stack: "lab", bad: "the collector on another socket than Postfix sends to", mutate: (g) => editHostFile(g, "/etc/systemd/system/mailfort-tlsrpt-collect.service", setLine(/^ExecStart=(\S+) \S+ /m, "ExecStart=$1 /run/other.sock ")), expect: /does not bind \/var\/spool\/postfix\/run\/tlsrpt\/tlsrpt\.sock/ },
  { id: "host-tlsrpt-reports", stack: "dev", bad: "the collector as root", mutate: (g) => editHostFile(g, "/etc/systemd/system/mailfort-tlsrpt-collect.service", setLine(/^User=.*$/m, "User=root")), expect: /mailfort-tlsrpt-collect\.service runs as root/ },
  { id: "host-tlsrpt-reports", stack: "prod", bad: "the collector on the network", mutate: (g) => editHostFile(g, "/etc/systemd/system/mailfort-tlsrpt-collect.service", setLine(/^PrivateNetwork=yes$/m, "PrivateNetwork=no")), expect: /mailfort-tlsrpt-collect\.service lacks PrivateNetwork=yes/ },
  { id: "host-tlsrpt-reports", stack: "lab", bad: "no daily timer (events collected, never reported)", mutate: (g) => editHostFile(g, "/etc/systemd/system/mailfort-tlsrpt-send.timer", setLine(/^OnCalendar=.*$/m, "# none")), expect: /no \/etc\/systemd\/system\/mailfort-tlsrpt-send\.timer with an OnCalendar=/ },
  // Postfix master.cf.
  { id: "host-postfix-postscreen-dnsbl", stack: "dev", bad: "port 25 served by smtpd without postscreen", mutate: (g) => editHostFile(g, MASTER_CF, setLine(/^smtp(\s+)inet(.*)postscreen$/m, "smtp$1inet$2smtpd")), expect: /port 25 \(smtp inet\) runs "smtpd", not postscreen/ },
  { id: "host-postfix-sender-login", stack: "lab", bad: "submission lets users send as anyone", mutate: mainCf(/^(mailfort_submission_sender_restrictions = .*), reject_sender_login_mismatch$/m, "$1"), expect: /master\.cf submission: no reject_sender_login_mismatch/ },
  // Containment of a hijacked account.
  { id: "host-containment", stack: "prod", bad: "the suspended-login check removed from both submission services", mutate: mainCf(/^mailfort_submission_sender_restrictions = check_sasl_access texthash:\/etc\/postfix\/maps\/suspended-senders, /m, "mailfort_submission_sender_restrictions = "), expect: /master\.cf submission: smtpd_sender_restrictions "reject_non_fqdn_sender, reject_sender_login_mismatch" has no check_sasl_access/ },
  { id: "host-containment", stack: "lab", bad: "submissions (465) with its own sender restrictions, no suspension", mutate: (g) => editHostFile(g, MASTER_CF, setLine(/^(submissions inet[\s\S]*?)-o smtpd_sender_restrictions=\$mailfort_submission_sender_restrictions$/m, "$1-o smtpd_sender_restrictions=reject_non_fqdn_sender,reject_sender_login_mismatch")), expect: /master\.cf submissions: smtpd_sender_restrictions "reject_non_fqdn_sender,reject_sender_login_mismatch" has no check_sasl_access/ },
  { id: "host-containment", stack: "dev", bad: "a permit before the suspended-login check", mutate: mainCf(/^mailfort_submission_sender_restrictions = /m, "mailfort_submission_sender_restrictions = permit_sasl_authenticated, "), expect: /permit_sasl_authenticated comes before the suspended-login check/ },
  { id: "host-containment", stack: "prod", bad: "automatic suspension switched off in the host file", mutate: (g) => editHostFile(g, "/etc/mailfort/containment-settings", setLine(/^MAILFORT_CONTAINMENT=yes$/m, "MAILFORT_CONTAINMENT=no")), expect: /switches automatic suspension off on a prod stack/ },
  { id: "host-reports-pipe", stack: "lab", bad: "the reader run inside Postfix's pipe again (a refused report bounces to its sender)", mutate: (g) => editHostFile(g, MASTER_CF, setLine(/argv=\/usr\/local\/sbin\/mailfort-reports spool$/m, "argv=/usr/bin/node /usr/local/lib/mailfort/mailfort-reports.cjs ingest --dir /srv/mailfort/reports")), expect: /master\.cf mailfort-reports argv is "\/usr\/bin\/node .*", not \/usr\/local\/sbin\/mailfort-reports spool/ },
  { id: "host-reports-pipe", stack: "prod", bad: "the spool's pipe as the postfix user", mutate: (g) => editHostFile(g, MASTER_CF, setLine(/user=mailfort-reports /, "user=postfix ")), expect: /master\.cf mailfort-reports runs as postfix: the spool and the reader must run as their own unprivileged user/ },
  { id: "host-reports-pipe", stack: "dev", bad: "no memory limit around the reader", mutate: (g) => editHostFile(g, "/etc/systemd/system/mailfort-reports-ingest.service", setLine(/^LimitAS=\d+$/m, "# no limit")), expect: /mailfort-reports-ingest\.service sets no LimitAS=<bytes>/ },
  { id: "host-reports-pipe", stack: "lab", bad: "the reader of hostile input on the network", mutate: (g) => editHostFile(g, "/etc/systemd/system/mailfort-reports-ingest.service", setLine(/^PrivateNetwork=yes$/m, "PrivateNetwork=no")), expect: /lacks PrivateNetwork=yes/ },
  { id: "host-reports-pipe", stack: "prod", bad: "the reader's unit as root", mutate: (g) => editHostFile(g, "/etc/systemd/system/mailfort-reports-ingest.service", setLine(/^User=mailfort-reports$/m, "User=root")), expect: /mailfort-reports-ingest\.service runs as root, not the pipe's mailfort-reports/ },
  { id: "host-reports-pipe", stack: "dev", bad: "nothing watches the spool", mutate: (g) => editHostFile(g, "/etc/systemd/system/mailfort-reports-ingest.path", setLine(/^DirectoryNotEmpty=.*$/m, "PathExists=/nonexistent")), expect: /does not watch the spool/ },
  { id: "host-reports-pipe", stack: "lab", bad: "no process limit on the spool", mutate: (g) => editHostFile(g, MASTER_CF, setLine(/^(mailfort-reports unix\s+-\s+n\s+n\s+-\s+)\d+(\s+pipe)$/m, "$10$2")), expect: /master\.cf mailfort-reports maxproc is "0"/ },
  { id: "host-reports-pipe", stack: "prod", bad: "report mail not routed to the reader", mutate: dropMainCf("transport_maps"), expect: /transport_maps "unset" does not read \/etc\/postfix\/maps\/report-addresses/ },
  { id: "host-postfix-content-filter", stack: "prod", bad: "submission without the milter (unsigned, unfiltered)", mutate: submission("-o smtpd_milters="), expect: /master\.cf submission: smtpd_milters is ""/ },
  { id: "host-postfix-message-limits", stack: "dev", bad: "unlimited size on submission only", mutate: submission("-o message_size_limit=0"), expect: /master\.cf submission: message_size_limit is "0"/ },
  { id: "host-postfix-no-open-relay", stack: "lab", bad: "submission relays without authentication", mutate: (g) => editHostFile(g, MASTER_CF, (c) => c.replace("-o smtpd_relay_restrictions=permit_sasl_authenticated,reject", "-o smtpd_relay_restrictions=permit")), expect: /master\.cf submission: relay restrictions "permit"/ },
  { id: "host-postfix-auth-tls-only", stack: "prod", bad: "submission AUTH without TLS", mutate: (g) => editHostFile(g, MASTER_CF, (c) => c.replace("-o smtpd_tls_security_level=encrypt", "-o smtpd_tls_security_level=may").replace(/(submission inet[\s\S]*?)-o smtpd_tls_auth_only=yes\n/, "$1-o smtpd_tls_auth_only=no\n")), expect: /master\.cf submission: SASL auth is enabled without smtpd_tls_auth_only=yes/ },
  // Dovecot.
  { id: "host-dovecot-tls", stack: "lab", bad: "TLS optional (ssl = yes)", mutate: (g) => editHostFile(g, DOVECOT, setLine(/^ssl = required$/m, "ssl = yes")), expect: /ssl is "yes"; set ssl = required/ },
  { id: "host-tls-server-cipher-order", stack: "dev", bad: "the client's cipher order in Dovecot", mutate: (g) => editHostFile(g, DOVECOT, setLine(/^ssl_server_prefer_ciphers = .*$/m, "ssl_server_prefer_ciphers = client")), expect: /Dovecot ssl_server_prefer_ciphers is "client"; set it to server/ },
  { id: "host-tls-ciphers", stack: "prod", bad: "a CBC suite in Dovecot's list", mutate: (g) => editHostFile(g, DOVECOT, setLine(/^ssl_cipher_list = .*$/m, "ssl_cipher_list = ECDHE-RSA-AES256-GCM-SHA384:AES128-SHA")), expect: /Dovecot ssl_cipher_list enables AES128-SHA/ },
  // fail2ban.
  { id: "host-fail2ban-jails", stack: "lab", bad: "postfix-sasl jail off", mutate: (g) => editHostFile(g, JAILS, setLine(/(\[postfix-sasl\]\s*\n)enabled = true/, "$1enabled = false")), expect: /fail2ban jail postfix-sasl \/ sasl is not enabled/ },
  { id: "host-fail2ban-settings", stack: "prod", bad: "bans that last 0 seconds", mutate: (g) => editHostFile(g, JAILS, setLine(/^bantime = 60m$/m, "bantime = 0")), expect: /\[DEFAULT\] bantime = 0 bans nobody/ },
  { id: "host-fail2ban-settings", stack: "dev", bad: "the whole Internet never banned", mutate: (g) => editHostFile(g, JAILS, setLine(/^ignoreip = (.*)$/m, "ignoreip = $1 0.0.0.0/0")), expect: /\[DEFAULT\] ignoreip exempts 0\.0\.0\.0\/0/ },
  { id: "host-fail2ban-settings", stack: "lab", bad: "maxretry 0", mutate: (g) => editHostFile(g, JAILS, setLine(/^maxretry = 5$/m, "maxretry = 0")), expect: /\[DEFAULT\] maxretry = 0/ },
  // nftables.
  { id: "host-firewall", stack: "prod", bad: "UDP accepted by nftables", mutate: (g) => editHostFile(g, "/etc/nftables.conf", setLine(/^(\s*)tcp dport \{ ([^}]*) \} ct state new accept$/m, "$1tcp dport { $2 } ct state new accept\n$1udp dport 5353 accept")), expect: /nftables accepts udp 5353/ },
  // Rspamd.
  { id: "host-local-services", stack: "lab", bad: "the milter proxy on all addresses", mutate: (g) => editHostFile(g, "/etc/rspamd/local.d/worker-proxy.inc", setLine(/^bind_socket = .*$/m, 'bind_socket = "*:11332";')), expect: /Rspamd worker-proxy binds to "\*:11332"/ },
  { id: "host-rspamd-outbound-limit", stack: "prod", bad: "the per-user outbound bucket removed", mutate: (g) => editHostFile(g, "/etc/rspamd/local.d/ratelimit.conf", (c) => c.replace(/selector = "user\.lower";/, 'selector = "ip";')), expect: /no bucket with selector "user\.\.\." \(a limit per authenticated user\)/ },
  { id: "host-rspamd-outbound-limit", stack: "dev", bad: "a zero outbound rate", mutate: (g) => editHostFile(g, "/etc/rspamd/local.d/ratelimit.conf", (c) => c.replace(/rate = "\d+ \/ 1h";/, 'rate = "0 / 1h";')), expect: /ratelimit bucket mailfort_user_outbound has no positive rate/ },
  { id: "host-rspamd-outbound-limit", stack: "lab", bad: "the ratelimit module off", mutate: (g) => editHostFile(g, "/etc/rspamd/local.d/ratelimit.conf", (c) => `enabled = false;\n${c}`), expect: /ratelimit\.conf sets enabled = false/ },
  { id: "host-rspamd-reputation", stack: "prod", bad: "the RBL/SURBL module off", mutate: (g) => editHostFile(g, "/etc/rspamd/override.d/rbl.conf", (c) => `${c}\nenabled = false;\n`), expect: /rbl\.conf sets enabled = false/ },
  { id: "host-rspamd-reputation", stack: "dev", bad: "SURBL switched off on its own", mutate: (g) => editHostFile(g, "/etc/rspamd/override.d/rbl.conf", (c) => `${c}\nrbls { SURBL_MULTI { enabled = false; } }\n`), expect: /rbl\.conf sets enabled = false/ },
  { id: "host-rspamd-reputation", stack: "lab", bad: "the local IP block list only scores", mutate: (g) => editHostFile(g, "/etc/rspamd/local.d/multimap.conf", (c) => c.replace(/(MAILFORT_BLOCK_IP \{[^}]*?)action = "reject";/, '$1score = 1.0;')), expect: /no client address block list that rejects/ },
  // unbound.
  { id: "host-local-services", stack: "prod", bad: "unbound answering the world", mutate: (g) => editHostFile(g, "/etc/unbound/unbound.conf.d/mailfort.conf", setLine(/^(\s*)access-control: 127\.0\.0\.0\/8 allow$/m, "$1access-control: 0.0.0.0/0 allow")), expect: /unbound allows queries from 0\.0\.0\.0\/0/ },
  // nginx.
  { id: "host-tls-server-cipher-order", stack: "lab", bad: "nginx lets the client choose", mutate: (g) => editHostFile(g, NGINX, setLine(/ssl_prefer_server_ciphers on;/, "ssl_prefer_server_ciphers off;")), expect: /nginx: a TLS server block .* has ssl_prefer_server_ciphers off/ },
  { id: "host-tls-ciphers", stack: "dev", bad: "CBC and DHE suites in nginx", mutate: (g) => editHostFile(g, NGINX, setLine(/^ssl_ciphers .*;$/m, `ssl_ciphers ${CBC_AND_DHE};`)), expect: /nginx ssl_ciphers enables ECDHE-RSA-AES128-SHA, DHE-RSA-AES256-GCM-SHA384/ },
  // Unattended upgrades.
  { id: "host-unattended-upgrades", stack: "prod", bad: "unattended upgrades off", mutate: (g) => editHostFile(g, "/etc/apt/apt.conf.d/20auto-upgrades", setLine(/APT::Periodic::Unattended-Upgrade "1";/, 'APT::Periodic::Unattended-Upgrade "0";')), expect: /APT::Periodic::Unattended-Upgrade is "0"; set "1"/ },
  { id: "host-unattended-upgrades", stack: "lab", bad: "the security archive left out", mutate: (g) => editHostFile(g, "/etc/apt/apt.conf.d/52mailfort-unattended-upgrades", (c) => c.replace(/codename=\$\{distro_codename\}-security/, "codename=${distro_codename}-updates")), expect: /Origins-Pattern does not include the Debian security archive/ },
  // Host metrics and their alarms.
  { id: "monitoring-host-metric-alarms", stack: "prod", bad: "the deferred-queue alarm removed", mutate: (g) => { g.splice(g.indexOf(find(g, ALARM, hostAlarm("queue_deferred"))), 1); }, expect: /publishes mailfort queue_deferred but no alarm watches it/ },
  { id: "monitoring-backup-alarms", stack: "prod", bad: "the stale-backup alarm removed", mutate: (g) => { g.splice(g.indexOf(find(g, ALARM, dlmAlarm("SnapshotsCreateCompleted"))), 1); }, expect: /1 snapshot policy but 0 alarm\(s\) on AWS\/EBS SnapshotsCreateCompleted/ },
  { id: "monitoring-backup-alarms", stack: "prod", bad: "a stopped schedule read as healthy", mutate: (g) => { inputs(g, ALARM, dlmAlarm("SnapshotsCreateCompleted")).treatMissingData = "notBreaching"; }, expect: /treatMissingData notBreaching reads a schedule that stopped as healthy/ },
  { id: "monitoring-backup-alarms", stack: "prod", bad: "the failed-snapshot alarm removed", mutate: (g) => { g.splice(g.indexOf(find(g, ALARM, dlmAlarm("SnapshotsCreateFailed"))), 1); }, expect: /on AWS\/EBS SnapshotsCreateFailed by DLMPolicyId/ },
  { id: "monitoring-host-metric-alarms", stack: "lab", bad: "an alarm on a metric the host does not publish", mutate: (g) => { inputs(g, ALARM, hostAlarm("suspended_senders")).metricName = "suspended_sender"; }, expect: /watches mailfort suspended_sender, which the host does not publish/ },
];
