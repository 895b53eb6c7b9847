import { X509Certificate, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { isGuid } from '../../shared/index.js';
import { CliError, usageError } from '../cli-error.js';
import { props, seg, type CliContext } from '../context.js';
import { asRecord } from '../http.js';
import { textOf } from '../output.js';
import { act, leaf, withYes, type Deps } from './shared.js';

type GraphObject = Record<string, unknown>;

/** A certificate file is a few KiB; refuse to read anything that is clearly something else. */
const MAX_FILE_BYTES = 64 * 1024;

/**
 * `portico app credential add|list|delete`: the certificates a client application signs its
 * client assertions with (private_key_jwt). Everything goes through the Graph-shaped API, the
 * way Graph does it: PATCH the application's whole `keyCredentials` list.
 */
export function registerAppCredentialCommands(app: Command, deps: Deps): void {
  const credential = app.command('credential').description('add, list and remove the certificates an application authenticates with (private_key_jwt)');

  leaf(credential, 'add <appId>', 'upload a public certificate (PEM or DER file) the application signs client assertions with', [
    'openssl req -x509 -newkey rsa:2048 -nodes -keyout billing.key -out billing.pem -days 365 -subj "/CN=contoso-billing"',
    'portico app credential add contoso-billing --certificate billing.pem',
    'portico app credential add contoso-billing --certificate billing.cer --display-name "2027 rotation" --output json',
  ])
    .requiredOption('--certificate <file>', 'the public certificate: PEM (.pem, .crt) or DER (.cer); never the private key')
    .option('--display-name <name>', 'a name for the credential (default: the certificate\'s subject)')
    .action(
      act(deps, async (ctx, [appId], options) => {
        const certificate = readCertificate(String(options.certificate));
        const application = await entraApplication(ctx, appId!);
        const existing = keyCredentialsOf(application);
        if (existing.some((k) => k.customKeyIdentifier === certificate.sha1)) {
          throw new CliError(`error: application ${appId} already has this certificate (thumbprint ${certificate.sha1}).`);
        }
        const displayName = (options.displayName as string | undefined) ?? certificate.subject;
        ctx.out.progress(`Uploading certificate ${certificate.sha1} to application ${appId}…`);
        const added = { type: 'AsymmetricX509Cert', usage: 'Verify', key: certificate.derBase64, displayName };
        // Graph's way: the whole list, the existing entries as read (without key) plus the new one.
        await ctx.graph('PATCH', `/applications/${seg(String(application.id))}`, { json: { keyCredentials: [...existing.map(kept), added] } });
        const after = keyCredentialsOf(await graphApplication(ctx, String(application.id)));
        const created = after.find((k) => k.customKeyIdentifier === certificate.sha1);
        if (created === undefined) throw new CliError('error: the server accepted the certificate but does not list it.');
        const result = { ...created, thumbprintSha256: certificate.sha256, clientId: application.appId };
        ctx.out.result(result, () => {
          ctx.out.fields([
            ['Key ID', textOf(created.keyId)],
            ['Display name', textOf(created.displayName)],
            ['Thumbprint', certificate.sha1],
            ['Thumbprint (SHA-256)', certificate.sha256],
            ['Valid from', textOf(created.startDateTime)],
            ['Expires', textOf(created.endDateTime)],
            ['Client ID', textOf(application.appId)],
          ]);
          ctx.out.progress('Next: sign a client assertion (x5t#S256 = the SHA-256 thumbprint) with the private key, e.g. MSAL clientCertificate: { thumbprintSha256, privateKey }.');
        });
      }),
    );

  leaf(credential, 'list <appId>', 'list the certificates of a client application', ['portico app credential list contoso-billing']).action(
    act(deps, async (ctx, [appId]) => {
      const keys = keyCredentialsOf(await entraApplication(ctx, appId!));
      ctx.out.result({ value: keys }, () =>
        ctx.out.table(
          ['KEY ID', 'DISPLAY NAME', 'THUMBPRINT', 'EXPIRES'],
          keys.map((k) => [textOf(k.keyId) ?? '', textOf(k.displayName) ?? '', textOf(k.customKeyIdentifier) ?? '', textOf(k.endDateTime) ?? '']),
          'No certificates.',
        ),
      );
    }),
  );

  // `delete`, as every other noun says; `remove` was its first name and still works.
  withYes(
    leaf(credential, 'delete <appId>', 'delete a certificate (assertions signed with it stop working at once)', [
      'portico app credential delete contoso-billing --key-id 6f0d2c1e-9a4b-4c7e-8d3f-2b1a0e9c8d7f --yes',
    ]).alias('remove'),
  )
    .requiredOption('--key-id <keyId>', 'the credential\'s Key ID (see `portico app credential list`)')
    .action(
      act(deps, async (ctx, [appId], options) => {
        const keyId = String(options.keyId).toLowerCase();
        if (!isGuid(keyId)) throw usageError('--key-id must be the GUID shown as KEY ID by `portico app credential list`.');
        const application = await entraApplication(ctx, appId!);
        const existing = keyCredentialsOf(application);
        const deleted = existing.some((k) => k.keyId === keyId);
        if (deleted) {
          await ctx.confirm(`Deleting certificate ${keyId} of application ${appId} stops assertions signed with it working at once`, options);
          const remaining = existing.filter((k) => k.keyId !== keyId).map(kept);
          await ctx.graph('PATCH', `/applications/${seg(String(application.id))}`, { json: { keyCredentials: remaining } });
        }
        ctx.out.result({ name: keyId, deleted }, () =>
          ctx.out.line(deleted ? `Removed certificate ${keyId} from application ${appId}.` : `Application ${appId} has no certificate ${keyId}; nothing removed.`),
        );
      }),
    );
}

interface CertificateFile {
  readonly derBase64: string;
  readonly sha1: string;
  readonly sha256: string;
  readonly subject: string;
}

/** Reads a PEM or DER certificate and refuses a private key before anything is sent. */
export function readCertificate(path: string): CertificateFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new CliError(`error: cannot read ${path}: ${(error as Error).message}`);
  }
  if (bytes.length > MAX_FILE_BYTES) throw new CliError(`error: ${path} is larger than ${MAX_FILE_BYTES / 1024} KiB; it is not a certificate.`);
  const text = bytes.toString('latin1');
  let der = bytes;
  if (text.includes('-----BEGIN')) {
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
      const hasCertificate = text.includes('-----BEGIN CERTIFICATE-----');
      throw new CliError(hasCertificate
        ? `error: ${path} contains a private key next to the certificate. Give only the public certificate (\`openssl x509 -in ${path} -out cert.pem\` extracts it); the private key stays with the application.`
        : `error: ${path} is a private key, not a certificate. Give the public certificate made with it (the .pem or .crt file, e.g. from \`openssl req -x509 -key ${path} …\`); the private key stays with the application.`);
    }
    const blocks = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)];
    if (blocks.length !== 1) throw new CliError(`error: ${path} must hold exactly one CERTIFICATE block; it holds ${blocks.length}.`);
    der = Buffer.from(blocks[0]![1]!.replace(/\s+/g, ''), 'base64');
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(der);
  } catch {
    throw new CliError(`error: ${path} is not an X.509 certificate (PEM or DER). A .pfx/.p12 file holds the private key too; export the certificate alone.`);
  }
  return {
    derBase64: der.toString('base64'),
    sha1: createHash('sha1').update(der).digest('hex').toUpperCase(),
    sha256: createHash('sha256').update(der).digest('hex').toUpperCase(),
    subject: certificate.subject.split('\n').join(', ').slice(0, 256),
  };
}

/** The management client application's directory application (Graph object), found by its client id. */
async function entraApplication(ctx: CliContext, appId: string): Promise<GraphObject> {
  const clientId = textOf(props(await ctx.armGet(`/clientApplications/${seg(appId)}`)).entraApplicationId);
  if (clientId === undefined) throw new CliError(`error: client application ${appId} has no directory application.`);
  const found = await ctx.graphList('/applications', { $filter: `appId eq '${clientId}'` });
  if (found.length !== 1) throw new CliError(`error: the directory has no application with client id ${clientId}.`);
  return found[0]!;
}

async function graphApplication(ctx: CliContext, objectId: string): Promise<GraphObject> {
  return asRecord((await ctx.graph('GET', `/applications/${seg(objectId)}`)).body) ?? {};
}

function keyCredentialsOf(application: GraphObject): GraphObject[] {
  const keys = application.keyCredentials;
  return Array.isArray(keys) ? keys.map((k) => asRecord(k) ?? {}) : [];
}

/** An existing entry as PATCH keeps it: by keyId. */
const kept = (k: GraphObject): GraphObject => ({ keyId: k.keyId, type: k.type, usage: k.usage, displayName: k.displayName });
