import type { IdentityUrls } from '../identity-urls.js';

/**
 * The OpenID configuration in Entra's v2 shape. MSAL needs issuer, authorization_endpoint,
 * token_endpoint and jwks_uri (the authorize endpoint is listed though only client credentials
 * exist); openid-client compares `issuer` with the URL it was given, byte for byte.
 */
export function discoveryDocument(urls: IdentityUrls): Record<string, unknown> {
  const base = urls.base();
  const host = new URL(base).host;
  return {
    token_endpoint: urls.tokenEndpoint(),
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'], token_endpoint_auth_signing_alg_values_supported: ['RS256', 'PS256'],
    jwks_uri: urls.jwksUri(),
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: urls.issuer(),
    request_uri_parameter_supported: false,
    authorization_endpoint: urls.authorizationEndpoint(),
    grant_types_supported: ['client_credentials'],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'ver', 'azp', 'azpacr', 'oid', 'roles', 'uti', 'idtyp'],
    tenant_region_scope: null,
    cloud_instance_name: host,
    msgraph_host: host,
  };
}
