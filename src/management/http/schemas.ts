import Type, { type TSchema } from 'typebox';
import { RESOURCE_NAME } from '../arm/validate.js';

/**
 * The management routes' schemas (TypeBox, checked by Fastify's ajv before a handler runs, and the
 * source of /openapi.json). They check each field's type, length, range and allowed values; rules that
 * need the store (does the owner exist, is the name taken, required only on create) stay in services/.
 *
 * `x-rule` (a keyword the validator is told about) holds the words of a pattern's rule, so an error
 * says what to fix rather than quoting a regular expression.
 */

/** A field that may also be sent as null (Azure tooling sends unset properties as null). */
function nullable<T extends TSchema>(schema: T): TSchema {
  const { type, ...rest } = schema as unknown as { type: string } & Record<string, unknown>;
  return Type.Unsafe({ ...rest, type: [type, 'null'] });
}

const text = (max: number, description?: string) => nullable(Type.String({ maxLength: max, ...(description ? { description } : {}) }));
const flag = (description?: string) => nullable(Type.Boolean(description ? { description } : {}));
const oneOf = (values: readonly string[], description?: string) => nullable(Type.String({ enum: [...values], ...(description ? { description } : {}) }));
const distinct = (values?: readonly string[]) =>
  nullable(Type.Array(values ? Type.String({ enum: [...values] }) : Type.String({ maxLength: 1000 }), { uniqueItems: true, maxItems: 100 }));
const reference = (description: string) => nullable(Type.String({ maxLength: 1000, description }));
/** The ARM envelope `{properties: {...}}`; other top-level members (id, name, type of an exported resource) are ignored. */
const envelope = (properties: Record<string, TSchema>, required: string[] = []) =>
  Type.Object({ properties: Type.Optional(Type.Object(properties, { required, additionalProperties: true })) }, { additionalProperties: true });
// TypeBox marks every property required unless Optional; the envelope's `required` argument says which are.
const optionalAll = (properties: Record<string, TSchema>) => Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, Type.Optional(v)]));

const productProperties = optionalAll({
  displayName: Type.String({ minLength: 1, maxLength: 300 }),
  description: text(1000),
  terms: text(100_000),
  subscriptionRequired: flag(),
  approvalRequired: flag(),
  subscriptionsLimit: nullable(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
  state: oneOf(['notPublished', 'published']),
  authenticationType: distinct(['subscription-key', 'application-token']),
  application: nullable(
    Type.Object(
      {
        entra: Type.Optional(
          nullable(
            Type.Object(
              {
                applicationId: Type.Optional(
                  nullable(
                    Type.String({
                      maxLength: 100,
                      pattern: '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$',
                      'x-rule': "must be the application (client) id of an Entra application, a GUID like '5555aaaa-…'.",
                      description: 'The backend Entra application (its appId) that represents the product.',
                    }),
                  ),
                ),
                audience: Type.Optional(nullable(Type.String({ maxLength: 1000, description: "The audience of the product's tokens: the application id or its App ID URI." }))),
              },
              { additionalProperties: true },
            ),
          ),
        ),
      },
      { additionalProperties: true },
    ),
  ),
});

export const productPutBody = envelope(productProperties, ['displayName']);
export const productPatchBody = envelope(productProperties);

const apiProperties = optionalAll({
  displayName: nullable(Type.String({ minLength: 1, maxLength: 300 })),
  path: nullable(Type.String({ maxLength: 400, pattern: '^[A-Za-z0-9._~\\-/]*$', 'x-rule': 'may contain only letters, digits and - . _ ~ /.' })),
  serviceUrl: nullable(Type.String({ maxLength: 2000, pattern: '^[A-Za-z][A-Za-z0-9+.-]*:', 'x-rule': 'must be an absolute http:// or https:// URL.' })),
  protocols: distinct(['http', 'https', 'ws', 'wss']),
  subscriptionRequired: flag(),
  description: text(10_000),
  subscriptionKeyParameterNames: nullable(Type.Object({ header: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })), query: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })) }, { additionalProperties: true })),
});
export const apiBody = envelope(apiProperties);

export const operationBody = envelope(
  optionalAll({
    displayName: Type.String({ minLength: 1, maxLength: 300 }),
    // The method's form is checked with urlTemplate's rules (in the service), so both are reported together.
    method: Type.String({ minLength: 1, maxLength: 20 }),
    urlTemplate: Type.String({ minLength: 1, maxLength: 1000 }),
    description: text(10_000),
    templateParameters: nullable(Type.Array(Type.Object({}, { additionalProperties: true }), { maxItems: 100 })),
    request: nullable(Type.Object({}, { additionalProperties: true })),
    responses: nullable(Type.Array(Type.Object({}, { additionalProperties: true }), { maxItems: 100 })),
  }),
  ['displayName', 'method', 'urlTemplate'],
);

