// Brute force: repeated failed logins from one address get it banned (fail2ban) within a stated
// time, while another client keeps working. The ban check runs from the attacker; the
// "others unaffected" check runs afterwards from the sender.
import { targetAddress } from "../dns-client";
import { SmtpProbe, ehlo } from "../smtp-probe";
import { rfc5322, sendMail } from "../submit";
import { type Check, fail } from "../types";
import { portState } from "./auth";

/** How long after the last failed login the ban must be in force. */
export const BAN_WITHIN_SECONDS = 90;

export const bruteForceCheck: Check = {
  id: "bruteforce-ban",
  title: `repeated failed logins get this client banned within ${BAN_WITHIN_SECONDS} s`,
  run: async (t) => {
    const victim = t.mailboxes[0]?.address ?? `postmaster@${t.domains[0]}`;
    const tries = (t.bruteForce?.maxRetry ?? 5) + 3;
    const address = await targetAddress(t);
    let failures = 0;
    for (let i = 0; i < tries; i++) {
      const r = await sendMail(t, { port: 587, auth: { address: victim, password: `guess-${i}` }, from: victim, to: [victim], message: rfc5322({ from: victim, to: victim, subject: "x", body: "x" }) });
      if (r.ok) fail(`login with a guessed password succeeded (try ${i + 1})`);
      if (r.code === 535) failures++;
      else break;
    }
    // fail2ban may count this client's earlier refusals too, so the ban can come before maxRetry.
    if (failures === 0) fail("inconclusive: no login was refused with 535 before the server stopped answering; was this client already banned?");
    const lastFailure = Date.now();
    const banned = async () => (await portState(address, 587, 4000)) !== "open" && (await portState(address, 993, 4000)) !== "open";
    while (Date.now() - lastFailure < BAN_WITHIN_SECONDS * 1000) {
      if (await banned()) return `${failures} failed logins, banned ${((Date.now() - lastFailure) / 1000).toFixed(0)} s after the last one (587 and 993 no longer answer)`;
      await new Promise((r) => setTimeout(r, 3000));
    }
    return fail(`${failures} failed logins, still not banned after ${BAN_WITHIN_SECONDS} s`);
  },
};

export const othersUnaffectedCheck: Check = {
  id: "bruteforce-others-unaffected",
  title: "while the attacker is banned, another client still gets service",
  run: async (t) => {
    const { probe, greeting } = await SmtpProbe.open({ host: t.host, address: await targetAddress(t), port: 587 });
    try {
      if (greeting.code !== 220) fail(`greeting: ${greeting.text}`);
      const { reply } = await ehlo(probe, t.heloName);
      if (reply.code !== 250) fail(`EHLO: ${reply.text}`);
      return `587 greets and answers EHLO: ${greeting.text.split("\n")[0]}`;
    } finally {
      probe.close();
    }
  },
};
