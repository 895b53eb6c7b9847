/** Try it's gateway URL: the host is always the configured gateway; caller values stay inside the operation's path. */
import { describe, expect, test } from 'vitest';
import { gatewayTarget } from '../../src/portal/developer/index.js';

describe('gatewayTarget', () => {
  test('the API path, the template filled with percent-encoded values, then the query', () => {
    expect(gatewayTarget('http://localhost:8080', 'echo', '/resource', {}, [{ name: 'param1', value: 'sample' }])).toBe('http://localhost:8080/echo/resource?param1=sample');
    expect(gatewayTarget('https://gw.example/base/', 'orders', '/orders/{id}/lines', { id: 'a/b?c#d@evil.example' }, [])).toBe('https://gw.example/base/orders/orders/a%2Fb%3Fc%23d%40evil.example/lines');
    expect(gatewayTarget('http://localhost:8080', '', '/x', {}, [{ name: 'a b', value: '1&2' }])).toBe('http://localhost:8080/x?a+b=1%262');
  });

  test("a template's fixed query stays, its placeholders are left to the caller's query", () => {
    expect(gatewayTarget('http://localhost:8080', 'echo', '/resource?mode=full&x={x}', {}, [{ name: 'x', value: '1' }])).toBe('http://localhost:8080/echo/resource?mode=full&x=1');
  });

  test('a missing value and a dot segment are refused', () => {
    expect(() => gatewayTarget('http://localhost:8080', 'orders', '/orders/{id}', {}, [])).toThrow("The operation needs a value for the template parameter 'id'.");
    for (const value of ['.', '..']) expect(() => gatewayTarget('http://localhost:8080', 'orders', '/orders/{id}', { id: value }, [])).toThrow("cannot be '.' or '..'");
  });

  test('a {*rest} value is encoded per segment: a/b stays a/b, each segment percent-encoded; dot and empty segments are refused', () => {
    expect(gatewayTarget('http://localhost:8080', 'files', '/files/{*path}', { '*path': 'a/b c/d?e#f' }, [])).toBe('http://localhost:8080/files/files/a/b%20c/d%3Fe%23f');
    expect(gatewayTarget('http://localhost:8080', 'files', '/files/{*path}', { path: 'one' }, [])).toBe('http://localhost:8080/files/files/one');
    for (const value of ['..', 'a/../b', 'a/.', './a']) expect(() => gatewayTarget('http://localhost:8080', 'files', '/files/{*path}', { '*path': value }, [])).toThrow("cannot be '.' or '..' or hold such a segment");
    for (const value of ['/a', 'a/', 'a//b']) expect(() => gatewayTarget('http://localhost:8080', 'files', '/files/{*path}', { '*path': value }, [])).toThrow('cannot hold an empty segment');
    // A plain {name} still encodes '/' so one value stays one segment.
    expect(gatewayTarget('http://localhost:8080', 'orders', '/orders/{id}', { id: 'a/b' }, [])).toBe('http://localhost:8080/orders/orders/a%2Fb');
  });
});
