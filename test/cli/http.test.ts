import { describe, expect, it } from 'vitest';
import { describeNetworkError, errorCode, formatErrorResponse } from '../../src/cli/http.js';

describe('formatErrorResponse', () => {
  it('prints an ARM error as "error <code>: <message>"', () => {
    const body = { error: { code: 'ResourceNotFound', message: 'Product not found.' } };
    expect(formatErrorResponse(404, 'Not Found', body, JSON.stringify(body))).toBe('error ResourceNotFound: Product not found.');
  });

  it('adds the details, one per line, with their target', () => {
    const body = {
      error: {
        code: 'ValidationError',
        message: 'One or more fields contain incorrect values.',
        details: [
          { code: 'ValidationError', target: 'email', message: 'Email is not valid.' },
          { code: 'ValidationError', message: 'lastName is required.' },
        ],
      },
    };
    expect(formatErrorResponse(400, 'Bad Request', body, '')).toBe(
      [
        'error ValidationError: One or more fields contain incorrect values.',
        '  ValidationError (email): Email is not valid.',
        '  ValidationError: lastName is required.',
      ].join('\n'),
    );
  });

  it('leaves out a detail that repeats the message word for word', () => {
    const message = "Another user already has the email 'a@example.com'.";
    const body = { error: { code: 'Conflict', message, details: [{ code: 'DuplicateEmail', target: 'email', message }] } };
    expect(formatErrorResponse(409, 'Conflict', body, '')).toBe(`error Conflict: ${message}`);
  });

  it('prints the description of a token endpoint error', () => {
    const body = { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.', error_codes: [7000215] };
    expect(formatErrorResponse(401, 'Unauthorized', body, '')).toBe('error invalid_client: AADSTS7000215: Invalid client secret provided.');
  });

  it('prints a gateway error body', () => {
    const body = { statusCode: 401, message: 'Access denied due to invalid token.' };
    expect(formatErrorResponse(401, 'Unauthorized', body, '')).toBe('error 401: Access denied due to invalid token.');
  });

  it('falls back to the status line and a short excerpt', () => {
    expect(formatErrorResponse(502, 'Bad Gateway', undefined, '<html>\n  upstream   down </html>')).toBe('error: HTTP 502 Bad Gateway: <html> upstream down </html>');
    expect(formatErrorResponse(500, 'Internal Server Error', undefined, '')).toBe('error: HTTP 500 Internal Server Error');
    expect(formatErrorResponse(503, '', undefined, 'x'.repeat(500))).toBe(`error: HTTP 503: ${'x'.repeat(200)}`);
  });
});

describe('errorCode', () => {
  it('reads ARM, Graph and OAuth codes', () => {
    expect(errorCode({ error: { code: 'ManagedIdentityNotAuthorized', message: 'm' } })).toBe('ManagedIdentityNotAuthorized');
    expect(errorCode({ error: 'invalid_scope', error_description: 'd' })).toBe('invalid_scope');
    expect(errorCode(undefined)).toBeUndefined();
  });
});

describe('describeNetworkError', () => {
  it('says Portico may not be running when the connection is refused', () => {
    const error = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    expect(describeNetworkError('http://127.0.0.1:8081/subscriptions/x?api-version=1', error)).toBe(
      'error: cannot reach Portico at http://127.0.0.1:8081 (connection refused). Is it running? Start it with `portico start`, or check the URLs in your credentials file / --management-url / --identity-url.',
    );
  });

  it('names the cause otherwise', () => {
    const error = new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND nohost'), { code: 'ENOTFOUND' }) });
    expect(describeNetworkError('http://nohost:1/x', error)).toBe('error: request to http://nohost:1 failed (ENOTFOUND).');
  });
});
