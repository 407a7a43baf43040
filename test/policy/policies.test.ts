// Every policy passes on the real dev, prod and lab stacks (offline synth), and each one fails —
// with its own message — on a bad variant: one row per policy (some policies have several),
// each a mutation of the synthesized graph the way a careless change would make it.
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ALL_POLICIES, policyById } from "../../policy/all";
import { dovecotHostSettings } from "../../policy/lib/dovecot";
import { dovecotSeconds } from "../../policy/policies/host";
import { type GraphResource, runPolicy } from "../../policy/run";
import { STACKS, type StackName, synthesizedStacks } from "./graphs";
import { MUTATIONS } from "./mutations.cases";
import { type Graph, RECORD, bundleParts, clone, editHostFile, editRolePolicy, editStatements, find, inputs, record, removeRecord, setLine, setOpts } from "./mutate";

const stack = synthesizedStacks();

describe.each(STACKS)("the %s stack", (s) => {
  it.each(ALL_POLICIES.map((p) => p.name))("passes %s", async (id) => {
    const { facts, resources } = stack(s);
    expect(await runPolicy(policyById(id), resources, facts)).toEqual([]);
  });
});

const SG = "aws:ec2/securityGroup:SecurityGroup";
const INSTANCE = "aws:ec2/instance:Instance";
const VOLUME = "aws:ebs/volume:Volume";
const MAIN_CF = "/etc/postfix/main.cf";
const FLOW_LOG = "aws:ec2/flowLog:FlowLog";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const EVENT_RULE = "aws:cloudwatch/eventRule:EventRule";
const EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const openPort = (port: number) => (g: Graph) => {
  (inputs(g, SG).ingress as unknown[]).push({ protocol: "tcp", fromPort: port, toPort: port, cidrBlocks: ["0.0.0.0/0"] });
};
const rsaP = (bits: number) => generateKeyPairSync("rsa", { modulusLength: bits }).publicKey.export({ type: "spki", format: "der" }).toString("base64");
const TEST_PEM_KEY = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();

interface Row {
  readonly id: string;
  readonly stack: StackName;
  readonly bad: string;
  readonly mutate: (g: Graph) => void;
  readonly expect: RegExp;
}

