/**
 * Every AppError code, its HTTP status and when it is used. docs/errors.md lists the same codes;
 * test/errors-doc.test.ts fails when the two drift apart. Retired codes are never reused.
 * Codes follow Azure Resource Manager (management API) and Microsoft Graph (directory API) spelling
 * so that clients written for Azure recognise them.
 */
export const APP_ERROR_CODES = {
  // configuration
  ERR_CONFIG_INVALID: { status: 500, when: 'A PORTICO_* setting or command-line flag has an invalid value.' },
  // management API (ARM)
  MissingApiVersionParameter: { status: 400, when: 'The api-version query parameter is missing.' },
  InvalidApiVersionParameter: { status: 400, when: 'The api-version is not one Portico supports.' },
  ValidationError: { status: 400, when: 'A request body or parameter breaks a rule; the message names the field and the rule.' },
  InvalidRequestContent: { status: 400, when: 'The request body is not valid JSON or not an object.' },
  AuthenticationFailed: { status: 401, when: 'No bearer token, or the token is invalid, expired or for another audience.' },
  AuthorizationFailed: { status: 403, when: 'The caller is authenticated but lacks the role the operation needs.' },
  ResourceNotFound: { status: 404, when: 'The addressed resource (or its parent) does not exist.' },
  Conflict: { status: 409, when: 'The request conflicts with existing state (a duplicate name, a resource still in use).' },
  MethodNotAllowed: { status: 405, when: 'The path names a known resource but not with this method (ARM answers 405); the Allow header lists the methods it takes.' },
  PreconditionFailed: { status: 412, when: 'If-Match does not equal the resource\'s current ETag.' },
  PayloadTooLarge: { status: 413, when: 'The request body exceeds the configured limit.' },
  UnsupportedMediaType: { status: 415, when: 'The request body is not application/json.' },
  ManagedIdentityNotAuthorized: {
    status: 400,
    when: 'The service\'s managed identity lacks the Application Administrator directory role needed to create or change Entra applications.',
  },
  // directory API (Microsoft Graph)
  Request_BadRequest: { status: 400, when: 'A Graph request is malformed; the message says what to fix.' },
  InvalidAuthenticationToken: { status: 401, when: 'A Graph request has no valid bearer token for the Graph resource.' },
  Authorization_RequestDenied: { status: 403, when: 'The caller lacks the directory role the Graph operation needs.' },
  Request_ResourceNotFound: { status: 404, when: 'The Graph object does not exist.' },
  // portals (session sign-in, docs/portals.md)
  SignInFailed: { status: 401, when: 'A portal sign-in with an unknown email, a wrong password, or an account that may not use this portal (blocked, or not an administrator).' },
  CsrfTokenInvalid: { status: 403, when: 'A write made with a portal session cookie lacks the session\'s X-CSRF-Token header, or the header holds another value.' },
  TooManySignInAttempts: { status: 429, when: 'Too many failed portal sign-ins for this account or from this address; the Retry-After header says when to try again.' },
  // developer portal (/developer/api, docs/portals.md)
  SignInRequired: { status: 401, when: 'A developer portal call without a session, or its session expired or its user is gone.' },
  AccountBlocked: { status: 403, when: 'Developer sign-in or session: the user is blocked or not active.' },
  SignUpDisabled: { status: 403, when: 'Developer sign-up while PORTICO_DEVELOPER_SIGNUP is off.' },
  TooManySignUps: { status: 429, when: 'Too many developer sign-ups from this client address within an hour; the Retry-After header says when to try again.' },
  BadGateway: { status: 502, when: 'Try it could not reach this instance\'s token endpoint or gateway, or the answer broke off; the message says how (connection refused, timed out, TLS certificate not trusted, …) and names only the public origin.' },
  TryItTimedOut: { status: 504, when: 'Try it got no complete answer from the token endpoint and the gateway within its deadline (30 seconds).' },
  TooManyTryItCalls: { status: 429, when: 'A developer already has 4 Try it calls waiting for an answer.' },
  SubscriptionsLimitReached: { status: 409, when: 'Developer Subscribe: the developer already holds as many active, submitted or suspended subscriptions to the product as its subscriptionsLimit allows.' },
  TooManySubscribeRequests: { status: 429, when: 'More than 20 developer Subscribe requests from one account within an hour; the Retry-After header says when to try again.' },
  // any listener
  NotFound: { status: 404, when: 'No route matches the request method and path.' },
  InternalServerError: { status: 500, when: 'An unexpected failure; details are in the server log, never in the response.' },
} as const satisfies Record<string, { status: number; when: string }>;

