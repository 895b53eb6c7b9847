/**
 * `error_uri` leads somewhere: GET /error?code=… explains the code from the same registry the token
 * endpoint answers from — HTML for a person, JSON for a program; unknown and missing codes are
 * refused with a sentence, and nothing from the address reaches the page unescaped.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { AADSTS_CODES, PORTICO_TOKEN_CODES } from '../../src/errors/index.js';
import { TOKEN_ERROR_FIXES } from '../../src/identity/http/token-error-fixes.js';
import { describeEachDialect } from '../helpers/databases.js';
import { IdentityHarness, type TestClient } from './harness.js';

describeEachDialect('the token error page (error_uri)', (dialect) => {
  let h: IdentityHarness;
  let client: TestClient;

  beforeAll(async () => {
    h = await IdentityHarness.start(dialect);
    client = await h.createClient('Error Page Client');
  });
  afterAll(async () => h?.stop());

  test('a refused token\'s error_uri opens a page that explains its code', async () => {
    const api = await h.createResource({ roles: ['Data.Read'], displayName: 'Data API' });
    const refused = await h.postToken({ grant_type: 'client_credentials', client_id: client.app.appId, client_secret: 'wrong', scope: `api://${api.app.appId}/.default` });
    expect(refused.status).toBe(401);
    const page = await h.fetch(refused.body.error_uri);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.text).toContain('<title>AADSTS7000215: invalid_client · Portico</title>');
    expect(page.text).toContain('<h1>AADSTS7000215: invalid_client</h1>');
    expect(page.text).toContain(`<p>${AADSTS_CODES[7000215].when}</p><h2>What to do</h2><p>Create a new client secret (developer portal: Applications → your application → + New client secret; CLI: \`portico app secret add &#60;app&#62;\`) and send its value, not its ID.</p>`);
    expect(page.text).toContain('<dt>HTTP status</dt><dd>401</dd>');
  });

  test('every code the token endpoint can answer with has its page, with what to do', () => {
    for (const code of [...Object.keys(AADSTS_CODES), ...Object.keys(PORTICO_TOKEN_CODES)]) {
      expect(TOKEN_ERROR_FIXES[code as keyof typeof TOKEN_ERROR_FIXES], code).toMatch(/\.$/);
    }
  });

  test('JSON for a program, for an AADSTS number (with or without its prefix) and for a Portico code', async () => {
    const json = { headers: { accept: 'application/json' } };
    for (const code of ['700016', 'AADSTS700016', 'aadsts700016']) {
      const result = await h.fetch(`${h.url}/error?code=${code}`, json);
      expect(result.status).toBe(200);
      expect(result.body).toEqual({ code: 'AADSTS700016', error: 'unauthorized_client', status: 400, description: AADSTS_CODES[700016].when, fix: TOKEN_ERROR_FIXES[700016] });
    }
    const stale = await h.fetch(`${h.url}/error?code=PorticoConfigurationStale`, json);
    expect(stale.status).toBe(200);
    expect(stale.body).toEqual({ code: 'PorticoConfigurationStale', error: 'temporarily_unavailable', status: 503, description: PORTICO_TOKEN_CODES.PorticoConfigurationStale.when, fix: TOKEN_ERROR_FIXES.PorticoConfigurationStale });
  });

  test('an unknown code is 404, a missing one 400, each with a sentence; nothing inherited from Object counts as a code', async () => {
    const json = { headers: { accept: 'application/json' } };
    expect(await h.fetch(`${h.url}/error?code=12345`, json)).toMatchObject({ status: 404, body: { error: { code: 'UnknownCode', message: 'Portico issues no token error with the code 12345.' } } });
    expect(await h.fetch(`${h.url}/error?code=constructor`, json)).toMatchObject({ status: 404, body: { error: { code: 'UnknownCode', message: 'Portico issues no token error with the code constructor.' } } });
    expect(await h.fetch(`${h.url}/error`, json)).toMatchObject({
      status: 400,
      body: { error: { code: 'MissingCode', message: 'Add the error code to the address: /error?code=7000215 (the number error_codes holds, or the name error_description starts with).' } },
    });
  });

  test('what the address says reaches the HTML page escaped', async () => {
    const result = await h.fetch(`${h.url}/error?code=${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(result.status).toBe(404);
    expect(result.text).not.toContain('<script>');
    expect(result.text).toContain('the code &#60;script&#62;alert(1)&#60;/script&#62;.');
    // A page for no code says nothing about "this code".
    expect(result.text).not.toContain('answered with this code');
  });
});
