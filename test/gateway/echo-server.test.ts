import type { Server } from 'node:http';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEchoServer } from '../../src/gateway/index.js';
import { closeServer, listen } from './harness.js';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createEchoServer(pino({ level: 'silent' }));
  base = await listen(server);
});

afterAll(async () => {
  await closeServer(server);
});

describe('echo backend', () => {
  it('echoes method, path, query, lower-case headers and the body as text', async () => {
    const res = await request(`${base}/api/resource?param1=sample&multi=1&multi=2&empty=`, {
      method: 'PUT',
      headers: { 'X-Custom': 'Value', 'content-type': 'text/plain' },
      body: 'hello wörld',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const body = (await res.body.json()) as Record<string, any>;
    expect(body.method).toBe('PUT');
    expect(body.path).toBe('/api/resource');
    expect(body.query).toEqual({ param1: 'sample', multi: ['1', '2'], empty: '' });
    expect(body.headers['x-custom']).toBe('Value');
    expect(body.body).toBe('hello wörld');
  });

  it('answers any method, with an empty body string when none was sent', async () => {
    const res = await request(`${base}/`, { method: 'DELETE' });
    expect(res.statusCode).toBe(200);
    const body = (await res.body.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ method: 'DELETE', path: '/', query: {}, body: '' });
  });

  it('answers HEAD with headers and no body', async () => {
    const res = await request(`${base}/resource`, { method: 'HEAD' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(Number(res.headers['content-length'])).toBeGreaterThan(0);
    expect(await res.body.text()).toBe('');
  });

  it('refuses bodies over 1 MiB with 413', async () => {
    const declared = await request(`${base}/big`, { method: 'POST', body: Buffer.alloc(1_048_577, 'a') });
    expect(declared.statusCode).toBe(413);
    expect(declared.headers['content-type']).toBe('application/json');
    expect(await declared.body.json()).toEqual({ statusCode: 413, message: 'Request body is larger than 1 MiB.' });

    async function* chunks(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 20; i++) yield Buffer.alloc(65_536, 'b'); // 1.25 MiB, no content-length
    }
    const streamed = await request(`${base}/big`, { method: 'POST', body: Readable.from(chunks()) });
    expect(streamed.statusCode).toBe(413);
    await streamed.body.text();
  });

  it('accepts exactly 1 MiB', async () => {
    const res = await request(`${base}/big`, { method: 'POST', body: Buffer.alloc(1_048_576, 'c') });
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as { body: string }).body).toHaveLength(1_048_576);
  });
});
