import { readXml, XmlSyntaxError, type XmlElement } from '../../shared/xml-reader.js';
import { quotaSchema, type QuotaConfig } from './quota/schema.js';
import { rateLimitSchema, type RateLimitConfig } from './rate-limit/schema.js';
import { PolicyConfigError, readConfig } from './schema.js';

export { productPolicyDocument } from './policy-document.js';

/** What a product's policy document configures, in the policies' own schemas. */
export interface ProductLimits {
  readonly rateLimit: RateLimitConfig | undefined;
  readonly quota: QuotaConfig | undefined;
}

export const NO_LIMITS: ProductLimits = { rateLimit: undefined, quota: undefined };

const SECTIONS = ['inbound', 'backend', 'outbound', 'on-error'];

/**
 * Reads an APIM product policy document. Portico runs two product policies, so the document may hold
 * `<rate-limit>` and `<quota>` (each at most once) and `<base />` in `<inbound>`, and only `<base />`
 * in `<backend>`, `<outbound>` and `<on-error>`. Anything else is refused (PolicyConfigError naming
 * it) rather than silently ignored: a policy that looks configured but does nothing is worse.
 */
export function parseProductPolicy(document: string): ProductLimits {
  let root: XmlElement;
  try {
    root = readXml(document);
  } catch (error) {
    if (error instanceof XmlSyntaxError) throw new PolicyConfigError(`The policy document is not well-formed XML: ${error.message}.`, 'value');
    throw error;
  }
  if (root.name !== 'policies') throw new PolicyConfigError(`The policy document's root element must be <policies>, not <${root.name}>.`, root.name);
  noAttributes(root);
  noText(root);
  let rateLimit: RateLimitConfig | undefined;
  let quota: QuotaConfig | undefined;
  const seen = new Set<string>();
  for (const section of root.children) {
    if (!SECTIONS.includes(section.name)) throw unsupported(section, 'policies', `<policies> holds only ${SECTIONS.map((s) => `<${s}>`).join(', ')}`);
    once(seen, section, 'policies');
    noAttributes(section);
    noText(section);
    const inSection = new Set<string>();
    for (const element of section.children) {
      const isLimit = section.name === 'inbound' && (element.name === 'rate-limit' || element.name === 'quota');
      if (element.name !== 'base' && !isLimit) {
        const allowed = section.name === 'inbound' ? '<rate-limit>, <quota> and <base />' : '<base />';
        throw unsupported(element, section.name, `Portico supports only ${allowed} in <${section.name}>`);
      }
      once(inSection, element, section.name);
      if (element.children.length > 0 || element.text !== '') throw new PolicyConfigError(`<${element.name}> must be empty (line ${element.line}).`, element.name);
      if (element.name === 'base') noAttributes(element);
      else if (element.name === 'rate-limit') rateLimit = readConfig(rateLimitSchema, element.attributes);
      else quota = readConfig(quotaSchema, element.attributes);
    }
  }
  return rateLimit === undefined && quota === undefined ? NO_LIMITS : { rateLimit, quota };
}

function unsupported(element: XmlElement, parent: string, rule: string): PolicyConfigError {
  return new PolicyConfigError(`Policy element '${element.name}' is not supported in <${parent}> (line ${element.line}): ${rule}.`, element.name);
}

function once(seen: Set<string>, element: XmlElement, parent: string): void {
  if (seen.has(element.name)) throw new PolicyConfigError(`<${element.name}> appears more than once in <${parent}> (line ${element.line}).`, element.name);
  seen.add(element.name);
}

function noText(element: XmlElement): void {
  if (element.text !== '') throw new PolicyConfigError(`Text is not allowed in <${element.name}> (line ${element.line}); policies are elements.`, element.name);
}

function noAttributes(element: XmlElement): void {
  const first = element.attributes[0];
  if (first) throw new PolicyConfigError(`<${element.name}> takes no attributes; '${first.name}' is not supported.`, `${element.name}/@${first.name}`);
}
