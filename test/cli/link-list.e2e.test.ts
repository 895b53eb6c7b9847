/**
 * `portico link list` (every application's links) and `portico product update` turning off
 * application-token (which names the linked applications) read one link list per application —
 * the management API has no collection across applications — at most 8 at a time, in the order the
 * applications are listed. The CLI runs in-process against the real program, through a counting
 * proxy in front of the management listener that holds the per-application calls until 8 are in
 * flight: a CLI that made them one by one would never get there (the proxy then lets them go after
 * a while, and the peak it saw is 1).
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { PER_APPLICATION_CONCURRENCY } from '../../src/cli/commands/product-links.js';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { ManagementClient } from '../helpers/clients.js';
import { putUser } from '../management/harness.js';

const APPS = 12;
/** Liveness only (a one-by-one CLI must not hang the test): never reached when the calls overlap. */
const HOLD_FALLBACK_MS = 300;

/** Counts management calls by kind and the peak of per-application link calls in flight. */
class CountingProxy {
  readonly server: Server;
  appListCalls = 0;
  linkCalls = 0;
  inFlight = 0;
  peak = 0;
  private held: (() => void)[] = [];
  private released = false;
  private fallback: NodeJS.Timeout | undefined;

  constructor(private readonly target: URL) {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  reset(): void {
    this.appListCalls = 0;
    this.linkCalls = 0;
    this.peak = 0;
    this.released = false;
    this.held = [];
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').split('?')[0]!;
    const forward = (): void => {
      const upstream = httpRequest({ host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    };
    if (/\/clientApplications$/.test(path)) this.appListCalls += 1;
    if (!/\/clientApplications\/[^/]+\/productLinks$/.test(path)) return forward();
    this.linkCalls += 1;
    this.inFlight += 1;
    this.peak = Math.max(this.peak, this.inFlight);
    res.on('close', () => void (this.inFlight -= 1));
    if (this.released) return forward();
    this.held.push(forward);
    if (this.inFlight >= PER_APPLICATION_CONCURRENCY) return this.release();
    clearTimeout(this.fallback);
    this.fallback = setTimeout(() => this.release(), HOLD_FALLBACK_MS);
  }

  private release(): void {
    clearTimeout(this.fallback);
    this.released = true;
    for (const go of this.held.splice(0)) go();
  }
}

describe('portico link list and product update: one link list per application, 8 at a time', () => {
  let portico: Booted;
  let admin: ManagementClient;
  let proxy: CountingProxy;
  let appOrder: string[];

  const cli = async (...args: string[]): Promise<{ code: number; out: string; err: string }> => {
    let out = '';
    let err = '';
    const io = { out: (text: string) => void (out += text), err: (text: string) => void (err += text) };
    const code = await main(['node', 'portico', ...args, '--credentials', portico.credentialsPath, '--management-url', proxy.url], { io, env: {}, cwd: portico.dataDir, exit: () => undefined });
    return { code, out, err };
  };
  /** app-03, app-06, …: no links; app-02 also asks for Unlimited (pending); the others: Starter. */
  const linkedTo = (n: number): string[] => (n % 3 === 0 ? [] : n === 2 ? ['starter', 'unlimited'] : ['starter']);

  beforeAll(async () => {
    portico = await bootPortico();
    admin = new ManagementClient(portico.credentials);
    for (const product of ['starter', 'unlimited']) {
      expect((await admin.call('PATCH', `/products/${product}`, { properties: { authenticationType: ['application-token'] } })).status).toBe(200);
    }
    await putUser(admin, 'alice');
    for (let n = 1; n <= APPS; n++) {
      const name = `app-${String(n).padStart(2, '0')}`;
      const created = await admin.call('PUT', `/clientApplications/${name}`, { properties: { displayName: name, ownerId: '/users/alice', productIds: linkedTo(n).map((p) => `/products/${p}`) } });
      expect(created.status).toBe(201);
    }
    appOrder = ((await admin.call('GET', '/clientApplications')).body.value as { name: string }[]).map((app) => app.name);
    expect(appOrder).toHaveLength(APPS);
    proxy = new CountingProxy(new URL(portico.managementUrl));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  }, 120_000);
  beforeEach(() => proxy?.reset());
  afterAll(async () => {
    await new Promise((resolve) => proxy?.server.close(resolve));
    await portico?.stop();
  });

  it('link list: every link, in the order the applications are listed, from 1 + 12 calls with 8 in flight at most', async () => {
    const listed = await cli('link', 'list', '--output', 'json');
    expect(listed.err).toBe('');
    expect(listed.code).toBe(0);
    const expected = appOrder.flatMap((app) => linkedTo(Number(app.slice(4))).map((product) => ({ app, product })));
    const links = JSON.parse(listed.out).value as { id: string; properties: { productId: string; state: string } }[];
    expect(links.map((link) => ({ app: link.id.split('/clientApplications/')[1]!.split('/')[0], product: link.properties.productId.split('/').at(-1) }))).toEqual(expected);
    expect(links.find((link) => link.properties.productId.endsWith('/unlimited'))?.properties.state).toBe('pending');
    expect(proxy.appListCalls).toBe(1);
    expect(proxy.linkCalls).toBe(APPS);
    expect(proxy.peak).toBe(PER_APPLICATION_CONCURRENCY);

    // The table: the same rows, in the same order.
    proxy.reset();
    const table = await cli('link', 'list');
    expect(table.code).toBe(0);
    const rows = table.out.trim().split('\n').slice(1).map((line) => line.trim().split(/\s+/));
    expect(rows.map(([app, product, , state]) => ({ app, product, state }))).toEqual(expected.map(({ app, product }) => ({ app, product, state: product === 'unlimited' ? 'pending' : 'active' })));
    expect(proxy.peak).toBe(PER_APPLICATION_CONCURRENCY);
  });

  it('link list --app: that application\'s links only, one call', async () => {
    const listed = await cli('link', 'list', '--app', 'app-02', '--output', 'json');
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.out).value as { properties: { productId: string } }[]).map((link) => link.properties.productId.split('/').at(-1))).toEqual(['starter', 'unlimited']);
    expect([proxy.appListCalls, proxy.linkCalls]).toEqual([0, 1]);
  });

  it('product update turning off application-token names the linked applications in list order, from 8 calls at a time', async () => {
    const refused = await cli('product', 'update', 'starter', '--auth-types', 'subscription-key');
    const linked = appOrder.filter((app) => linkedTo(Number(app.slice(4))).includes('starter'));
    expect(linked).toHaveLength(8);
    expect(refused).toEqual({
      code: 2,
      out: '',
      err: `error: Turning off application-token on starter cuts the access of 8 linked application(s) (${linked.slice(0, 5).join(', ')}, …); this needs confirmation, but stdin is not a terminal to ask on. Add --yes to go ahead.\n`,
    });
    expect(proxy.appListCalls).toBe(1);
    expect(proxy.linkCalls).toBe(APPS);
    expect(proxy.peak).toBe(PER_APPLICATION_CONCURRENCY);
  });
});
