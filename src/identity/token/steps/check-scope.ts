import { OAuthError } from '../../../errors/index.js';
import { isAbsoluteUri, normaliseUri } from '../../directory/applications.js';
import { isGuid } from '../../directory/validate.js';
import type { TokenStep } from '../token-context.js';

const DEFAULT_SUFFIX = '/.default';

/**
 * client_credentials takes `{resource}/.default` only, where resource is an application ID URI or
 * an appId GUID. Several values are allowed only if they all name the same resource (checked
 * once they are resolved: `api://{appId}` and `{appId}` are the same one).
 */
export const checkScope: TokenStep = (ctx) => {
  const scope = ctx.param('scope') ?? '';
  const values = scope.trim().split(/\s+/).filter((v) => v !== '');
  if (values.length === 0) throw invalidScope(scope);
  const identifiers = new Map<string, string>();
  for (const value of values) {
    const resource = resourceOf(value);
    if (!identifiers.has(normaliseUri(resource))) identifiers.set(normaliseUri(resource), resource);
  }
  ctx.resourceIdentifiers = [...identifiers.values()];
};

function resourceOf(value: string): string {
  if (value.endsWith(DEFAULT_SUFFIX)) {
    // Strip ONE suffix: the Azure CLI sends `https://host//.default` for resource `https://host/`.
    const resource = value.slice(0, -DEFAULT_SUFFIX.length);
    if (!isGuid(resource) && !isAbsoluteUri(resource)) throw invalidScope(value);
    return resource;
  }
  if (isGuid(value) || isAbsoluteUri(value)) {
    throw new OAuthError(1002012, `The provided value for scope ${shown(value)} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
  }
  throw invalidScope(value);
}

export function invalidScope(value: string): OAuthError {
  return new OAuthError(70011, `The provided value for the input parameter 'scope' isn't valid. The scope ${shown(value)} isn't valid.`);
}

const shown = (value: string): string => value.replace(/[^\x20-\x7e]/g, '?').slice(0, 512);
