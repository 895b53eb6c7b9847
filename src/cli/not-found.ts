import { CliError } from './cli-error.js';
import { portico } from './invocation.js';

/**
 * A next step for the management API's ResourceNotFound, said once for every command that takes
 * an id: which id was not found, and the command that lists the ones there are. The resource type
 * comes from the server's message (`ClientApplication not found.`); the id from the request path.
 */
const KINDS: Record<string, { collection: string; noun: string; list: (path: ReadonlyArray<readonly [string, string]>) => string }> = {
  ClientApplication: { collection: 'clientApplications', noun: 'client application', list: () => 'app list' },
  Product: { collection: 'products', noun: 'product', list: () => 'product list' },
  User: { collection: 'users', noun: 'user', list: () => 'user list' },
  Api: { collection: 'apis', noun: 'API', list: () => 'api list' },
  Subscription: { collection: 'subscriptions', noun: 'subscription', list: () => 'subscription list' },
  Group: { collection: 'groups', noun: 'group', list: () => 'group list' },
  ClientApplicationProductLink: {
    collection: 'productLinks',
    noun: 'product link',
    list: (path) => `link list --app ${path.find(([collection]) => collection === 'clientApplications')?.[1] ?? '<app>'}`,
  },
};

/** The error with a hint line added when it is a ResourceNotFound for a path this knows; else the error as is. */
export function withNotFoundHint(error: unknown, armPath: string): unknown {
  if (!(error instanceof CliError) || error.code !== 'ResourceNotFound') return error;
  const hint = notFoundHint(armPath, error.message);
  return hint === undefined ? error : new CliError(`${error.message}\n${hint}`, error.exitCode, error.code);
}

export function notFoundHint(armPath: string, message: string): string | undefined {
  const pairs = pathPairs(armPath);
  // "error ResourceNotFound: ClientApplication not found." or "… Subscription 'x' was not found."
  const type = /^error ResourceNotFound: (\w+)\b/.exec(message)?.[1];
  const kind = type !== undefined ? KINDS[type] : undefined;
  if (kind === undefined) return undefined;
  const id = pairs.find(([collection]) => collection === kind.collection)?.[1];
  if (id === undefined) return undefined;
  return `There is no ${kind.noun} '${id}'. \`${portico(kind.list(pairs))}\` lists them.`;
}

/** `/clientApplications/a%20b/productLinks/x?…` → [['clientApplications', 'a b'], ['productLinks', 'x']]. */
function pathPairs(armPath: string): Array<readonly [string, string]> {
  const parts = armPath.split('?')[0]!.split('/').filter((part) => part !== '');
  const pairs: Array<readonly [string, string]> = [];
  for (let index = 0; index + 1 < parts.length; index += 2) pairs.push([parts[index]!, decode(parts[index + 1]!)]);
  return pairs;
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
