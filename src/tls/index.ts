import type { TlsSetting } from '../config/index.js';
import { loadCertificateFiles, type ServerCertificate } from './certificate-files.js';
import { ensureLocalCertificates, type LocalTlsPaths } from './local-ca.js';

export { loadCertificateFiles, type ServerCertificate } from './certificate-files.js';
export { ensureLocalCertificates, localTlsPaths, LOCAL_NAMES, RENEW_BEFORE_DAYS, type LocalTlsPaths } from './local-ca.js';

/** What the HTTPS listeners serve, and for `--tls local` where its CA lives. */
export interface TlsMaterial extends ServerCertificate {
  readonly local?: LocalTlsPaths;
}

/**
 * The certificate for the HTTPS listeners, or undefined for plain http. `names` are the hosts of
 * the public URLs, added to a local certificate's names.
 */
export async function resolveTls(setting: TlsSetting, dataDir: string, names: readonly string[]): Promise<TlsMaterial | undefined> {
  if (setting.mode === 'off') return undefined;
  if (setting.mode === 'files') return loadCertificateFiles(setting.certFile, setting.keyFile);
  const local = await ensureLocalCertificates(dataDir, names);
  return { cert: local.cert, key: local.key, local: local.paths };
}

/** How often a running Portico checks whether its local server certificate needs renewing. */
const RENEWAL_CHECK_MS = 12 * 3_600_000; // twice a day; renewal starts 30 days before the end

/**
 * For `--tls local`: re-checks the server certificate periodically and hands a renewed one to
 * `apply` (which swaps it into the running servers), so a long-running instance never serves an
 * expired certificate. Returns the function that stops the checks.
 */
export function renewLocalCertificatePeriodically(
  dataDir: string,
  names: readonly string[],
  apply: (certificate: ServerCertificate) => void,
  onError: (error: unknown) => void,
): () => void {
  const timer = setInterval(() => {
    ensureLocalCertificates(dataDir, names).then((local) => {
      if (local.issued) apply({ cert: local.cert, key: local.key });
    }, onError);
  }, RENEWAL_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
