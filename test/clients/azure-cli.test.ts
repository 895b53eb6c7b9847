/**
 * The Azure CLI (Debian's azure-cli package), in a configuration directory of its own, registers
 * Portico as a cloud from its management URL alone, logs in as a service principal and manages
 * products and APIs, over `--tls local` and behind a TLS proxy. Under CI the CLI must be there
 * (.ci/run installs it); elsewhere a missing `az` skips these tests with a message saying so.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLIENT_MODES, MODE_TITLES, startClientEnvironment, type ClientEnvironment } from './environment.js';

const AZ = findAz();
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
if (AZ === undefined && !IN_CI) {
  console.warn('test/clients/azure-cli.test.ts: the Azure CLI (az) is not installed; skipping its tests. Install it with `apt-get install azure-cli`.');
}

function findAz(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v az'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Each az command takes one to a few seconds of Python start-up; on a busy CI machine, more. */
const AZ_TEST_TIMEOUT_MS = 120_000;

interface AzResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly json: any;
}

describe.skipIf(AZ === undefined && !IN_CI)('the Azure CLI', { timeout: AZ_TEST_TIMEOUT_MS }, () => {
  test('is installed (CI installs it with apt-get install azure-cli)', () => {
    expect(AZ, 'az is not on PATH; .ci/run installs it with apt-get install azure-cli').toBeDefined();
  });

  for (const mode of CLIENT_MODES) {
    describe(MODE_TITLES[mode], () => {
      let env: ClientEnvironment;
      let configDir: string;
      let servicePath: string;

      /** `az …` as a user runs it: its own AZURE_CONFIG_DIR and the printed REQUESTS_CA_BUNDLE. */
      const az = (...args: string[]): Promise<AzResult> =>
        new Promise((resolve) => {
          const childEnv: NodeJS.ProcessEnv = {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            AZURE_CONFIG_DIR: configDir,
            REQUESTS_CA_BUNDLE: env.requestsCaBundle,
            // No telemetry, no survey prompts: the same as `az config set core.collect_telemetry=false`.
            AZURE_CORE_COLLECT_TELEMETRY: 'false',
            AZURE_CORE_SURVEY_MESSAGE: 'false',
          };
          execFile(AZ!, args, { env: childEnv, timeout: 60_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
            let json: unknown;
            try {
              json = stdout.trim() === '' ? undefined : JSON.parse(stdout);
            } catch {
              json = undefined;
            }
            resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr, json });
          });
        });
      const expectOk = (result: AzResult): any => {
        expect(result.code, `az failed (${result.code}):\n${result.stderr}\n${result.stdout}`).toBe(0);
        return result.json;
      };

      beforeAll(async () => {
        env = await startClientEnvironment(mode);
        configDir = await mkdtemp(join(tmpdir(), 'portico-az-'));
        servicePath = `/subscriptions/${env.subscriptionId}/resourceGroups/${env.resourceGroup}/providers/Microsoft.ApiManagement/service/${env.serviceName}`;
      });
      afterAll(async () => {
        await env?.stop();
        if (configDir) await rm(configDir, { recursive: true, force: true });
      });

      test('az cloud register with only --endpoint-resource-manager reads /metadata/endpoints; az cloud set', async () => {
        expectOk(await az('cloud', 'register', '--name', 'Portico', '--endpoint-resource-manager', `${env.managementUrl}/`));
        expectOk(await az('cloud', 'set', '--name', 'Portico'));
        // What az learned from /metadata/endpoints: the ADFS-style login endpoint and the ARM audience.
        const clouds = await readFile(join(configDir, 'clouds.config'), 'utf8');
        expect(clouds).toContain(`active_directory = ${env.identityUrl}/adfs`);
        expect(clouds).toContain('active_directory_resource_id = https://management.portico.local/');
      });

      test('az login --service-principal', async () => {
        const accounts = expectOk(await az('login', '--service-principal', '-u', env.admin.clientId, `--password=${env.admin.clientSecret}`, '--tenant', env.tenantId));
        expect(accounts).toEqual([expect.objectContaining({ id: env.subscriptionId, tenantId: env.tenantId, cloudName: 'Portico', state: 'Enabled' })]);
      });

      test('az apim product list', async () => {
        const products = expectOk(await az('apim', 'product', 'list', '-g', env.resourceGroup, '-n', env.serviceName));
        expect(products.map((p: { name: string }) => p.name)).toEqual(['starter', 'unlimited']);
        expect(products[0]).toMatchObject({ displayName: 'Starter', state: 'published' });
      });

      test('az apim api list', async () => {
        const apis = expectOk(await az('apim', 'api', 'list', '-g', env.resourceGroup, '-n', env.serviceName));
        expect(apis).toEqual([expect.objectContaining({ name: 'echo-api', path: 'echo' })]);
      });

      test('az rest GET and PATCH of a product', async () => {
        const url = `${servicePath}/products/starter?api-version=2022-08-01`;
        const got = expectOk(await az('rest', '--method', 'get', '--url', url));
        expect(got).toMatchObject({ name: 'starter', properties: { displayName: 'Starter' } });
        const patched = expectOk(await az('rest', '--method', 'patch', '--url', url, '--headers', 'If-Match=*', '--body', JSON.stringify({ properties: { description: 'Patched with az rest' } })));
        expect(patched).toMatchObject({ name: 'starter', properties: { description: 'Patched with az rest' } });
        const after = await env.manage('GET', '/products/starter');
        expect(after.body.properties.description).toBe('Patched with az rest');
      });
    });
  }
});
