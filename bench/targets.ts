// The four throughput targets, measured side by side in one boot: (a) and (a') a bare Postfix
// that discards, (b) the inbound path on 25, (c) authenticated submission on 587.
export type Target = "bare" | "inbound" | "bare-auth-client" | "submission";

export const TARGETS: Record<Target, { readonly label: string; readonly client: string }> = {
  bare: { label: "(a) bare Postfix -> discard, port 2525", client: "smtp-source" },
  inbound: { label: "(b) inbound path on 25: postscreen, Rspamd, LMTP -> Dovecot", client: "smtp-source" },
  "bare-auth-client": { label: "(a') bare Postfix -> discard, port 2525", client: "nodemailer (pool)" },
  submission: { label: "(c) submission 587: STARTTLS + AUTH, Rspamd, DKIM signing, LMTP -> Dovecot", client: "nodemailer (pool)" },
};
