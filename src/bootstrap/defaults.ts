import type { ApiRecord, GroupRecord, OperationRecord, ProductPolicyRecord, ProductRecord } from '../management/management-store.js';
import { productPolicyDocument } from '../gateway/index.js';

/** What a new Azure API Management instance has (reference/apim-reference.md §2.2, §2.3). */

export const DEFAULT_GROUPS: readonly GroupRecord[] = [
  { id: 'administrators', displayName: 'Administrators', description: 'Administrators is a built-in group containing the admin email account provided at the time of service creation. Its membership is managed by the system.', type: 'system', builtIn: true },
  { id: 'developers', displayName: 'Developers', description: 'Developers is a built-in group. Its membership is managed by the system. Signed-in users fall into this group.', type: 'system', builtIn: true },
  { id: 'guests', displayName: 'Guests', description: 'Guests is a built-in group. Its membership is managed by the system. Unauthenticated users visiting the developer portal fall into this group.', type: 'system', builtIn: true },
];

export const DEFAULT_PRODUCTS: readonly ProductRecord[] = [
  {
    id: 'starter',
    displayName: 'Starter',
    description: 'Subscribers will be able to run 5 calls/minute up to a maximum of 100 calls/week.',
    terms: null,
    subscriptionRequired: true,
    approvalRequired: false,
    subscriptionsLimit: 1,
    state: 'published',
    authenticationType: [],
    entraApplicationId: null,
    entraAudience: null,
  },
  {
    id: 'unlimited',
    displayName: 'Unlimited',
    description: 'Subscribers have completely unlimited access to the API. Administrator approval is required.',
    terms: null,
    subscriptionRequired: true,
    approvalRequired: true,
    subscriptionsLimit: 1,
    state: 'published',
    authenticationType: [],
    entraApplicationId: null,
    entraAudience: null,
  },
];

/** Starter's policy in a new APIM instance (apim-reference §2.2): 5 calls a minute, 100 a week. */
export const STARTER_POLICY: ProductPolicyRecord = {
  productId: 'starter',
  format: 'xml',
  value: productPolicyDocument(['<rate-limit calls="5" renewal-period="60" />', '<quota calls="100" renewal-period="604800" />']),
};

export function echoApi(serviceUrl: string): ApiRecord {
  return {
    id: 'echo-api',
    displayName: 'Echo API',
    description: null,
    path: 'echo',
    serviceUrl,
    protocols: ['http', 'https'], // the gateway speaks plain HTTP today
    subscriptionRequired: true,
    subscriptionKeyHeaderName: 'Ocp-Apim-Subscription-Key',
    subscriptionKeyQueryName: 'subscription-key',
    apiRevision: '1',
    isCurrent: true,
  };
}

const ok = [{ statusCode: 200, representations: [], headers: [] }];
const op = (id: string, displayName: string, method: string, urlTemplate: string, description: string, request: Record<string, unknown> | null = null): OperationRecord => ({
  apiId: 'echo-api', id, displayName, method, urlTemplate, description, templateParameters: [], request, responses: ok,
});

export const ECHO_OPERATIONS: readonly OperationRecord[] = [
  op('create-resource', 'Create resource', 'POST', '/resource', 'A demonstration of a POST call based on the echo backend above. The request body is expected to contain JSON-formatted data (see example below). A policy is used to automatically transform any request sent in JSON directly to XML. In a real-world scenario this could be used to enable modern clients to speak to a legacy backend.'),
  op('modify-resource', 'Modify Resource', 'PUT', '/resource', 'A demonstration of a PUT call handled by the same "echo" backend as above. You can now specify a request body in addition to headers and it will be returned as well.'),
  op('remove-resource', 'Remove resource', 'DELETE', '/resource', 'A demonstration of a DELETE call which traditionally deletes the resource. It is based on the same "echo" backend as in all other operations so nothing is actually deleted.'),
  op('retrieve-header-only', 'Retrieve header only', 'HEAD', '/resource', 'The HEAD operation returns only headers. In this demonstration a policy is used to set additional headers when the response is returned and to enable JSONP.'),
  op('retrieve-resource', 'Retrieve resource', 'GET', '/resource', 'A demonstration of a GET call on a sample resource. It is handled by an "echo" backend which returns a response equal to the request (the supplied headers and body are being returned as received).', {
    queryParameters: [
      { name: 'param1', description: 'A sample parameter that is required and has a default value of "sample".', type: 'string', required: true, defaultValue: 'sample', values: ['sample'] },
      { name: 'param2', description: 'Another sample parameter, set to not required.', type: 'number', required: false, values: [] },
    ],
    headers: [],
    representations: [],
  }),
  op('retrieve-resource-cached', 'Retrieve resource (cached)', 'GET', '/resource-cached', 'A demonstration of a GET call with caching enabled on the same "echo" backend as above. Cache TTL is set to 1 hour. When you make the first request the headers you supplied will be cached. Subsequent calls will return the same headers as the first time even if you change them in your request.', {
    queryParameters: [
      { name: 'param1', description: 'A sample parameter that is required and has a default value of "sample".', type: 'string', required: true, defaultValue: 'sample', values: ['sample'] },
      { name: 'param2', description: 'Another sample parameter, set to not required.', type: 'number', required: false, values: [] },
    ],
    headers: [],
    representations: [],
  }),
];
