// One RSA 2048 DKIM key per sending domain and selector. The public half goes to DNS; the
// private half goes only to an SSM SecureString (never user data).
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { TYPE_PREFIX, logicalName } from "./tags";

export interface DkimKeysArgs {
  keys: Array<{ domain: string; selector: string }>;
}

export interface DkimKey {
  readonly domain: string;
  readonly selector: string;
  readonly publicKeyPem: pulumi.Output<string>;
  readonly privateKeyPem: pulumi.Output<string>;
}

/** RSA 2048: what every verifier accepts and what fits a TXT record split in 255-char strings. */
export const DKIM_KEY = { algorithm: "RSA", rsaBits: 2048 } as const;

/** The tls.PrivateKey of one selector: its name holds selector and domain, so a rotation's new
 * generation is a new resource and the old one's stays the same resource until it is removed. */
export function dkimKeyResourceName(component: string, selector: string, domain: string): string {
  return logicalName(component, selector, domain);
}

export class DkimKeys extends pulumi.ComponentResource {
  readonly keys: readonly DkimKey[];

  constructor(name: string, args: DkimKeysArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TYPE_PREFIX}:DkimKeys`, name, {}, opts);
    this.keys = args.keys.map(({ domain, selector }) => {
      const key = new tls.PrivateKey(dkimKeyResourceName(name, selector, domain), { ...DKIM_KEY }, { parent: this });
      return { domain, selector, publicKeyPem: key.publicKeyPem, privateKeyPem: key.privateKeyPem };
    });
    this.registerOutputs({ keys: this.keys.map((k) => ({ domain: k.domain, selector: k.selector, publicKeyPem: k.publicKeyPem })) });
  }
}