const EMAIL_RULE = { pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$', 'x-rule': 'must be an email address like name@example.com.' };
const userProperties = optionalAll({
  email: Type.String({ maxLength: 254, ...EMAIL_RULE }),
  firstName: Type.String({ minLength: 1, maxLength: 100 }),
  lastName: Type.String({ minLength: 1, maxLength: 100 }),
  password: nullable(Type.String({ minLength: 8, maxLength: 256 })),
  state: oneOf(['active', 'blocked', 'pending', 'deleted']),
  note: text(4000),
});
export const userPutBody = envelope(userProperties, ['email', 'firstName', 'lastName']);
export const userPatchBody = envelope(userProperties);

export const subscriptionBody = envelope(
  optionalAll({
    displayName: nullable(Type.String({ minLength: 1, maxLength: 100 })),
    scope: reference("The product or API the subscription is for: '/products/{productId}', '/apis/{apiId}' or '/apis'."),
    ownerId: reference("The owner: '/users/{userId}'."),
    state: oneOf(['active', 'suspended', 'submitted', 'rejected', 'cancelled', 'expired']),
    primaryKey: nullable(Type.String({ minLength: 32, maxLength: 256 })),
    secondaryKey: nullable(Type.String({ minLength: 32, maxLength: 256 })),
    allowTracing: flag(),
    stateComment: text(1000),
    expirationDate: nullable(
      Type.String({
        maxLength: 40,
        // The form only; the service also checks that it names a real instant (no 13th month).
        pattern: '^\\d{4}-\\d{2}-\\d{2}(?:T\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,7})?)?(?:Z|[+-]\\d{2}:\\d{2})?)?$',
        'x-rule': 'must be an ISO 8601 date or date-time, e.g. 2027-01-31T00:00:00Z.',
      }),
    ),
  }),
);

export const clientApplicationBody = envelope(
  optionalAll({
    displayName: Type.String({ minLength: 1, maxLength: 300 }),
    description: text(1000),
    ownerId: reference("The owner: '/users/{userId}'."),
    productIds: distinct(),
  }),
  ['displayName'],
);

export const productLinkBody = envelope(optionalAll({ productId: reference("The product: '/products/{productId}'.") }), ['productId']);

export const productPolicyBody = envelope(
  optionalAll({
    value: Type.String({ minLength: 1, maxLength: 256 * 1024 }),
    format: oneOf(['xml', 'rawxml', 'xml-link', 'rawxml-link']),
  }),
  ['value'],
);

/** A batch of resources; each item is checked against its type's PUT rules by the import (every bad item named at once). */
export const importBody = Type.Object(
  { items: Type.Array(Type.Object({}, { additionalProperties: true, description: '{"type": "user" | "subscription" | "clientApplication", "name": "…", "properties": {…}}' })) },
  { additionalProperties: true, required: ['items'] },
);

/** An existing resource's name in a path. */
const name = Type.String({ minLength: 1, maxLength: 256 });
/** A name a PUT may create. */
export const newName = Type.String({
  pattern: RESOURCE_NAME.source,
  'x-rule': "must be 1 to 256 letters, digits, '-', '_' or '.', starting with a letter or digit.",
});

/** Path parameters: each route names the ones it has; the last may be one a PUT creates. */
export function paramsOf(names: readonly string[], creates = false): TSchema {
  const properties: Record<string, TSchema> = {};
  names.forEach((param, index) => {
    properties[param] = creates && index === names.length - 1 ? newName : name;
  });
  return Type.Object(properties, { additionalProperties: true });
}

const queryString = (description: string) => Type.Optional(Type.String({ description }));
/** A whole number in a query string (the validator does not coerce, so the rule is a pattern). */
const queryCount = (description: string, pattern: string, rule: string) => Type.Optional(Type.String({ description, pattern, 'x-rule': rule }));
// Checked (and a repeated one compared) by the api-version hook, which answers ARM's own codes.
const baseQuery = { 'api-version': Type.Optional(Type.Unsafe<string>({ description: 'The API version, such as 2025-03-01-preview.' })) };
export const plainQuery = Type.Object(baseQuery, { additionalProperties: true });
const pagingQuery = {
  $top: queryCount('How many items a page holds at most (1 to 1000, default 100).', '^(?:[1-9][0-9]{0,2}|1000)$', 'must be a whole number from 1 to 1000.'),
  $skipToken: queryString('The continuation from a nextLink.'),
};
export const listQuery = Type.Object(
  {
    ...baseQuery,
    $filter: queryString("An OData filter: eq comparisons on name and displayName (users: name, email), joined by 'and'."),
    ...pagingQuery,
    $skip: queryCount('How many items to skip.', '^(?:0|[1-9][0-9]{0,14})$', 'must be a whole number from 0 to 999999999999999.'),
  },
  { additionalProperties: true },
);
/** The audit log pages by continuation only ($skip is refused with a message that says so). */
export const auditListQuery = Type.Object(
  { ...baseQuery, $filter: queryString("timestamp ge/le '<ISO 8601>', actor eq, target eq, operation eq, joined by 'and'."), ...pagingQuery },
  { additionalProperties: true },
);
export const deleteQuery = (withSubscriptions: boolean) =>
  Type.Object(
    withSubscriptions ? { ...baseQuery, deleteSubscriptions: Type.Optional(Type.String({ enum: ['true', 'false'], description: 'Also delete its subscriptions.' })) } : baseQuery,
    { additionalProperties: true },
  );
const policyFormat = { format: Type.Optional(Type.String({ enum: ['xml', 'rawxml'], description: 'xml (default) or rawxml.' })) };
export const policyQuery = Type.Object({ ...baseQuery, ...policyFormat }, { additionalProperties: true });
export const policyListQuery = Type.Object({ ...listQuery.properties, ...policyFormat }, { additionalProperties: true });

/**
 * `If-Match` where APIM's spec declares it required (IfMatchRequiredParameter: update and delete of
 * products, APIs, users and subscriptions, delete of an operation and of a product policy). A missing
 * or blank one is ARM's ValidationError with target `If-Match`; /openapi.json lists the header.
 */
export const ifMatchRequired = Type.Object(
  {
    'if-match': Type.String({
      pattern: '\\S',
      'x-rule': 'header is required: send the ETag from a GET of the resource, or * to change whatever version is current.',
      description: "The resource's ETag (from a GET), or * for whatever version is current.",
    }),
  },
  { required: ['if-match'], additionalProperties: true },
);

/** Options the validator needs: no type coercion (a number is not a string), every problem at once. */
export const AJV_OPTIONS = { coerceTypes: false, allErrors: true, removeAdditional: false, useDefaults: false, verbose: true, keywords: ['x-rule'] } as const;
