export { ConfigError, type ConfigIssue } from "./errors";
export { type AliasConfig, type DomainConfig, type MailConfig, mailDomains, ssmPrefix } from "./mail-config";
export { SECRET_KEY_RE, domainOf, isDomainName, isMailAddress, isWithin, localPartOf } from "./names";
export { parseMailConfig } from "./parse";
export { decryptStackSecrets, setStackSecret } from "./passphrase";
export { isStrongPasswordHash } from "./password-hash";
export { NAMESPACE, type RawStackConfig, decodeValue, namespaceEntries } from "./raw";
export { FIX_SEP, mailConfigSchema } from "./schema";
export { OPAQUE_SECRET_PLACEHOLDER, type StackFile, parseStackFile } from "./stack-file";
