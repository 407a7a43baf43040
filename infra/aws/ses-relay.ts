// Outbound through Amazon SES (outbound.mode ses), for accounts where AWS blocks port 25 out:
// a verified domain identity per sending domain (easy DKIM: its tokens become CNAMEs in the
// record set) and an IAM user whose only right is to send raw mail as those identities. Its
// SMTP password goes to SSM as a SecureString.
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { TYPE_PREFIX, logicalName } from "./tags";

export interface SesRelayArgs {
  stack: string;
  sesRegion: string;
  domains: string[];
  /** Provider for sesRegion (identities and the SMTP password are regional). */
  provider?: aws.Provider;
  tags: Record<string, string>;
}

export class SesRelay extends pulumi.ComponentResource {
  /** Easy-DKIM tokens per domain (3 each), each from that domain's identity alone. */
  readonly dkimTokens: Readonly<Record<string, pulumi.Output<string[]>>>;
  /** JSON {host, port, username, password}: secret. */
  readonly smtpCredentials: pulumi.Output<string>;

  constructor(name: string, args: SesRelayArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:SesRelay`, name, {}, opts);
    const regional = { parent: this, ...(args.provider !== undefined ? { provider: args.provider } : {}) };
    const identities = args.domains.map((domain) => ({ domain, identity: new aws.sesv2.EmailIdentity(logicalName(name, domain), {
      emailIdentity: domain,
      dkimSigningAttributes: { nextSigningKeyLength: "RSA_2048_BIT" },
      tags: args.tags,
    }, regional) }));
    this.dkimTokens = Object.fromEntries(identities.map(({ domain, identity }) => [domain, identity.dkimSigningAttributes.tokens.apply((t) => t ?? [])]));

    const user = new aws.iam.User(`${name}-smtp`, { path: "/mailfort/", tags: args.tags }, { parent: this });
    new aws.iam.UserPolicy(`${name}-smtp`, {
      user: user.name,
      policy: pulumi.all(identities.map((i) => i.identity.arn)).apply((arns) => JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Sid: "SendAsOwnDomainsOnly", Effect: "Allow", Action: ["ses:SendRawEmail"], Resource: arns }],
      })),
    }, { parent: this });
    const key = new aws.iam.AccessKey(`${name}-smtp`, { user: user.name }, regional);
    this.smtpCredentials = pulumi.secret(pulumi.all([key.id, key.sesSmtpPasswordV4]).apply(([username, password]) => JSON.stringify({
      host: `email-smtp.${args.sesRegion}.amazonaws.com`, port: 587, username, password,
    })));
    this.registerOutputs({ dkimTokens: this.dkimTokens });
  }
}
