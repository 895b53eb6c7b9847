import { describe, expect, it } from 'vitest';
import { compareSpecificity, compileUrlTemplate, hasUnsafeSegment } from '../../src/gateway/url-template.js';

describe('compileUrlTemplate', () => {
  it('matches a literal template exactly, ignoring case and one trailing slash', () => {
    const t = compileUrlTemplate('/resource');
    expect(t.match('/resource')).toEqual({});
    expect(t.match('/Resource')).toEqual({});
    expect(t.match('/resource/')).toEqual({});
    expect(t.match('/resources')).toBeUndefined();
    expect(t.match('/resource/x')).toBeUndefined();
    expect(t.match('')).toBeUndefined();
  });

  it('binds a parameter to exactly one non-empty segment, decoded', () => {
    const t = compileUrlTemplate('/users/{id}');
    expect(t.match('/users/42')).toEqual({ id: '42' });
    expect(t.match('/users/a%20b')).toEqual({ id: 'a b' });
    expect(t.match('/users/')).toBeUndefined();
    expect(t.match('/users')).toBeUndefined();
    expect(t.match('/users/1/2')).toBeUndefined();
  });

  it('supports several parameters and parameters inside a segment', () => {
    expect(compileUrlTemplate('/users/{userId}/orders/{orderId}').match('/users/u1/orders/o2')).toEqual({ userId: 'u1', orderId: 'o2' });
    expect(compileUrlTemplate('/files/{name}.{ext}').match('/files/report.pdf')).toEqual({ name: 'report', ext: 'pdf' });
  });

  it('ignores the query part of a template', () => {
    const t = compileUrlTemplate('/resource?param1={param1}&param2={param2}');
    expect(t.match('/resource')).toEqual({});
    expect(t.paramNames).toEqual([]);
  });

  it('treats regular-expression characters in literals literally', () => {
    const t = compileUrlTemplate('/a.b+(c)');
    expect(t.match('/a.b+(c)')).toEqual({});
    expect(t.match('/aXb+(c)')).toBeUndefined();
  });

  it('matches the root template against an empty remainder and "/"', () => {
    const t = compileUrlTemplate('/');
    expect(t.match('')).toEqual({});
    expect(t.match('/')).toEqual({});
    expect(t.match('/x')).toBeUndefined();
  });

  it('lets a trailing * or {*rest} match the rest of the path', () => {
    expect(compileUrlTemplate('/*').match('/a/b/c')).toEqual({ '*': 'a/b/c' });
    expect(compileUrlTemplate('/*').match('')).toEqual({ '*': '' });
    expect(compileUrlTemplate('/files/{*path}').match('/files/x/y.txt')).toEqual({ path: 'x/y.txt' });
    expect(compileUrlTemplate('/files/{*path}').match('/other/x')).toBeUndefined();
  });
});

describe('compareSpecificity', () => {
  it('puts literal segments before parameters and wildcards last', () => {
    const templates = ['/*', '/users/{id}', '/users/me', '/users/{id}/{x}'].map(compileUrlTemplate);
    templates.sort(compareSpecificity);
    expect(templates.map((t) => t.template)).toEqual(['/users/me', '/users/{id}', '/users/{id}/{x}', '/*']);
  });
});

describe('hasUnsafeSegment', () => {
  it('flags . and .. segments, also percent-encoded', () => {
    expect(hasUnsafeSegment('/echo/../admin')).toBe(true);
    expect(hasUnsafeSegment('/echo/%2e%2E/admin')).toBe(true);
    expect(hasUnsafeSegment('/echo/./x')).toBe(true);
    expect(hasUnsafeSegment('/echo/..x/y')).toBe(false);
    expect(hasUnsafeSegment('/echo/resource')).toBe(false);
  });

  it('also refuses encoded separators and backslashes a backend might decode', () => {
    expect(hasUnsafeSegment('/echo/..%2f..%2fapi/resource')).toBe(true);
    expect(hasUnsafeSegment('/echo/..%5C..%5Capi')).toBe(true);
    expect(hasUnsafeSegment('/echo/..\\..\\api/resource')).toBe(true);
    expect(hasUnsafeSegment('/echo/a%2Fb')).toBe(true);
    expect(hasUnsafeSegment('/echo/%2e%2e%2f')).toBe(true);
    expect(hasUnsafeSegment('/echo/caf%C3%A9')).toBe(false);
  });

  it("refuses segments starting with '..;' or '.;' (Tomcat and Spring drop ;params), plain or encoded", () => {
    for (const path of ['/echo/..;/admin', '/echo/..;x/y', '/echo/.;/x', '/echo/%2e%2e;/x', '/echo/%2E;jsessionid=1/x', '/echo/..%3b/x', '/echo/.%3B', '/..;/echo']) {
      expect(hasUnsafeSegment(path), path).toBe(true);
    }
    for (const path of ['/echo/a..;/x', '/echo/.well-known/x', '/echo/..x;/y', '/echo/;..', '/echo/file.;x', '/']) expect(hasUnsafeSegment(path), path).toBe(false);
  });
});

describe('matching stays linear on crafted paths', () => {
  // Before parameters stopped at the next literal, these took seconds to hours (polynomial backtracking).
  it('several parameters in one segment', () => {
    const template = compileUrlTemplate('/reports/{year}-{month}-{day}');
    expect(template.match(`/reports/${'-'.repeat(20_000)}/x`)).toBeUndefined();
    expect(template.match('/reports/2026-11-26')).toEqual({ year: '2026', month: '11', day: '26' });
  });

  it('dotted parameters', () => {
    const template = compileUrlTemplate('/v/{a}.{b}.{c}');
    expect(template.match(`/v/${'.'.repeat(20_000)}!`)).toBeUndefined();
    expect(template.match('/v/archive.tar.gz')).toEqual({ a: 'archive', b: 'tar', c: 'gz' });
  });
});
