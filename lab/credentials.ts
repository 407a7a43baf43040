// Test credentials of the lab stack. stacks/Pulumi.lab.yaml holds their bcrypt hashes; they open
// only the lab VM on its closed network, so they are kept here in plain text. With app passwords
// on, `password` (the mailbox password) opens only the webmail; mail clients use `appPassword`
// (declared in the stack as auth.serviceAppPasswords).

export interface LabCredential {
  readonly address: string;
  readonly password: string;
  readonly appPassword: string;
}

export const LAB_CREDENTIALS: readonly LabCredential[] = [
  { address: "alice@mailfort.test", password: "lab-alice-pass-1", appPassword: "lab-alice-app-verify" },
  { address: "bob@mailfort.test", password: "lab-bob-pass-2", appPassword: "lab-bob-app-verify" },
  { address: "carol@second.test", password: "lab-carol-pass-3", appPassword: "lab-carol-app-verify" },
];

export function labCredential(address: string): LabCredential {
  const c = LAB_CREDENTIALS.find((x) => x.address === address);
  if (!c) throw new Error(`no lab credential for ${address}; known: ${LAB_CREDENTIALS.map((x) => x.address).join(", ")}`);
  return c;
}

/** The password a mail client (IMAP, POP3, SMTP AUTH) signs in with: the declared app password
 * when the stack turns app passwords on (the mailbox password is then refused from outside). */
export function clientPassword(c: LabCredential, appPasswords: boolean): string {
  return appPasswords ? c.appPassword : c.password;
}
