// Limits so loose they no longer limit: password guessing, outbound spam from a stolen account,
// and certificates nobody trusts on a production server.
import type { Protection } from "./protections";
import { fieldPath } from "./zod-issues";

/** fail2ban: more failures than this per window is no longer a guessing limit. */
const MAX_RETRY = 20;
/** anvil: above one AUTH a second a client guesses 86,400 passwords a day. */
const MAX_AUTH_PER_MINUTE = 60;
/** Rspamd outbound ratelimit: a stolen account's spam run is capped here (default 200). */
const MAX_OUTBOUND_PER_HOUR = 2000;

export const LIMIT_PROTECTIONS: readonly Protection[] = [
  {
    id: "config-weak-bruteforce",
    refuses: `bruteForce.maxRetry above ${MAX_RETRY}`,
    why: "a guesser gets that many tries per window before fail2ban bans it",
    relaxable: true,
    check: (c) => c.bruteForce.maxRetry <= MAX_RETRY ? [] : [{
      path: fieldPath(["bruteForce", "maxRetry"]),
      problem: `is ${c.bruteForce.maxRetry}: a password guesser gets ${c.bruteForce.maxRetry - 1} tries every ${c.bruteForce.findMinutes} minutes without a ban`,
      fix: `set ${MAX_RETRY} or less (the default is 5)`,
    }],
  },
  {
    id: "config-weak-auth-limit",
    refuses: `limits.authAttemptsPerMinute above ${MAX_AUTH_PER_MINUTE}`,
    why: "the AUTH rate limit no longer slows password guessing",
    relaxable: true,
    check: (c) => c.limits.authAttemptsPerMinute <= MAX_AUTH_PER_MINUTE ? [] : [{
      path: fieldPath(["limits", "authAttemptsPerMinute"]),
      problem: `is ${c.limits.authAttemptsPerMinute}: one client could try ${c.limits.authAttemptsPerMinute * 60 * 24} passwords a day`,
      fix: `set ${MAX_AUTH_PER_MINUTE} or less (the default is 10)`,
    }],
  },
  {
    id: "config-high-outbound-limit",
    refuses: `limits.outboundPerUserPerHour above ${MAX_OUTBOUND_PER_HOUR}`,
    why: "the outbound limit is what caps the spam a stolen account sends before someone notices",
    relaxable: true,
    check: (c) => c.limits.outboundPerUserPerHour <= MAX_OUTBOUND_PER_HOUR ? [] : [{
      path: fieldPath(["limits", "outboundPerUserPerHour"]),
      problem: `is ${c.limits.outboundPerUserPerHour}: a stolen account could send that many messages an hour`,
      fix: `set ${MAX_OUTBOUND_PER_HOUR} or less (the default is 200); bulk mail belongs on a service built for it`,
    }],
  },
  {
    id: "config-containment-off",
    refuses: "containment.enabled false with environment prod",
    why: "a hijacked account would keep sending spam until someone notices, instead of being suspended within minutes",
    relaxable: true,
    check: (c) => c.environment !== "prod" || c.containment.enabled ? [] : [{
      path: fieldPath(["containment", "enabled"]),
      problem: "is false on a prod stack: an account whose password is stolen would keep sending spam under the server's name until someone notices",
      fix: "remove it (containment is on by default), or raise containment.limitFactor / containment.rejectsPerHour if suspensions come too early",
    }],
  },
  {
    id: "config-untrusted-tls-in-prod",
    refuses: "tls.mode self-signed or acme-staging with environment prod",
    why: "MTA-STS senders refuse an untrusted certificate, and users who learn to click through warnings can be intercepted",
    relaxable: true,
    check: (c) => c.environment !== "prod" || c.tls.mode === "acme" ? [] : [{
      path: fieldPath(["tls", "mode"]),
      problem: `is ${c.tls.mode} on a prod stack: clients and sending servers would see a certificate no one trusts`,
      fix: "use tls.mode: acme (Let's Encrypt)",
    }],
  },
];
