/**
 * The forward step with a backend of our own making: a large body to a slow reader arrives whole
 * (the backend is paused and resumed, not buffered without bound), repeated response headers
 * survive, hop-by-hop response headers do not, and a backend that dies mid-answer cuts the caller.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, closeServer, listen, openHarness, operation, type Harness } from './harness.js';

const CHUNK = Buffer.alloc(64 * 1024, 'x');
const CHUNKS = 128; // 8 MiB: far beyond the socket buffers, so the gateway must wait for the reader
let backend: Server;
let h: Harness;

beforeAll(async () => {
  backend = createServer((req, res) => {
    if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': CHUNK.length * CHUNKS });
      let sent = 0;
      const pump = (): void => {
        while (sent < CHUNKS) {
          sent++;
          if (!res.write(CHUNK)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
      return;
    }
    if (req.url === '/headers') {
      res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/']);
      res.setHeader('connection', 'keep-alive, x-hop');
      res.setHeader('x-hop', 'secret-to-this-hop');
      res.setHeader('x-kept', 'yes');
      res.end('ok');
      return;
    }
    if (req.url === '/mixed-case') {
      res.setHeader('Keep-Alive', 'timeout=5');
      res.setHeader('Proxy-Authenticate', 'Basic');
      res.setHeader('PROXY-X', 'y');
      res.setHeader('Trailer', 'x-checksum');
      res.setHeader('X-Request-ID', 'from-backend');
      res.setHeader('TE', 'trailers');
      res.setHeader('Content-Type', 'text/plain');
      res.setHeader('X-Kept-Too', 'yes');
      res.end('ok');
      return;
    }
    if (req.url === '/dies') {
      res.writeHead(200, { 'content-length': 1000 });
      res.write('partial');
      setImmediate(() => res.destroy());
      return;
    }
    res.writeHead(404).end();
  });
  const backendUrl = await listen(backend);
  h = await openHarness({
    seed: async (store) => {
      await store.management.putApi(api('stream-api', 'stream', backendUrl, { subscriptionRequired: false }));
      for (const path of ['big', 'headers', 'mixed-case', 'dies']) await store.management.putOperation(operation('stream-api', path, 'GET', `/${path}`));
    },
  });
});

afterAll(async () => {
  await h?.close();
  if (backend) await closeServer(backend);
});

describe('forwarding', () => {
  it('streams a large answer to a slow reader whole', async () => {
    const response = await request(`${h.gatewayUrl}/stream/big`, { dispatcher: h.agent });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-length']).toBe(String(CHUNK.length * CHUNKS));
    const hash = createHash('sha256');
    let received = 0;
    let reads = 0;
    for await (const chunk of response.body) {
      hash.update(chunk as Buffer);
      received += (chunk as Buffer).length;
      // Read slowly: let the event loop turn now and then, so the gateway's writes back up.
      if (++reads % 8 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(received).toBe(CHUNK.length * CHUNKS);
    const expected = createHash('sha256');
    for (let i = 0; i < CHUNKS; i++) expected.update(CHUNK);
    expect(hash.digest('hex')).toBe(expected.digest('hex'));
  });

  it('keeps repeated headers and drops hop-by-hop ones and those the backend\'s Connection names', async () => {
    const response = await request(`${h.gatewayUrl}/stream/headers`, { dispatcher: h.agent, headers: { 'x-request-id': 'hdr-1' } });
    expect(await response.body.text()).toBe('ok');
    expect(response.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(response.headers['x-kept']).toBe('yes');
    expect(response.headers['x-hop']).toBeUndefined();
    expect(response.headers['x-request-id']).toBe('hdr-1');
  });

  it('drops hop-by-hop and proxy-* headers and replaces x-request-id whatever their case', async () => {
    const response = await request(`${h.gatewayUrl}/stream/mixed-case`, { dispatcher: h.agent, headers: { 'x-request-id': 'hdr-2' } });
    expect(await response.body.text()).toBe('ok');
    for (const name of ['proxy-authenticate', 'proxy-x', 'trailer', 'te']) expect(response.headers[name]).toBeUndefined();
    expect(response.headers['keep-alive']).not.toBe('timeout=5'); // the gateway's own, if any, not the backend's
    expect(response.headers['x-request-id']).toBe('hdr-2');
    expect(response.headers['content-type']).toBe('text/plain');
    expect(response.headers['x-kept-too']).toBe('yes');
  });

  it('cuts the caller\'s connection when the backend dies mid-answer', async () => {
    const response = await request(`${h.gatewayUrl}/stream/dies`, { dispatcher: h.agent });
    expect(response.statusCode).toBe(200);
    await expect(response.body.text()).rejects.toThrow();
    expect((await h.call('GET', '/stream/headers')).status).toBe(200); // the gateway goes on
  });
});
