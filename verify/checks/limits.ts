// Limits: oversized messages refused with 552, too many recipients refused, and a flood of
// connections from one address cut off past the per-client limit.
import { targetAddress } from "../dns-client";
import { SmtpProbe, ehlo } from "../smtp-probe";
import { rfc5322, sendWithRetry } from "../submit";
import { type Check, type VerifyTarget, fail, skip } from "../types";
import { sourceAddress } from "../source-address";

function rcptDomainMailbox(t: VerifyTarget): string {
  return t.mailboxes[0]?.address ?? `postmaster@${t.domains[0]}`;
}

export const limitChecks: Check[] = [
  {
    id: "limit-size-declared",
    title: "a message declared over the size limit (SIZE=) is refused with 552",
    run: async (t) => {
      const { probe, greeting } = await SmtpProbe.open({ host: t.host, address: await targetAddress(t), port: 25 });
      try {
        if (greeting.code !== 220) fail(`greeting: ${greeting.text}`);
        const { extensions } = await ehlo(probe, t.heloName);
        const sizeExt = extensions.find((e) => e.startsWith("SIZE"));
        const limit = Number(sizeExt?.split(/\s+/)[1] ?? (t.limits ? t.limits.messageSizeMb * 1024 * 1024 : NaN));
        if (!Number.isFinite(limit) || limit <= 0) fail(`no SIZE limit advertised (${extensions.join(", ")})`);
        if (t.limits && limit > t.limits.messageSizeMb * 1024 * 1024 * 1.5) fail(`advertised SIZE ${limit} is above the configured ${t.limits.messageSizeMb} MB`);
        const r = await probe.cmd(`MAIL FROM:<sizetest@${t.externalRecipient.split("@")[1]}> SIZE=${limit + 1024 * 1024}`);
        if (r.code !== 552) fail(`expected 552 for SIZE=${limit + 1024 * 1024}, got ${r.text}`);
        return `SIZE ${limit}; over it -> ${r.text}`;
      } finally {
        probe.close();
      }
    },
  },
  {
    id: "limit-size-actual",
    title: "a message actually over the size limit is refused with 552 at end of data",
    run: async (t) => {
      const limitMb = t.limits?.messageSizeMb ?? skip("size limit unknown (give --max-size-mb)");
      const to = rcptDomainMailbox(t);
      const from = `sizetest@${t.externalRecipient.split("@")[1]}`;
      const line = "x".repeat(998);
      const body = Array.from({ length: Math.ceil(((limitMb + 1) * 1024 * 1024) / 1000) }, () => line).join("\r\n");
      const r = await sendWithRetry(t, { port: 25, from, to: [to], message: rfc5322({ from, to, subject: "oversize", body }) }, 3, 10_000);
      if (r.ok) fail(`a ${limitMb + 1} MB message was accepted`);
      if (r.code !== 552) fail(`expected 552, got ${r.code} ${r.response}`);
      return r.response;
    },
  },
  {
    id: "limit-recipients",
    title: "recipients past the per-message limit are refused",
    run: async (t) => {
      const limit = t.limits?.recipientsPerMessage ?? skip("recipient limit unknown (give --max-recipients)");
      const { probe, greeting } = await SmtpProbe.open({ host: t.host, address: await targetAddress(t), port: 25 });
      try {
        if (greeting.code !== 220) fail(`greeting: ${greeting.text}`);
        await ehlo(probe, t.heloName);
        const mail = await probe.cmd(`MAIL FROM:<rcpttest@${t.externalRecipient.split("@")[1]}>`);
        if (mail.code !== 250) fail(`MAIL refused: ${mail.text}`);
        const to = rcptDomainMailbox(t);
        let accepted = 0;
        let refusal = "";
        for (let i = 0; i < limit + 5; i++) {
          const r = await probe.cmd(`RCPT TO:<${to}>`);
          if (r.code === 250) accepted++;
          else if (r.code === 0) {
            refusal = "connection closed";
            break;
          } else {
            refusal = r.text;
            if (r.code < 400) fail(`unexpected ${r.text}`);
            // Greylisting or postscreen tests may defer the first recipient; that is not the limit.
            if (accepted === 0 && /greylist|try again|postscreen/i.test(r.text)) return skip(`deferred before any recipient: ${r.text}`);
            if (accepted < limit) fail(`refused at recipient ${accepted + 1} (limit ${limit}): ${r.text}`);
            break;
          }
        }
        if (accepted > limit) fail(`accepted ${accepted} recipients, limit ${limit}`);
        if (!refusal) fail(`no refusal after ${accepted} recipients`);
        return `accepted ${accepted}, then: ${refusal}`;
      } finally {
        probe.close();
      }
    },
  },
];

/** Open many connections at once from this address; the server must cut some off. Bounded. */
/** `slot`: the --source-address slot the flood comes from (the flood gets that address banned). */
export function floodCheck(port: 25 | 587, slot: number, connections = 80): Check {
  return {
    id: `limit-connection-flood-${port}`,
    title: `a flood of ${connections} simultaneous connections to ${port} from one address is cut off past the limit`,
    run: async (t) => {
      const address = await targetAddress(t);
      const localAddress = sourceAddress(t, slot);
      const results = await Promise.all(
        Array.from({ length: connections }, async () => {
          try {
            const { probe, greeting } = await SmtpProbe.open({ host: t.host, address, port, localAddress, timeoutMs: 40_000 });
            return { probe, code: greeting.code, text: greeting.text.split("\n")[0] ?? "" };
          } catch (e) {
            return { probe: undefined, code: -1, text: e instanceof Error ? e.message : String(e) };
          }
        }),
      );
      for (const r of results) r.probe?.close();
      const greeted = results.filter((r) => r.code === 220).length;
      const cut = results.filter((r) => r.code !== 220);
      if (cut.length === 0) fail(`all ${connections} connections were greeted`);
      if (greeted === 0) fail(`inconclusive: not one connection was greeted (${cut[0]?.code} ${cut[0]?.text}); is this client banned?`);
      const sample = [...new Set(cut.map((r) => `${r.code} ${r.text}`))].slice(0, 3).join(" | ");
      return `${greeted} greeted, ${cut.length} cut off (${sample})${localAddress ? ` from ${localAddress}` : ""}`;
    },
  };
}
