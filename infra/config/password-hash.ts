// Mailbox password hashes: only schemes Dovecot 2.4 verifies with a strong, salted, slow
// function. Produce one with `doveadm pw -s ARGON2ID` (or BLF-CRYPT) and store it as a secret.

const ARGON2ID = /^\{ARGON2ID\}\$argon2id\$v=19\$m=\d{4,8},t=\d{1,3},p=\d{1,3}\$[A-Za-z0-9+/]{11,}\$[A-Za-z0-9+/]{16,}$/;
const BLF_CRYPT = /^\{BLF-CRYPT\}\$2[aby]\$(?:0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/;

export function isStrongPasswordHash(value: string): boolean {
  return ARGON2ID.test(value) || BLF_CRYPT.test(value);
}

export const PASSWORD_HASH_FIX =
  "store a Dovecot hash made with `doveadm pw -s ARGON2ID` (or `-s BLF-CRYPT`), including its {SCHEME} prefix: " +
  "pulumi config set --secret <key> '<hash>'";
