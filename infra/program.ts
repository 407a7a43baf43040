// The mailfort Pulumi program, as a function: read and validate the whole stack config (every
// error at once, before any resource exists), look up a restore's snapshot (still before any
// resource but the region's provider is registered), then build one MailServer with that
// explicit AWS provider. infra/index.ts exports its outputs; the offline synth calls it under mocks.
import * as aws from "./aws/sdk";
import * as pulumi from "@pulumi/pulumi";
import { type MailConfig, NAMESPACE, type RawStackConfig, parseMailConfig } from "./config";
import { acmeZoneNames } from "./core/certificate-names";
import { type RenderedHost, renderHostConfig } from "./core/host";
import { planAcmePolicies } from "./aws/acme-policies";
import { MailServer } from "./aws/mail-server";
import { PostDeployVerify } from "./aws/post-deploy-verify";
import { checkedRestoreSource } from "./aws/restore-source";
import { recordedRotationState } from "./aws/dkim-rotation-state";
import { type RotationDecision, decideRotation } from "./core/dkim-rotation";
import { TTL_DEFAULT } from "./core/dns";
import type { VerificationSummary } from "./core/post-deploy-verify";

export interface Mailfort {
  /** The stack config, its DKIM layout that of the rotation step this run takes. */
  readonly config: MailConfig;
  /** Where the DKIM rotation stands after this run, and what the next up will do. */
  readonly dkimRotation: RotationDecision;
  readonly server: MailServer;
  /** Base64 of the gzip-compressed #cloud-config, exactly as handed to EC2 (userDataBase64). */
  readonly userData: string;
  /** The host's files as rendered: the user data's bootstrap and the SSM host bundle. */
  readonly host: RenderedHost;
  readonly outputs: MailfortOutputs;
}

export interface MailfortOutputs {
  hostname: string;
  ipv4: pulumi.Output<string>;
  ipv6?: pulumi.Output<string | undefined>;
  /** Name servers to set at the registrar, per zone this stack created. */
  nameservers: pulumi.Output<Record<string, string[]>>;
  /** DS records to set at the registrar, per zone (DNSSEC). */
  dsRecords?: pulumi.Output<Record<string, string>>;
  instanceId: pulumi.Output<string>;
  /** How an admin gets a shell: Session Manager (there is no SSH). */
  sessionCommand: pulumi.Output<string>;
  dataVolumeId: pulumi.Output<string>;
  /** After a restore: the volume it replaced (detached, kept); recover later mail from it. */
  previousDataVolumeId?: pulumi.Output<string>;
  ptrRecord: pulumi.Output<string>;
  /** Self-signed mode: the CA clients must trust. */
  caCertPem?: pulumi.Output<string>;
  /** verifyAfterDeploy on: what verify found after this deploy (`pulumi stack output verification`). */
  verification?: pulumi.Output<VerificationSummary>;
}

/** `pulumi.runtime.isConfigSecret` exists at runtime in @pulumi/pulumi 3.x but is marked
 * internal, so it is missing from the typings. */
function isSecretKey(key: string): boolean {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
  if (typeof runtime.isConfigSecret !== "function") throw new Error("internal: @pulumi/pulumi no longer provides runtime.isConfigSecret; update program.ts");
  return runtime.isConfigSecret(key);
}

/** The stack configuration as the parser wants it (throws ConfigError listing every problem). */
function readConfig(): MailConfig {
  const values = pulumi.runtime.allConfig();
  const raw: RawStackConfig = { values, secretKeys: new Set(Object.keys(values).filter(isSecretKey)) };
  return parseMailConfig(raw, pulumi.getStack());
}

export interface MailfortOptions {
  /** The rotation clock (default: the time of the run). The offline synth and the plan pass one
   * to show what an up at that time would do; `pulumi up` always runs on the real time. */
  now?: Date;
}

