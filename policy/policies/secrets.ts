// Secrets: private keys, password hashes and tokens live only in SSM SecureStrings (and in the
// provider fields built to carry them). Never in user data (readable by anyone with
// ec2:DescribeInstanceAttribute, and logged by cloud-init), tags, or any other plain input.
import { resourcePolicy, stackPolicy, str } from "../define";
import { SSM_PARAMETER, readHostBundle } from "../lib/host-bundle";
import { userDataOf } from "../lib/user-data";

export { SSM_PARAMETER };

/** What a secret looks like, with a name for the message. Never print the match itself. */
const SECRET_PATTERNS: readonly { readonly what: string; readonly re: RegExp }[] = [
  { what: "a PEM private key", re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/ },
  // The scheme with the hash after it; a quote right after the brace is code that builds a hash
  // (the webmail's app-password store writes '{BLF-CRYPT}' . password_hash(...)), not a hash.
  { what: "a Dovecot password hash", re: /\{(?:ARGON2ID|ARGON2I|BLF-CRYPT|SHA512-CRYPT|SHA256-CRYPT|SSHA512|SSHA256|SSHA|MD5-CRYPT|CRYPT|PBKDF2|PLAIN|CLEAR)\}[^\s'"`]/ },
  { what: "an argon2 hash", re: /\$argon2(?:id|i|d)\$/ },
  { what: "a bcrypt hash", re: /\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{20,}/ },
  { what: "a SHA-crypt / yescrypt hash", re: /\$(?:5|6|y|gy)\$[./A-Za-z0-9$]{16,}/ },
  { what: "an AWS access key id", re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { what: "a GitHub token", re: /\bgh[pousr]_[A-Za-z0-9]{30,}\b/ },
  { what: "a Slack token", re: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { what: "a literal password/secret/token assignment", re: /(?:^|[\s"'{,;])(?:password|passwd|secret|secret_key|api_key|apikey|token)\s*[:=]\s*["']?(?![$<{[(]|hash:|file:|\/)[^\s"',;]{8,}/im },
];

function findSecret(text: string): string | undefined {
  return SECRET_PATTERNS.find((p) => p.re.test(text))?.what;
}

/** Inputs built to carry a secret, which the provider marks secret: not "plain" inputs. */
function isSecretCarrier(type: string, pathText: string, props: Record<string, unknown>): boolean {
  if (type === SSM_PARAMETER && pathText === "value") return known(props, "type") === "SecureString";
  if (type.startsWith("tls:") && /privateKeyPem$/i.test(pathText)) return true;
  if (type.startsWith("random:") && /^result$/.test(pathText)) return true;
  return false;
}

/**
 * A child value, or undefined when it is unknown during `pulumi preview` (CrossGuard's proxy
 * throws on reading one). Computed values are judged at `pulumi up`, when they are known; without
 * this, one unknown would turn the whole scan of a resource into a "can't run" notice.
 */
function known(obj: object, key: string | number): unknown {
  try {
    return (obj as Record<string | number, unknown>)[key];
  } catch (e) {
    // @pulumi/policy's UnknownValueError is internal (no type exported): recognise it by its field.
    if (e instanceof Error && "unknownTypeSentinel" in e) return undefined;
    throw e;
  }
}

/** Every (known) string in a props tree, with its dotted path. */
export function* stringsIn(v: unknown, at = ""): Generator<[string, string]> {
  if (typeof v === "string") yield [at, v];
  else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) yield* stringsIn(known(v, i), `${at}[${i}]`);
  else if (typeof v === "object" && v !== null) for (const k of Object.keys(v)) yield* stringsIn(known(v, k), at ? `${at}.${k}` : k);
}

export const noPlainSecretsPolicy = resourcePolicy({
  name: "secrets-not-in-plain-inputs",
  area: "secrets",
  description: "No private key, password, password hash or token in user data (decoded, including every written file) or in any other non-secret resource input.",
  why: "User data, tags and plain inputs are readable by anyone with describe rights, end up in logs and in plain Pulumi state; secrets go through SSM SecureStrings.",
  types: "*",
  check: (props, report, { args }) => {
    for (const [at, text] of stringsIn(props)) {
      if (isSecretCarrier(args.type, at, props)) continue;
      if (at === "userData" || at === "userDataBase64") continue; // judged decoded, below
      const what = findSecret(text);
      if (what) report(`input ${at} holds ${what}; move it to an SSM SecureString under /mailfort/<stack>/ and fetch it on the host`);
    }
    const ud = typeof known(props, "userData") === "string" || typeof known(props, "userDataBase64") === "string" ? userDataOf(props) : undefined;
    if (!ud) return;
    const what = findSecret(ud.text);
    if (what) report(`user data holds ${what}; secrets must reach the host through SSM SecureStrings, never user data`);
    for (const f of ud.files) {
      const w = findSecret(f.content);
      if (w) report(`user data file ${f.path} holds ${w}; fetch it from SSM on boot instead`);
    }
  },
});

/** SSM parameter names that hold secrets by the mailfort parameter contract (infra/core/parameters.ts). */
const SECRET_PARAMETER_PATHS = /\/(dkim\/|tls\/key$|mailboxes\/|ses\/|rspamd\/)/;

export const secureStringPolicy = resourcePolicy({
  name: "secrets-securestring",
  area: "secrets",
  description: "SSM parameters that hold secrets (DKIM/TLS keys, mailbox hashes, SMTP credentials, controller hashes, or anything that looks like one) are SecureString.",
  why: "A String parameter is readable with ssm:GetParameter by anyone and appears in plain text in state and the console; SecureString is KMS-encrypted.",
  types: [SSM_PARAMETER],
  check: (props, report) => {
    if (props.type === "SecureString") return;
    const name = str(props.name) ?? "";
    const what = typeof props.value === "string" ? findSecret(props.value) : undefined;
    if (SECRET_PARAMETER_PATHS.test(name)) report(`parameter ${name} holds secret material by the parameter contract but is ${JSON.stringify(props.type ?? "String")}; make it SecureString`);
    else if (what) report(`parameter ${name || "(unnamed)"} holds ${what} but is ${JSON.stringify(props.type ?? "String")}; make it SecureString`);
  },
});

export const noSecretsInHostBundlePolicy = stackPolicy({
  name: "secrets-not-in-host-files",
  area: "secrets",
  description: "No private key, password, password hash or token in the host files the instance installs from the stack's SSM host bundle (String parameters, judged decoded, file by file).",
  why: "The host bundle is plain String parameters: readable with ssm:GetParameter, shown in the console and kept in plain state; secrets go through SecureStrings and the secret fetch.",
  check: (resources, report, { facts }) => {
    for (const f of readHostBundle(resources, facts.stack).files) {
      const what = findSecret(f.content);
      if (what) report(`host bundle file ${f.path} holds ${what}; move it to an SSM SecureString under /mailfort/<stack>/ and write it on the host with mailfort-secrets`);
    }
  },
});
