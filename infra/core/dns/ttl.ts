// Record TTLs, in seconds, and why.

/** One hour for nearly everything: the server's address is an Elastic IP and the mail
 * records change only when the stack changes, so an hour keeps resolver load low while a
 * mistake still heals the same afternoon. Route53 charges per query, a longer TTL saves little. */
export const TTL_DEFAULT = 3600;

/** TLSA: five minutes. A DANE sender refuses to deliver when no TLSA record matches the
 * server's key (RFC 7672 2.2), so a key that changes without a pre-published TLSA (a restore
 * from an old snapshot, a lost data volume) must be fixable fast. The key is reused across
 * renewals (certbot --reuse-key), so the short TTL costs almost nothing in normal life. */
export const TTL_TLSA = 300;

/** SOA timers for the rendered zone files (RFC 1912 2.2 ranges): refresh, retry, expire,
 * negative-caching TTL (RFC 2308: short, so a record added after a miss shows up quickly). */
export const SOA_TIMERS = { refresh: 7200, retry: 3600, expire: 1_209_600, negativeTtl: 300 } as const;
