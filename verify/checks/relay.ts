// Open-relay battery: classic tricks that once made servers relay (RFC 2505, the old relay
// test suites): each is a MAIL/RCPT exchange on port 25 without authentication, and the check
// fails if the server accepts (2xx) a recipient outside its domains. No DATA is ever sent, so
// even a broken server relays nothing.
import { targetAddress } from "../dns-client";
import { SmtpProbe, ehlo } from "../smtp-probe";
import { relaySlot, sourceAddress } from "../source-address";
import { type Check, type VerifyTarget, fail } from "../types";

interface RelayTrick {
  readonly name: string;
  readonly helo?: (t: VerifyTarget) => string;
  readonly mailFrom: (t: VerifyTarget, ext: Ext) => string;
  readonly rcptTo: (t: VerifyTarget, ext: Ext, address: string) => string;
}

interface Ext {
  readonly user: string;
  readonly domain: string;
  readonly address: string;
}

function ext(t: VerifyTarget): Ext {
  const [user = "relaytest", domain = "relay-target.invalid"] = t.externalRecipient.split("@");
  return { user, domain, address: t.externalRecipient };
}

const d = (t: VerifyTarget) => t.domains[0] ?? t.host;
const fromSender = (_t: VerifyTarget, e: Ext) => `<relaytest@${e.domain}>`;

export const RELAY_TRICKS: readonly RelayTrick[] = [
  { name: "plain external recipient", mailFrom: fromSender, rcptTo: (_t, e) => `<${e.address}>` },
  { name: "percent hack", mailFrom: fromSender, rcptTo: (t, e) => `<${e.user}%${e.domain}@${d(t)}>` },
  { name: "percent hack at the server's IP literal", mailFrom: fromSender, rcptTo: (_t, e, a) => `<${e.user}%${e.domain}@[${a}]>` },
  { name: "double percent hack", mailFrom: fromSender, rcptTo: (t, e) => `<${e.user}%${e.domain}%${d(t)}@${d(t)}>` },
  { name: "source route via our domain", mailFrom: fromSender, rcptTo: (t, e) => `<@${d(t)}:${e.address}>` },
  { name: "source route via the mail host", mailFrom: fromSender, rcptTo: (t, e) => `<@${t.host}:${e.address}>` },
  { name: "source route via the IP literal", mailFrom: fromSender, rcptTo: (_t, e, a) => `<@[${a}]:${e.address}>` },
  { name: "bang path", mailFrom: fromSender, rcptTo: (_t, e) => `<${e.domain}!${e.user}>` },
  { name: "bang path at our domain", mailFrom: fromSender, rcptTo: (t, e) => `<${e.domain}!${e.user}@${d(t)}>` },
  { name: "quoted address", mailFrom: fromSender, rcptTo: (_t, e) => `<"${e.address}">` },
  { name: "quoted address at our domain", mailFrom: fromSender, rcptTo: (t, e) => `<"${e.address}"@${d(t)}>` },
  { name: "quoted percent hack at our domain", mailFrom: fromSender, rcptTo: (t, e) => `<"${e.user}%${e.domain}"@${d(t)}>` },
  { name: "escaped at-sign", mailFrom: fromSender, rcptTo: (t, e) => `<${e.user}\\@${e.domain}@${d(t)}>` },
  { name: "double at-sign", mailFrom: fromSender, rcptTo: (t, e) => `<${e.address}@${d(t)}>` },
  { name: "external IP-literal recipient", mailFrom: fromSender, rcptTo: (_t, e) => `<${e.user}@[192.0.2.1]>` },
  { name: "unqualified recipient", mailFrom: fromSender, rcptTo: (_t, e) => `<${e.user}>` },
  { name: "recipient domain with a trailing dot", mailFrom: fromSender, rcptTo: (_t, e) => `<${e.user}@${e.domain}.>` },
  { name: "upper-case external domain", mailFrom: fromSender, rcptTo: (_t, e) => `<${e.user}@${e.domain.toUpperCase()}>` },
  { name: "null sender to an external recipient", mailFrom: () => "<>", rcptTo: (_t, e) => `<${e.address}>` },
  { name: "sender forged as our postmaster", mailFrom: (t) => `<postmaster@${d(t)}>`, rcptTo: (_t, e) => `<${e.address}>` },
  { name: "sender forged as the recipient itself", mailFrom: (_t, e) => `<${e.address}>`, rcptTo: (_t, e) => `<${e.address}>` },
  { name: "sender at localhost", mailFrom: () => "<relaytest@localhost>", rcptTo: (_t, e) => `<${e.address}>` },
  { name: "HELO as the server's own hostname", helo: (t) => t.host, mailFrom: fromSender, rcptTo: (_t, e) => `<${e.address}>` },
  { name: "HELO as localhost", helo: () => "localhost", mailFrom: fromSender, rcptTo: (_t, e) => `<${e.address}>` },
  { name: "recipient with a space before the bracket", mailFrom: fromSender, rcptTo: (_t, e) => ` <${e.address}>` },
];

