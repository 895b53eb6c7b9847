// Portico's APIs as a bench drives them: the bootstrap admin's management client (from the data
// directory's credentials.json) and the token endpoint. Any other status than the one expected
// throws UnexpectedAnswer: the bench's figures are then not valid.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const API_VERSION = '2022-08-01';

/** An answer the bench did not expect; a bench that meets one prints it and exits 1. */
export class UnexpectedAnswer extends Error {}

/**
 * The management API as the bootstrap admin. `call` answers `{ body, headers }`, `expect` the body
 * alone; both take the statuses they accept (one or a list). PATCH and DELETE send `If-Match: *`
 * (ARM requires If-Match there; `*` is any version) unless the caller gives its own.
 */
export async function managementClient(dataDir) {
  const credentials = JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8'));
  const { access_token: token } = await tokenResponse(credentials, credentials.admin.clientId, credentials.admin.clientSecret, credentials.managementScope);
  const base = `${credentials.managementUrl}/subscriptions/${credentials.subscriptionId}/resourceGroups/${credentials.resourceGroup}/providers/Microsoft.ApiManagement/service/${credentials.serviceName}`;
  const send = async (method, path, body, headers = {}) => {
    const response = await fetch(`${base}${path}${path.includes('?') ? '&' : '?'}api-version=${API_VERSION}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(method === 'PATCH' || method === 'DELETE' ? { 'if-match': '*' } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, text: await response.text(), headers: response.headers };
  };
  const call = async (method, path, body, statuses, headers = {}) => {
    const accepted = Array.isArray(statuses) ? statuses : [statuses];
    const answer = await send(method, path, body, headers);
    if (!accepted.includes(answer.status)) throw new UnexpectedAnswer(`${method} ${path}: ${answer.status} (want ${accepted.join(' or ')}) ${answer.text.slice(0, 500)}`);
    return { body: answer.text ? JSON.parse(answer.text) : undefined, headers: answer.headers };
  };
  return {
    credentials,
    send,
    call,
    async expect(method, path, body, statuses, headers = {}) {
      return (await call(method, path, body, statuses, headers)).body;
    },
  };
}

/** The token endpoint's JSON answer for client credentials; anything but 200 throws. */
export async function tokenResponse(credentials, clientId, clientSecret, scope) {
  const response = await fetch(`${credentials.identityUrl}/${credentials.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope }),
  });
  const text = await response.text();
  if (response.status !== 200) throw new UnexpectedAnswer(`token endpoint: ${response.status} (want 200) ${text.slice(0, 500)}`);
  return JSON.parse(text);
}