export async function mailfort(options: MailfortOptions = {}): Promise<Mailfort> {
  const parsed = readConfig();
  const settings = new pulumi.Config(NAMESPACE);
  const hashSecrets = [...parsed.mailboxes.map((m) => m.passwordHashSecret), ...parsed.auth.serviceAppPasswords.map((a) => a.passwordHashSecret)];
  const passwordHashes = Object.fromEntries(hashSecrets.map((key) => [key, settings.requireSecret(key)]));
  const provider = new aws.Provider(`aws-${parsed.region}`, { region: parsed.region as aws.Region, defaultTags: { tags: { "mailfort:stack": parsed.stack } } });
  // The DKIM rotation step: from the state the last up recorded and the clock, before anything
  // is rendered, so the records, the keys and the host's signing map all follow the same step.
  const rotation = parsed.dkim.rotation;
  const recorded = await recordedRotationState(parsed, provider);
  const dkimRotation = decideRotation(recorded, rotation.generation,
    { ttlSeconds: TTL_DEFAULT, marginMinutes: rotation.marginMinutes, graceHours: rotation.graceHours }, options.now ?? new Date());
  const config: MailConfig = { ...parsed, dkimLayout: dkimRotation.layout };
  // Said in every preview while a rotation runs (or this up ends one): which step, what next, from when.
  if (dkimRotation.state.step !== "steady" || dkimRotation.next.step !== "start" || (dkimRotation.advanced && recorded !== undefined)) {
    pulumi.log.info(`DKIM rotation: ${dkimRotation.says}; next up: ${dkimRotation.next.says}${dkimRotation.next.notBefore !== undefined ? `, from ${dkimRotation.next.notBefore.toISOString()}` : ""}`);
  }
  // Before any resource but the provider exists: a host file that cannot render, or more ACME
  // zones than the instance role can hold, fails the program here, not halfway through creating the stack.
  const host = renderHostConfig(config);
  planAcmePolicies(acmeZoneNames(config));
  const userData = host.userDataBase64;
  // Awaited before anything else is registered: a snapshot that is missing or another stack's
  // stops the program here, so not even an `up --skip-preview` creates or changes a resource.
  const restoreSource = await checkedRestoreSource(config, provider);
  const server = new MailServer(`mailfort-${config.stack}`, {
    config, userDataBase64: userData, hostBundle: host.bundle, passwordHashes, ...(restoreSource !== undefined ? { restoreSource } : {}),
    dkimRotation: dkimRotation.state,
  }, { providers: [provider] });
  const created = server.zones.filter((z) => z.created);
  const nameservers = pulumi.all(Object.fromEntries(created.map((z) => [z.domain, z.nameServers])));
  const signed = server.zones.filter((z) => z.dsRecord !== undefined);
  const verify = config.verifyAfterDeploy.enabled
    ? new PostDeployVerify(`mailfort-${config.stack}-verify`, {
      config, address: server.ipv4, instanceId: server.instanceId, records: server.records,
      ...(server.caCertPem !== undefined ? { caCertPem: server.caCertPem } : {}),
      mailboxPasswords: Object.fromEntries(config.verifyAfterDeploy.mailboxes.map((m) => [m.passwordSecret, settings.requireSecret(m.passwordSecret)])),
      after: [server],
    })
    : undefined;
  const outputs: MailfortOutputs = {
    hostname: server.hostname,
    ipv4: server.ipv4,
    ...(server.ipv6 !== undefined ? { ipv6: server.ipv6 } : {}),
    nameservers,
    ...(signed.length > 0 ? { dsRecords: pulumi.all(Object.fromEntries(signed.map((z) => [z.domain, z.dsRecord as pulumi.Output<string>]))) } : {}),
    instanceId: server.instanceId,
    sessionCommand: pulumi.interpolate`aws ssm start-session --target ${server.instanceId} --region ${config.region}`,
    dataVolumeId: server.dataVolumeId,
    ...(server.previousDataVolumeId !== undefined ? { previousDataVolumeId: server.previousDataVolumeId } : {}),
    ptrRecord: server.ptrRecord,
    ...(server.caCertPem !== undefined ? { caCertPem: server.caCertPem } : {}),
    ...(verify !== undefined ? { verification: verify.summary } : {}),
  };
  return { config, dkimRotation, server, userData, host, outputs };
}
