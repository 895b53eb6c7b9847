/**
 * The identity listener's public URLs. The base URL may be a function because a listener started
 * on port 0 only knows its address after `listen`; every URL is derived on demand from it.
 */
export class IdentityUrls {
  private readonly baseUrl: () => string;

  constructor(baseUrl: string | (() => string), readonly tenantId: string) {
    this.baseUrl = typeof baseUrl === 'function' ? baseUrl : () => baseUrl;
  }

  /** Without a trailing slash, e.g. `https://localhost:8082`. */
  base(): string {
    return this.baseUrl().replace(/\/+$/, '');
  }

  issuer(): string {
    return `${this.base()}/${this.tenantId}/v2.0`;
  }

  tokenEndpoint(): string {
    return `${this.base()}/${this.tenantId}/oauth2/v2.0/token`;
  }

  authorizationEndpoint(): string {
    return `${this.base()}/${this.tenantId}/oauth2/v2.0/authorize`;
  }

  jwksUri(): string {
    return `${this.base()}/${this.tenantId}/discovery/v2.0/keys`;
  }

  errorUri(code: number | string): string {
    return `${this.base()}/error?code=${encodeURIComponent(code)}`;
  }

  graphBase(): string {
    return `${this.base()}/v1.0`;
  }
}
