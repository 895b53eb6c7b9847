import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** `<data dir>/credentials.json`: what a person or the CLI needs to reach this instance. */
export interface CredentialsFile {
  tenantId: string;
  subscriptionId: string;
  resourceGroup: string;
  serviceName: string;
  gatewayUrl: string;
  managementUrl: string;
  identityUrl: string;
  /** With `--tls local`: the CA certificate file that clients must trust; absent otherwise. */
  caCertificate?: string;
  managementScope: string;
  admin: { clientId: string; clientSecret: string };
  adminUser: { email: string; password: string };
}

export const credentialsPath = (dataDir: string): string => join(dataDir, 'credentials.json');

export async function readCredentials(path: string): Promise<CredentialsFile | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as CredentialsFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Writes atomically (temp file + rename) with mode 0600, so a crash never leaves half a file. */
export async function writeCredentials(path: string, credentials: CredentialsFile): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}
