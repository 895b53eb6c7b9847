/** Claims of an Entra v2 app-only access token, as Portico issues them. */
/** A type alias (not an interface) so it is assignable to Record<string, unknown>. */
export type AccessTokenClaims = {
  readonly aud: string; // resource appId
  readonly iss: string;
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  readonly azp: string; // client appId
  readonly azpacr: '0' | '1' | '2';
  readonly oid: string; // client service principal id
  readonly sub: string;
  readonly tid: string;
  readonly roles?: readonly string[];
  readonly uti: string;
  readonly ver: '2.0';
  readonly idtyp: 'app';
};
