// DKIM rotation (docs/dkim-rotation.md): at every step, mail an authenticated user sends reaches
// the remote MX signed with the selector the step signs with, and that signature verifies there
// against the DNS the world sees (the records themselves are the client group's record checks,
// against the step's synth.json). A message queued across the switch is the replacement checks'
// (before-replace leaves one queued; after-replace's replace-queue-delivered finds it delivered
// with a passing signature), run around the step that switches: the switch is an SSM parameter the
// host syncs, not a new instance (lab/dkim-rotation-phase.ts walks it on the lab VM in `npm run lab`).
import { authenticate } from "mailauth";
import { mailauthResolver, targetAddress } from "../dns-client";
import { poll } from "../poll";
import { rfc5322, sendWithRetry, token } from "../submit";
import { type Check, fail, skip } from "../types";
import { remoteMessagesWith } from "./replace-notes";

export const dkimRotationChecks: Check[] = [
  {
    id: "dkim-rotation-signs-with",
    title: "outbound mail is DKIM-signed with this rotation step's selector, and the signature verifies at the remote MX",
    run: async (t) => {
      const selector = t.dkimSelector ?? skip("no --dkim-selector: which selector this step signs with");
      const box = t.mailboxes[0] ?? skip("no test mailbox given");
      const maildir = t.remoteMaildir ?? skip("no remote mailbox to read (lab only: --remote-maildir)");
      const to = t.remoteRecipient ?? skip("no remote recipient (--remote-recipient)");
      const domain = box.address.split("@")[1] ?? "";
      const tok = token("dkim-rotation");
      const sent = await sendWithRetry(t, { port: 587, auth: box, from: box.address, to: [to], message: rfc5322({ from: box.address, to, subject: tok, body: `DKIM rotation test ${tok}` }) });
      if (!sent.ok) fail(`submission refused: ${sent.code} ${sent.response}`);
      const message = await poll(async () => remoteMessagesWith(maildir, tok)[0], 180_000);
      if (!message) fail(`submitted (${sent.response}) but not delivered to ${to} within 180 s`);
      const result = await authenticate(message, { ip: await targetAddress(t), helo: t.host, sender: box.address, mta: "remote-verifier", resolver: mailauthResolver(t) });
      const signatures = result.dkim.results.map((r) => ({ selector: (r as { selector?: string }).selector ?? "", domain: r.signingDomain ?? "", result: r.status.result }));
      const shown = signatures.map((s) => `${s.result}(s=${s.selector} d=${s.domain})`).join(", ") || "none";
      const ours = signatures.filter((s) => s.domain === domain);
      if (!ours.some((s) => s.selector === selector)) fail(`not signed with selector ${selector} for ${domain}: DKIM ${shown}`);
      if (!ours.some((s) => s.selector === selector && s.result === "pass")) fail(`signed with ${selector}, but it does not verify at the remote MX: DKIM ${shown}`);
      const dmarc = result.dmarc ? result.dmarc.status.result : "none";
      if (dmarc !== "pass") fail(`DKIM ${shown}, but DMARC ${dmarc}`);
      return `DKIM ${shown}, DMARC ${dmarc}`;
    },
  },
];
