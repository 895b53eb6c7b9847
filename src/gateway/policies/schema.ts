/**
 * How a policy describes its configuration: each field with its type, limits, default and a
 * description (docs/gateway.md lists them). A policy configured from an APIM policy document reads
 * the element's attributes through its schema; unknown attributes and bad values are refused with
 * a message that names them.
 */

export interface IntegerField {
  readonly type: 'integer';
  /** The attribute's name in APIM's policy XML. */
  readonly attribute: string;
  readonly description: string;
  readonly min: number;
  readonly max: number;
  /** Absent: the attribute is required. */
  readonly default?: number;
}

/** One of a few words (e.g. Portico's `portico-fail-mode="open|closed"`). */
export interface ChoiceField {
  readonly type: 'choice';
  readonly attribute: string;
  readonly description: string;
  readonly values: readonly string[];
  /** Absent: the attribute is required. */
  readonly default?: string;
}

export type SchemaField = IntegerField | ChoiceField;

export interface PolicySchema<Config> {
  /** The policy's element in APIM's policy XML, when it is configured from one. */
  readonly element?: string;
  readonly description: string;
  readonly fields: { readonly [K in keyof Config]: SchemaField };
}

/** A configuration the policy's schema refuses; `target` names the element or attribute. */
export class PolicyConfigError extends Error {
  constructor(
    message: string,
    readonly target: string,
  ) {
    super(message);
  }
}

/** Reads an element's attributes into the schema's configuration, applying defaults. */
export function readConfig<Config>(schema: PolicySchema<Config>, attributes: readonly { name: string; value: string }[]): Config {
  const element = schema.element ?? 'policy';
  const byAttribute = new Map<string, [string, SchemaField]>();
  for (const [key, field] of Object.entries(schema.fields) as [string, SchemaField][]) byAttribute.set(field.attribute, [key, field]);
  const config: Record<string, number | string> = {};
  for (const { name, value } of attributes) {
    const known = byAttribute.get(name);
    if (!known) {
      const allowed = [...byAttribute.keys()].map((a) => `'${a}'`).join(', ');
      throw new PolicyConfigError(`Attribute '${name}' is not supported on <${element}>; it takes ${allowed}.`, `${element}/@${name}`);
    }
    const [key, field] = known;
    if (field.type === 'choice') {
      if (!field.values.includes(value)) {
        const allowed = field.values.map((v) => `'${v}'`).join(' or ');
        throw new PolicyConfigError(`Attribute '${name}' of <${element}> must be ${allowed}; '${value}' is not.`, `${element}/@${name}`);
      }
      config[key] = value;
      continue;
    }
    if (value.startsWith('@')) throw new PolicyConfigError(`Attribute '${name}' of <${element}>: policy expressions are not supported; give a number.`, `${element}/@${name}`);
    const number = /^\s*[0-9]+\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number) || number < field.min || number > field.max) {
      throw new PolicyConfigError(`Attribute '${name}' of <${element}> must be an integer from ${field.min} to ${field.max}; '${value}' is not.`, `${element}/@${name}`);
    }
    config[key] = number;
  }
  for (const [key, field] of Object.entries(schema.fields) as [string, SchemaField][]) {
    if (config[key] !== undefined) continue;
    if (field.default === undefined) throw new PolicyConfigError(`<${element}> needs the attribute '${field.attribute}' (${field.description}).`, `${element}/@${field.attribute}`);
    config[key] = field.default;
  }
  return config as Config;
}