const BAD: readonly Row[] = [
  { id: "network-ingress", stack: "dev", bad: "SSH open to the internet", mutate: openPort(22), expect: /opens SSH port 22/ },
  { id: "network-ingress", stack: "prod", bad: "plaintext IMAP 143", mutate: openPort(143), expect: /IMAP \(plaintext\) port 143/ },
  { id: "network-ingress", stack: "dev", bad: "POP3S 995 without features.pop3", mutate: openPort(995), expect: /opens port 995, which this stack's config does not enable/ },
  { id: "network-ingress", stack: "lab", bad: "all protocols from anywhere", mutate: (g) => { (inputs(g, SG).ingress as unknown[]).push({ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }); }, expect: /ALL protocols and ports/ },
  { id: "instance-imdsv2", stack: "prod", bad: "IMDSv1 allowed, hop limit 2", mutate: (g) => { inputs(g, INSTANCE).metadataOptions = { httpEndpoint: "enabled", httpTokens: "optional", httpPutResponseHopLimit: 2 }; }, expect: /httpTokens is "optional"/ },
  { id: "instance-volume-encryption", stack: "dev", bad: "unencrypted data volume", mutate: (g) => { inputs(g, VOLUME).encrypted = false; }, expect: /EBS volume is not encrypted/ },
  { id: "instance-volume-encryption", stack: "prod", bad: "unencrypted root volume", mutate: (g) => { (inputs(g, INSTANCE).rootBlockDevice as Record<string, unknown>).encrypted = false; }, expect: /rootBlockDevice.encrypted is not true/ },
  { id: "instance-data-volume-retained", stack: "prod", bad: "data volume not protected", mutate: (g) => setOpts(g, VOLUME, { protect: false }), expect: /is not protected/ },
  { id: "instance-data-volume-retained", stack: "dev", bad: "data volume deleted with the stack", mutate: (g) => setOpts(g, VOLUME, { retainOnDelete: false }), expect: /not retained on delete/ },
  { id: "instance-detailed-monitoring", stack: "lab", bad: "basic monitoring", mutate: (g) => { inputs(g, INSTANCE).monitoring = false; }, expect: /monitoring is not true/ },
  { id: "instance-no-key-pair", stack: "prod", bad: "an SSH key pair", mutate: (g) => { inputs(g, INSTANCE).keyName = "ops-laptop"; }, expect: /key pair "ops-laptop" is attached/ },
  { id: "iam-least-privilege", stack: "dev", bad: "ssm:* on *", mutate: (g) => editRolePolicy(g, (d) => { d.Statement.push({ Effect: "Allow", Action: "ssm:*", Resource: "*" }); }), expect: /allows action "ssm:\*"/ },
  { id: "iam-least-privilege", stack: "prod", bad: "AdministratorAccess attached", mutate: (g) => { inputs(g, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").policyArn = "arn:aws:iam::aws:policy/AdministratorAccess"; }, expect: /attaches managed policy arn:aws:iam::aws:policy\/AdministratorAccess/ },
  { id: "iam-instance-scope", stack: "prod", bad: "reads every stack's parameters", mutate: (g) => editStatements(g, (st) => st.Sid === "ReadOwnStackParameters" && Boolean(st.Resource = "arn:aws:ssm:eu-west-1:123456789012:parameter/mailfort/*")), expect: /reaches arn:aws:ssm:eu-west-1:123456789012:parameter\/mailfort\/\*/ },
  { id: "iam-instance-scope", stack: "dev", bad: "may change any record of the zone", mutate: (g) => editStatements(g, (st) => String(st.Sid).startsWith("AcmeChallenge") && delete st.Condition), expect: /ChangeResourceRecordSets has no ForAllValues/ },
  { id: "secrets-not-in-plain-inputs", stack: "lab", bad: "a private key in a user-data file", mutate: (g) => editHostFile(g, "/etc/mailfort/mailfort.env", (c) => `${c}\n${TEST_PEM_KEY}`), expect: /user data file \/etc\/mailfort\/mailfort.env holds a PEM private key/ },
  { id: "secrets-not-in-host-files", stack: "prod", bad: "a private key in a host bundle file", mutate: (g) => editHostFile(g, MAIN_CF, (c) => `${c}\n${TEST_PEM_KEY}`), expect: /host bundle file \/etc\/postfix\/main.cf holds a PEM private key/ },
  { id: "secrets-not-in-host-files", stack: "lab", bad: "a password assignment in a host bundle script", mutate: (g) => editHostFile(g, "/usr/local/sbin/mailfort-sync", (c) => `${c}password=Sup3rSecretValue\n`), expect: /host bundle file \/usr\/local\/sbin\/mailfort-sync holds a literal password/ },
  { id: "host-files-pinned", stack: "dev", bad: "a host file changed without changing the user data's pin", mutate: (g) => editHostFile(g, MAIN_CF, setLine(/^disable_vrfy_command = .*$/m, "disable_vrfy_command = no"), { repin: false }), expect: /pins host bundle sha256:[0-9a-f]{64} but the parameters hold sha256:[0-9a-f]{64}/ },
  { id: "host-files-pinned", stack: "prod", bad: "a bundle part missing", mutate: (g) => { g.splice(g.indexOf(bundleParts(g)[1] as GraphResource), 1); }, expect: /host bundle parts are 000, 002/ },
  { id: "host-files-pinned", stack: "dev", bad: "the user data pins another part count (the host would read too few parts, or too many)", mutate: (g) => editHostFile(g, "/etc/mailfort/mailfort.env", (c) => c.replace(/^MAILFORT_HOST_BUNDLE_PARTS=(\d+)$/m, (_, n: string) => `MAILFORT_HOST_BUNDLE_PARTS=${Number(n) + 1}`)), expect: /pins MAILFORT_HOST_BUNDLE_PARTS=(\d+) but the stack has (?!\1 )\d+ host bundle parameters/ },
  { id: "host-files-pinned", stack: "lab", bad: "no bundle in SSM at all", mutate: (g) => { for (const p of bundleParts(g)) g.splice(g.indexOf(p), 1); }, expect: /pins host bundle sha256:[0-9a-f]{64} but the stack has no \/mailfort\/lab\/host\/bundle\/ parameters/ },
  { id: "secrets-not-in-plain-inputs", stack: "dev", bad: "a password hash in a tag", mutate: (g) => { (inputs(g, INSTANCE).tags as Record<string, unknown>).note = "{BLF-CRYPT}$2b$10$7F3KnM4AkwlVFTgLk3vc2OPrJRpagN5eg0Bge88bHeHcoU0v2ziBy"; }, expect: /input tags.note holds a Dovecot password hash/ },
  { id: "secrets-securestring", stack: "prod", bad: "DKIM private key as a String parameter", mutate: (g) => { inputs(g, "aws:ssm/parameter:Parameter", (r) => String(r.inputs.name).includes("/dkim/")).type = "String"; }, expect: /holds secret material by the parameter contract but is "String"/ },
  { id: "dns-mx", stack: "dev", bad: "no MX", mutate: (g) => removeRecord(g, "dev.example.com", "MX"), expect: /dev.example.com: has no MX record/ },
  { id: "dns-mx", stack: "prod", bad: "parked domain without null MX", mutate: (g) => removeRecord(g, "example.org", "MX"), expect: /example.org: parked domain should publish exactly one null MX/ },
  { id: "dns-spf", stack: "prod", bad: "SPF softfail", mutate: (g) => { record(g, "example.com", "TXT").records = ['"v=spf1 mx ~all"']; }, expect: /does not end in -all/ },
  { id: "dns-dkim", stack: "dev", bad: "1024-bit DKIM key", mutate: (g) => { record(g, "mail._domainkey.dev.example.com", "TXT").records = [`"v=DKIM1; k=rsa; p=${rsaP(1024)}"`]; }, expect: /is RSA 1024 bits; use at least 2048/ },
  { id: "dns-dmarc", stack: "dev", bad: "DMARC p=none", mutate: (g) => { record(g, "_dmarc.dev.example.com", "TXT").records = ['"v=DMARC1; p=none; rua=mailto:postmaster@dev.example.com"']; }, expect: /DMARC p=none; use p=quarantine or p=reject/ },
  { id: "dns-mta-sts-tlsrpt", stack: "lab", bad: "no MTA-STS TXT", mutate: (g) => removeRecord(g, "_mta-sts.second.test", "TXT"), expect: /second.test: needs exactly one "v=STSv1; id=..." TXT/ },
  { id: "dns-mta-sts-tlsrpt", stack: "prod", bad: "no TLS-RPT", mutate: (g) => removeRecord(g, "_smtp._tls.example.com", "TXT"), expect: /needs exactly one "v=TLSRPTv1; rua=mailto:..." TXT/ },
  { id: "dns-caa", stack: "prod", bad: "no CAA", mutate: (g) => removeRecord(g, "example.com", "CAA"), expect: /example.com: has no CAA "issue" record/ },
  { id: "dns-txt-length", stack: "dev", bad: "DKIM key in one 392-char string", mutate: (g) => { record(g, "mail._domainkey.dev.example.com", "TXT").records = [`"v=DKIM1; k=rsa; p=${rsaP(2048)}"`]; }, expect: /has a \d{3}-character string; split it/ },
  { id: "dns-ptr-hostname", stack: "prod", bad: "PTR of another name", mutate: (g) => { inputs(g, "aws:ec2/eipDomainName:EipDomainName").domainName = "web.example.com"; }, expect: /EipDomainName sets PTR web.example.com, not the mail hostname mail.example.com/ },
  { id: "dns-ptr-hostname", stack: "lab-self-signed", bad: "certificate for another name", mutate: (g) => { (inputs(g, "tls:index/certRequest:CertRequest").dnsNames as string[]).splice(0, Infinity, "other.mailfort.test"); delete (inputs(g, "tls:index/certRequest:CertRequest").subject as Record<string, unknown>).commonName; }, expect: /TLS certificate names other.mailfort.test do not include mail.mailfort.test/ },
  { id: "dns-ptr-hostname", stack: "dev", bad: "HELO name differs from PTR", mutate: (g) => editHostFile(g, MAIN_CF, setLine(/^myhostname = .*$/m, "myhostname = ip-10-42-0-5.eu-west-1.compute.internal")), expect: /Postfix myhostname \(HELO\) is ip-10-42-0-5/ },
  { id: "dns-dnssec-dane", stack: "prod", bad: "no TLSA with DNSSEC on", mutate: (g) => removeRecord(g, "_25._tcp.mail.example.com", "TLSA"), expect: /no TLSA record at _25._tcp.mail.example.com/ },
  { id: "dns-dnssec-dane", stack: "prod", bad: "TLSA pinning the whole certificate (3 0 1)", mutate: (g) => { const r = record(g, "_25._tcp.mail.example.com", "TLSA"); r.records = [String((r.records as string[])[0]).replace(/^3 1 1/, "3 0 1")]; }, expect: /use DANE-EE SPKI SHA-256/ },
  { id: "host-firewall", stack: "dev", bad: "SSH accepted by nftables", mutate: (g) => editHostFile(g, "/etc/nftables.conf", setLine(/^(\s*)tcp dport \{ ([^}]*) \} ct state new accept$/m, "$1tcp dport { 22, $2 } ct state new accept")), expect: /nftables accepts tcp 22, which the config does not enable \(SSH\)/ },
  { id: "host-firewall", stack: "lab", bad: "input policy accept", mutate: (g) => editHostFile(g, "/etc/nftables.conf", setLine(/(hook input priority filter;) policy drop;/, "$1 policy accept;")), expect: /input chain does not have `policy drop`/ },
  { id: "host-local-services", stack: "prod", bad: "Rspamd controller on all addresses", mutate: (g) => editHostFile(g, "/etc/rspamd/local.d/worker-controller.inc", setLine(/^bind_socket = .*$/m, 'bind_socket = "*:11334";')), expect: /Rspamd worker-controller binds to "\*:11334"/ },
  { id: "host-local-services", stack: "dev", bad: "unbound as an open resolver", mutate: (g) => editHostFile(g, "/etc/unbound/unbound.conf.d/mailfort.conf", setLine(/^(\s*)interface: 127\.0\.0\.1$/m, "$1interface: 0.0.0.0\n$1access-control: 0.0.0.0/0 allow")), expect: /unbound listens on 0.0.0.0/ },
  { id: "host-postfix-tls-protocols", stack: "prod", bad: "TLS 1.0/1.1 on port 25", mutate: (g) => editHostFile(g, MAIN_CF, setLine(/^smtpd_tls_protocols = .*$/m, "smtpd_tls_protocols = !SSLv2, !SSLv3")), expect: /smtpd_tls_protocols = "!SSLv2, !SSLv3" still allows TLSv1, TLSv1.1/ },
  { id: "host-postfix-tls-protocols", stack: "dev", bad: "submission overrides to TLS 1.0+", mutate: (g) => editHostFile(g, "/etc/postfix/master.cf", setLine(/^(submission inet.*)$/m, "$1\n  -o smtpd_tls_mandatory_protocols=>=TLSv1")), expect: /master.cf submission: smtpd_tls_mandatory_protocols = ">=TLSv1" still allows TLSv1, TLSv1.1/ },
  { id: "host-postfix-auth-tls-only", stack: "lab", bad: "AUTH before STARTTLS", mutate: (g) => editHostFile(g, MAIN_CF, setLine(/^smtpd_tls_auth_only = .*$/m, "smtpd_tls_auth_only = no")), expect: /smtpd_tls_auth_only is "no"; set it to yes/ },
  { id: "host-postfix-no-open-relay", stack: "dev", bad: "no reject_unauth_destination", mutate: (g) => editHostFile(g, MAIN_CF, setLine(/^smtpd_relay_restrictions = .*$/m, "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, permit")), expect: /neither smtpd_relay_restrictions nor smtpd_recipient_restrictions contains reject_unauth_destination/ },
  { id: "host-postfix-no-open-relay", stack: "prod", bad: "the VPC in mynetworks", mutate: (g) => editHostFile(g, MAIN_CF, setLine(/^mynetworks = .*$/m, "mynetworks = 127.0.0.0/8 [::1]/128 10.42.0.0/24")), expect: /mynetworks includes 10.42.0.0\/24/ },
  { id: "host-postfix-no-vrfy", stack: "lab", bad: "VRFY enabled", mutate: (g) => editHostFile(g, MAIN_CF, setLine(/^disable_vrfy_command = .*$/m, "disable_vrfy_command = no")), expect: /disable_vrfy_command is "no"; set it to yes/ },
  { id: "host-postfix-rate-limits", stack: "prod", bad: "no AUTH rate limit", mutate: (g) => editHostFile(g, MAIN_CF, setLine(/^smtpd_client_auth_rate_limit = .*\n/m, "")), expect: /smtpd_client_auth_rate_limit is "unset"; set a positive limit/ },
  { id: "host-dovecot-tls", stack: "dev", bad: "cleartext auth allowed", mutate: (g) => editHostFile(g, "/etc/dovecot/dovecot.conf", setLine(/^auth_allow_cleartext = .*$/m, "auth_allow_cleartext = yes")), expect: /auth_allow_cleartext is "yes"; set auth_allow_cleartext = no/ },
  { id: "host-dovecot-tls", stack: "lab", bad: "TLS 1.0 minimum", mutate: (g) => editHostFile(g, "/etc/dovecot/dovecot.conf", setLine(/^ssl_min_protocol = .*$/m, "ssl_min_protocol = TLSv1")), expect: /ssl_min_protocol is "TLSv1"; set ssl_min_protocol = TLSv1.2/ },
  { id: "host-dovecot-tls", stack: "prod", bad: "plaintext IMAP listener on 143", mutate: (g) => editHostFile(g, "/etc/dovecot/dovecot.conf", setLine(/(inet_listener imap \{\s*\n\s*)port = 0/, "$1port = 143")), expect: /inet_listener imap \} port is 143; set port = 0/ },
  { id: "host-dovecot-auth-delay", stack: "lab", bad: "no delay after a failed login", mutate: (g) => editHostFile(g, "/etc/dovecot/dovecot.conf", setLine(/^auth_failure_delay = .*$/m, "auth_failure_delay = 0")), expect: /auth_failure_delay is "0"; set auth_failure_delay = 2s/ },
  { id: "host-dovecot-auth-delay", stack: "prod", bad: "a 200 ms delay", mutate: (g) => editHostFile(g, "/etc/dovecot/dovecot.conf", setLine(/^auth_failure_delay = .*$/m, "auth_failure_delay = 200ms")), expect: /auth_failure_delay is "200ms"; set auth_failure_delay = 2s \(at least 1 s\)/ },
  { id: "host-fail2ban-jails", stack: "prod", bad: "dovecot jail off", mutate: (g) => editHostFile(g, "/etc/fail2ban/jail.local", setLine(/(\[dovecot\]\s*\n)enabled = true/, "$1enabled = false")), expect: /fail2ban jail dovecot is not enabled/ },
  { id: "monitoring-flow-logs", stack: "dev", bad: "the created VPC without a flow log", mutate: (g) => { g.splice(g.indexOf(find(g, FLOW_LOG)), 1); }, expect: /1 VPC\(s\) created, but 0 VPC flow log\(s\)/ },
  { id: "monitoring-flow-logs", stack: "prod", bad: "only rejected traffic logged", mutate: (g) => { inputs(g, FLOW_LOG).trafficType = "REJECT"; }, expect: /trafficType is "REJECT"; log ALL traffic/ },
  { id: "monitoring-flow-logs", stack: "dev", bad: "the flow-log group unencrypted", mutate: (g) => { delete inputs(g, LOG_GROUP).kmsKeyId; }, expect: /flow-log group is not encrypted with a KMS key/ },
  { id: "monitoring-flow-logs", stack: "prod", bad: "the flow-log group kept forever", mutate: (g) => { delete inputs(g, LOG_GROUP).retentionInDays; }, expect: /keeps records forever; set retentionInDays/ },
  { id: "monitoring-guardduty", stack: "prod", bad: "no findings rule (monitoring.guardduty off)", mutate: (g) => { g.splice(g.indexOf(find(g, EVENT_RULE)), 1); }, expect: /no EventBridge rule routes GuardDuty findings/ },
  { id: "monitoring-guardduty", stack: "prod", bad: "only high findings routed", mutate: (g) => { const r = inputs(g, EVENT_RULE); r.eventPattern = String(r.eventPattern).replace('[">=",4]', '[">=",7]'); }, expect: /passes findings from severity 7; match severity >= 4/ },
  { id: "monitoring-guardduty", stack: "prod", bad: "findings rule without a target", mutate: (g) => { g.splice(g.indexOf(find(g, EVENT_TARGET)), 1); }, expect: /no SNS topic as its target/ },
  { id: "monitoring-alarm-actions", stack: "dev", bad: "an alarm that notifies nobody", mutate: (g) => { inputs(g, ALARM).alarmActions = []; }, expect: /alarmActions \[\] name no SNS topic/ },
  { id: "monitoring-alarm-actions", stack: "lab", bad: "an alarm without a runbook", mutate: (g) => { inputs(g, ALARM).alarmDescription = "mailfort lab: the disk is full"; }, expect: /names no runbook; end it with its docs\/operations.md#<section>/ },
  { id: "monitoring-alarm-actions", stack: "prod", bad: "alarm actions switched off", mutate: (g) => { inputs(g, ALARM).actionsEnabled = false; }, expect: /actionsEnabled is false/ },
];

describe("bad variants: each policy fails with its own message", () => {
  it("covers every policy with at least one row (here or in the mutation table)", () => {
    // A restore's policy needs a restoring stack's graph: its bad variants live in data-volume-restore.test.ts;
    // the webmail's are judged per config variant (prod with app passwords off, ...) in webmail.test.ts.
    const ownFile = ["instance-data-volume-restore", "host-webmail-tls-only", "host-webmail-second-factor", "host-app-passwords"];
    const covered = new Set([...BAD, ...MUTATIONS].map((r) => r.id).concat(ownFile));
    expect(ALL_POLICIES.map((p) => p.name).filter((id) => !covered.has(id))).toEqual([]);
  });

  it.each(BAD)("$id fails on $stack: $bad", async (row) => {
    const { facts, resources } = stack(row.stack);
    const g = clone(resources);
    row.mutate(g);
    const violations = await runPolicy(policyById(row.id), g, facts);
    expect(violations.map((v) => v.message)).toEqual(expect.arrayContaining([expect.stringMatching(row.expect)]));
    // The same policy passes the unmutated graph, so the violation is the mutation's doing.
    expect(await runPolicy(policyById(row.id), resources, facts)).toEqual([]);
  });

  it("keeps the record and instance the rows edit (sanity of the fixtures)", () => {
    const { resources } = stack("dev");
    expect(find(resources, RECORD, (r) => r.inputs.type === "MX")).toBeDefined();
    const inst = find(resources, INSTANCE).inputs;
    expect(inst.userDataBase64 ?? inst.userData).toEqual(expect.any(String));
  });
});

describe("host-dovecot-auth-delay reads Dovecot's time values", () => {
  it("seconds, milliseconds and minutes, with or without a unit; nonsense is unreadable", () => {
    expect(dovecotSeconds("2s")).toBe(2);
    expect(dovecotSeconds("2 secs")).toBe(2);
    expect(dovecotSeconds("2")).toBe(2);
    expect(dovecotSeconds("1500ms")).toBe(1.5);
    expect(dovecotSeconds("1 min")).toBe(60);
    expect(dovecotSeconds("0")).toBe(0);
    for (const v of ["", "fast", "-2s", "2 hours"]) expect(dovecotSeconds(v), v).toBeUndefined();
  });
});

describe("the Dovecot settings every Dovecot policy reads", () => {
  it("come from the host's Dovecot files in Dovecot's include order, whatever order the bundle lists them in", () => {
    const file = (path: string, content: string) => ({ path, content, mode: "0644" });
    const s = dovecotHostSettings([
      file("/etc/dovecot/local.conf", "auth_failure_delay = 3s\n"),
      file("/etc/dovecot/conf.d/10-auth.conf", "auth_failure_delay = 1s\nssl = yes\n"),
      file("/etc/dovecot/dovecot.conf", "auth_failure_delay = 2s\nssl = required\n"),
      file("/etc/dovecot/mailfort-app-passwords.lua", "auth_failure_delay = 0\n"),
    ]);
    expect(s?.top.get("auth_failure_delay")).toBe("3s");
    expect(s?.top.get("ssl")).toBe("yes");
    expect(dovecotHostSettings([file("/etc/postfix/main.cf", "x = y\n")])).toBeUndefined();
  });
});
