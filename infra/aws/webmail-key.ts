// Roundcube's des_key: random, made once by Pulumi (@pulumi/random keeps it in the state as a
// secret, so every `pulumi up` keeps the same key), and handed to the host only through SSM. It
// seals the webmail's sessions and the TOTP secrets at rest: a new key would log everyone out
// and make every enrolled second factor unreadable, so it never changes by itself.
import type * as pulumi from "@pulumi/pulumi";
import { RandomPassword } from "@pulumi/random/randomPassword";

/** 43 base64url-ish characters (~256 bits): Roundcube's AES-256-CBC takes the first 32 bytes. */
export function webmailKey(name: string, parent: pulumi.Resource): pulumi.Output<string> {
  return new RandomPassword(`${name}-webmail-des-key`, { length: 43, special: false }, { parent }).result;
}