export type AppErrorCode = keyof typeof APP_ERROR_CODES;

/** AADSTS codes the token endpoint returns, with the OAuth `error` and HTTP status of each. */
export const AADSTS_CODES = {
  900144: { error: 'invalid_request', status: 400, when: 'A required parameter is missing from the request body.' },
  90002: { error: 'invalid_request', status: 400, when: 'The tenant in the URL does not exist.' },
  90014: { error: 'invalid_request', status: 400, when: 'The request is not a form-encoded POST body, or a parameter is repeated.' },
  70003: { error: 'unsupported_grant_type', status: 400, when: 'grant_type is not client_credentials.' },
  700016: { error: 'unauthorized_client', status: 400, when: 'No application with this client_id exists in the tenant.' },
  7000215: { error: 'invalid_client', status: 401, when: 'The client secret is wrong.' },
  7000222: { error: 'invalid_client', status: 401, when: 'Every client secret of the application has expired.' },
  7000218: { error: 'invalid_client', status: 401, when: 'Neither client_secret nor client_assertion was sent.' },
  900023: { error: 'invalid_request', status: 400, when: 'client_id in the body differs from the one in the Authorization header, or the header is malformed.' },
  1002012: { error: 'invalid_scope', status: 400, when: 'A client-credentials scope lacks the /.default suffix.' },
  70011: { error: 'invalid_scope', status: 400, when: 'The scope is malformed or names more than one resource.' },
  500011: { error: 'invalid_resource', status: 400, when: 'The scope names a resource that does not exist in the tenant.' },
  501051: { error: 'invalid_grant', status: 400, when: 'The resource requires an app role assignment and the client has none.' },
  90055: { error: 'temporarily_unavailable', status: 429, when: 'More than 20 failed authentications of this client id from this address in the last minute (the Retry-After header says when to try again), or more than 1,000 unexpired client assertions recorded for one application.' },
  7000112: { error: 'unauthorized_client', status: 400, when: 'The client application is disabled.' },
  700027: { error: 'invalid_client', status: 401, when: 'The client assertion names no registered, unexpired certificate of the application (x5t#S256 / x5t), is signed with an algorithm other than RS256 or PS256, or its signature does not verify.' },
  90011: { error: 'invalid_request', status: 400, when: 'client_assertion_type is not urn:ietf:params:oauth:client-assertion-type:jwt-bearer.' },
  50027: { error: 'invalid_request', status: 400, when: 'The client assertion is not a signed JWT, or lacks a required claim (iss, sub, aud as one string, exp, jti).' },
  700021: { error: 'invalid_client', status: 401, when: "The client assertion's iss is not the client_id of the request." },
  50048: { error: 'invalid_client', status: 401, when: "The client assertion's sub differs from its iss (both must be the client id)." },
  700023: { error: 'invalid_client', status: 401, when: "The client assertion's aud is neither this tenant's token endpoint URL nor its issuer." },
  700024: { error: 'invalid_client', status: 401, when: 'The client assertion has expired, is not valid yet (nbf, iat), or expires more than an hour from now.' },
  50013: { error: 'invalid_client', status: 401, when: 'The client assertion (its jti) was already used; Entra documents no specific code for a replayed client assertion, so Portico uses its "invalid assertion" code.' },
  50000: { error: 'server_error', status: 500, when: 'An unexpected failure while issuing a token; the cause is in the server log, never in the response.' },
} as const satisfies Record<number, { error: string; status: number; when: string }>;

export type AadstsCode = keyof typeof AADSTS_CODES;

/**
 * Token-endpoint refusals that are Portico's own. Entra documents no code for them, so rather than
 * borrow an AADSTS number that means something else, error_description starts with this name and
 * error_codes is empty; `error` and the status are the ones RFC 6749 and Entra use for the case.
 */
export const PORTICO_TOKEN_CODES = {
  PorticoConfigurationStale: {
    error: 'temporarily_unavailable',
    status: 503,
    when: 'This identity node\'s change feed has been lost or behind for longer than PORTICO_MAX_FEED_LAG_MS, so an application deleted or a secret removed on another node might still be honoured here: it issues no token until the feed is back (the Retry-After header says when to try again; another identity node may answer).',
  },
} as const satisfies Record<string, { error: string; status: number; when: string }>;

export type PorticoTokenCode = keyof typeof PORTICO_TOKEN_CODES;