/**
 * The battery from one vantage point. Each trick must reach RCPT and be refused there (or
 * earlier, by the server's own decision); a connection that cannot be made, or that drops
 * mid-dialogue, proves nothing and fails the check. `firstSlot`: the first --source-address
 * slot the battery may use (the slots before it belong to other hostile checks).
 */
export function relayChecks(label: string, firstSlot = 0): Check[] {
  return RELAY_TRICKS.map((trick, i) => ({
    id: `relay-${label}-${String(i + 1).padStart(2, "0")}`,
    title: `no relay from ${label}: ${trick.name}`,
    run: async (t: VerifyTarget) => {
      const address = await targetAddress(t);
      const localAddress = sourceAddress(t, relaySlot(t, firstSlot, i));
      const from = localAddress ? ` from ${localAddress}` : "";
      const e = ext(t);
      let opened: Awaited<ReturnType<typeof SmtpProbe.open>>;
      try {
        opened = await SmtpProbe.open({ host: t.host, address, port: 25, localAddress, timeoutMs: 20_000 });
      } catch (err) {
        return fail(`inconclusive: no connection to 25${from} (${err instanceof Error ? err.message : String(err)}); fail2ban bans an address after maxRetry refused tricks: give verify more --source-address values, or run it from an address in bruteForce.ignoreIps`);
      }
      const { probe, greeting } = opened;
      try {
        if (greeting.code === 0) fail(`inconclusive: the connection${from} closed before the greeting (${greeting.text})`);
        if (greeting.code !== 220) return `refused at connect${from}: ${greeting.text.split("\n")[0]}`;
        const hello = await ehlo(probe, trick.helo ? trick.helo(t) : t.heloName);
        if (hello.reply.code === 0) fail(`inconclusive: the connection${from} closed at EHLO`);
        if (hello.reply.code !== 250) return `refused at EHLO${from}: ${hello.reply.text.split("\n")[0]}`;
        const mail = await probe.cmd(`MAIL FROM:${trick.mailFrom(t, e)}`);
        if (mail.code === 0) fail(`inconclusive: the connection${from} closed at MAIL`);
        if (mail.code < 200 || mail.code >= 300) return `refused at MAIL${from}: ${mail.text}`;
        const rcptArg = trick.rcptTo(t, e, address);
        const rcpt = await probe.cmd(`RCPT TO:${rcptArg}`);
        if (rcpt.code >= 200 && rcpt.code < 300) fail(`RCPT TO:${rcptArg} accepted: ${rcpt.text}`);
        if (rcpt.code === 0) fail(`inconclusive: RCPT TO:${rcptArg}${from}: the connection closed without a reply`);
        return `RCPT TO:${rcptArg}${from} -> ${rcpt.text}`;
      } finally {
        probe.close();
      }
    },
  }));
}
