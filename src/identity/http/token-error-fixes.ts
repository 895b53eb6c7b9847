/**
 * What to do about each token error, for the page `error_uri` opens (error-page.ts). The registry
 * (errors/codes.ts) says when a code is used; this says how a developer or an administrator gets
 * past it, with Portico's own commands and screens.
 */
import type { AadstsCode, PorticoTokenCode } from '../../errors/index.js';

const NEW_SECRET = 'Create a new client secret (developer portal: Applications → your application → + New client secret; CLI: `portico app secret add <app>`) and send its value, not its ID.';

export const TOKEN_ERROR_FIXES: Record<AadstsCode | PorticoTokenCode, string> = {
  900144: 'Send every parameter client credentials need in the form body: grant_type=client_credentials, client_id, scope, and client_secret (or client_assertion with client_assertion_type).',
  90002: 'Use the tenant id Portico prints at start (also in credentials.json, `tenantId`) in the token URL: /{tenant}/oauth2/v2.0/token.',
  90014: 'POST the parameters as application/x-www-form-urlencoded, each once.',
  70003: 'Send grant_type=client_credentials: it is the grant Portico issues tokens for.',
  700016: 'Check the client_id: it is the application (client) ID shown on the application\'s Overview (CLI: `portico app show <app>`), and the application must not have been deleted.',
  7000215: NEW_SECRET,
  7000222: NEW_SECRET,
  7000218: 'Send client_secret (or a client_assertion) with the request.',
  900023: 'Send the client id once: either in the form body or in the Authorization: Basic header, and the same in both if both are sent.',
  1002012: 'End the scope with /.default, e.g. api://<audience>/.default: client credentials ask for every role the application was granted.',
  70011: 'Ask for one resource in the scope, as api://<audience>/.default (the product\'s Audience on its Properties screen).',
  500011: 'Use the Audience of a product with OAuth 2.0 token access (Products → the product → Properties → Audience; CLI: `portico product show <product>`), as api://<audience>/.default.',
  501051: 'Link the application to the product (CLI: `portico app link <app> <product>`; admin portal: the application → Products → + Add product). A link to a product that requires approval works once an administrator approves it.',
  90055: 'Wait as long as the Retry-After header says, then fix the credentials before trying again: repeated failures are throttled.',
  7000112: 'An administrator must enable the application\'s service principal again (Graph: PATCH /v1.0/servicePrincipals/{id} with accountEnabled: true) before it can get tokens.',
  700027: 'Sign the assertion with RS256 or PS256 using the private key of a certificate registered on the application, with its x5t#S256 (or x5t) in the header.',
  90011: 'Send client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer with the client_assertion.',
  50027: 'Send the client assertion as a signed JWT with iss, sub, aud (one string), exp and jti.',
  700021: 'Set the assertion\'s iss to the application\'s client id.',
  50048: 'Set the assertion\'s sub to the application\'s client id, as its iss.',
  700023: 'Set the assertion\'s aud to this tenant\'s token endpoint URL.',
  700024: 'Make a fresh assertion: valid now, expiring within the hour (check the clocks of the caller and of Portico).',
  50013: 'Make a new assertion with a new jti for every token request.',
  50000: 'Try again; if it keeps failing, an administrator finds the cause in the server log under the trace ID of the error.',
  PorticoConfigurationStale: 'Try again after the Retry-After delay; another identity node may answer meanwhile. An administrator checks the node\'s connection to PostgreSQL (`/readyz` says why it is not ready).',
};
