export { ConfigError, type ConfigIssue } from "./errors";
export { type AliasConfig, type DomainConfig, type MailConfig, mailDomains, ssmPrefix } from "./mail-config";
export { domainOf, isDomainName, isMailAddress, isWithin, localPartOf } from "./names";
export { parseMailConfig } from "./parse";
export { decryptStackSecrets, setStackSecret } from "./passphrase";
export { isStrongPasswordHash } from "./password-hash";
export { NAMESPACE, type RawStackConfig, decodeValue } from "./raw";
export { OPAQUE_SECRET_PLACEHOLDER, type StackFile, parseStackFile } from "./stack-file";
