/**
 * The embedded, Microsoft Entra–shaped identity provider.
 *
 * Entry point: `createIdentity(deps)` builds the directory (`DirectoryService`), the signing keys
 * and their rotation schedule, the access-token verifier and the identity listener's Fastify app
 * (token endpoint, OpenID discovery, JWKS, Graph-shaped `/v1.0/` API and the Portico extension
 * `/v1.0/portico/signingKeys`), ready and attached to `deps.server` when given.
 * Other domains reach the directory only through a `DirectoryClient`:
 * `identity.directory.forPrincipal(spId)` (permission-checked, live) or, at first start only,
 * `directory.system` (unchecked; may pick appIds and create managed identities).
 * `verifyAccessToken` and `isKeyPublished` are the one access-token check and the one key rule,
 * pure, for any verifier (the gateway uses them with its snapshot's keys).
 */
export { createIdentity } from './identity-app.js';
export type { Identity, IdentityDeps } from './identity-app.js';

export { DirectoryService } from './directory/directory-service.js';
export type { DirectoryServiceDeps } from './directory/directory-service.js';
export type {
  DirectoryClient,
  CreateApplicationInput,
  AppRoleInput,
  CreateServicePrincipalInput,
  GrantAppRoleInput,
  AddPasswordInput,
  PasswordCredential,
  NewPasswordCredential,
  AddKeyCredentialInput,
  KeyCredentialInput,
  KeyCredential,
  AssignDirectoryRoleInput,
} from './directory/directory-client.js';
export { DIRECTORY_ROLES, ROLE_IDS, PERMISSION_ROLES } from './directory/roles.js';
export type { DirectoryRoleDefinition, DirectoryPermission } from './directory/roles.js';
export { GRAPH_APP_ID, GRAPH_RESOURCE_URIS } from './directory/microsoft-graph.js';
export { registerGraphRoutes, type GraphAuthentication } from './graph/graph-routes.js';
export { setCaller, type GraphDeps } from './graph/graph-context.js';

export { SigningKeys } from './keys/signing-keys.js';
export type { SigningKeysDeps, Signer, PublicJwk, SigningKeyInfo } from './keys/signing-keys.js';
export { isKeyPublished } from './keys/key-selection.js';
export type { SigningKeyState } from './keys/key-selection.js';
export { rotationPolicy } from './keys/rotation-policy.js';
export type { RotationPolicy } from './keys/rotation-policy.js';
export { RotationSchedule } from './keys/rotation-schedule.js';

// Pure and store-free, so the gateway verifies with the keys of its snapshot.
export { verifyAccessToken, TokenVerificationError, ACCESS_TOKEN_CLOCK_SKEW_SECONDS } from './token/verify-access-token.js';
export type { VerifyAccessTokenOptions, VerifiedAccessToken, TokenRejection } from './token/verify-access-token.js';
export { tenantOfIssuer } from './token/issuer-tenant.js';
export { AccessTokenVerifier } from './token/access-token-verifier.js';
export type { AccessTokenVerifierDeps } from './token/access-token-verifier.js';
export type { AccessTokenClaims } from './token/access-token-claims.js';

export { IdentityUrls } from './identity-urls.js';
