// Domain names as reports carry them: checked strictly because a policy domain also names the
// report's folder in the store (no "..", no slash, no leading dot can pass).
import { z } from "zod";

const LABEL = "[a-zA-Z0-9_](?:[a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])?";
export const DOMAIN_RE = new RegExp(`^(?=.{1,253}\\.?$)(?:${LABEL}\\.)*${LABEL}\\.?$`);

export const domainName = z.string().regex(DOMAIN_RE, "expected a domain name").transform((d) => d.toLowerCase().replace(/\.$/, ""));
