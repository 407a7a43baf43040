// DMARC aggregate XML -> DmarcFeedback, with fast-xml-parser configured for hostile input:
// a document with a DOCTYPE or ENTITY declaration is refused before parsing (no report has one,
// and it is the door to external entities and billion-laughs expansion); entity processing is off
// beyond the five XML built-ins; well-formedness is checked by the library's validator; nesting
// is capped by the parser; the record count is checked before the schema walks the records.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { dmarcFeedbackSchema, type DmarcFeedback } from "./dmarc-schema";
import type { ReportLimits } from "./limits";
import { refuse } from "./refusal";
import { parseOrRefuse } from "./schema-issues";

const DECLARATION = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)/i;
const FORBIDDEN_NAMES = /<\s*\/?\s*(?:[\w.-]+:)?(__proto__|constructor|prototype)\b/;

function parser(limits: ReportLimits): XMLParser {
  return new XMLParser({
    ignoreAttributes: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    removeNSPrefix: true,
    parseTagValue: false,
    trimValues: true,
    // Only &lt; &gt; &amp; &quot; &apos; and character references: no DOCTYPE entities exist here.
    processEntities: { enabled: true, maxEntityCount: 0, maxTotalExpansions: 10_000, maxExpandedLength: limits.maxUncompressedBytes },
    htmlEntities: false,
    maxNestedTags: limits.maxDepth,
  });
}

export function parseDmarcXml(name: string, xml: string, limits: ReportLimits): DmarcFeedback {
  const declaration = DECLARATION.exec(xml);
  if (declaration) refuse("xml-dtd", `${name}: the XML declares <!${declaration[1]!.toUpperCase()} ...>; a DMARC report has no DTD, and declarations are refused so no entity can expand (XXE, billion laughs)`);
  const forbidden = FORBIDDEN_NAMES.exec(xml);
  if (forbidden) refuse("forbidden-key", `${name}: the XML has an element named <${forbidden[1]}>, refused (prototype pollution); no DMARC element has that name`);
  const valid = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  if (valid !== true) refuse("xml-malformed", `${name}: not well-formed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  let doc: Record<string, unknown>;
  try {
    doc = parser(limits).parse(xml) as Record<string, unknown>;
  } catch (e) {
    const message = (e as Error).message;
    if (/nest/i.test(message)) refuse("too-deep", `${name}: the XML nests deeper than ${limits.maxDepth} elements; a DMARC report nests 5 (${message})`);
    refuse("xml-malformed", `${name}: the XML could not be read (${message})`);
  }
  const roots = Object.keys(doc);
  if (roots.length !== 1 || roots[0] !== "feedback") {
    refuse("not-a-report", `${name}: the XML's root is <${roots.join("> <")}>, not <feedback>: not a DMARC aggregate report (RFC 7489 Appendix C)`);
  }
  // The validator lets a second, self-closing root through; the parser then makes an array of it.
  if (Array.isArray(doc.feedback)) refuse("xml-malformed", `${name}: not well-formed XML: more than one root element <feedback>`);
  const feedback = doc.feedback as Record<string, unknown> | string;
  const records = typeof feedback === "object" ? feedback.record : undefined;
  if (Array.isArray(records) && records.length > limits.maxRecords) {
    refuse("too-many-records", `${name}: ${records.length} <record> elements, more than ${limits.maxRecords}; raise maxRecords if a real reporter sends this many`);
  }
  return parseOrRefuse(dmarcFeedbackSchema, feedback, name, "feedback", "DMARC aggregate report (RFC 7489 Appendix C)");
}
