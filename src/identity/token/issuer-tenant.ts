/**
 * The tenant of a v2.0 issuer `{base}/{tenant}/v2.0`: what a verifier that trusts that issuer
 * requires as the token's `tid`. Throws for any other shape, so a misconfigured verifier fails at
 * start-up instead of accepting every tenant.
 */
export function tenantOfIssuer(issuer: string): string {
  const match = /\/([^/]+)\/v2\.0$/.exec(issuer);
  if (!match) throw new Error(`the issuer '${issuer}' is not of the form {base}/{tenant}/v2.0`);
  return match[1]!;
}
