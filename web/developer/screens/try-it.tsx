/**
 * Try it: pick one of your applications, a product it reaches with a token, an operation; Portico
 * gets a token with the application's client secret (pasted, or the one just made on this page) and
 * calls the gateway, then shows the request and the response.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Button, Field, Input, Select, Subtitle2, Text, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import { SendRegular } from '@fluentui/react-icons';
import { ErrorBar, Loading, PageHeader, useLoad } from '../../shared/ui.js';
import { listApplications, listProducts, mintedSecretFor, tryIt, type TryItResult } from '../api.js';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, maxWidth: '720px' },
  row: { display: 'grid', gridTemplateColumns: 'minmax(0, 1fr) minmax(0, 1fr)', gap: tokens.spacingHorizontalL, '@media (max-width: 600px)': { gridTemplateColumns: 'minmax(0, 1fr)' } },
  section: { marginTop: tokens.spacingVerticalXL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  code: { fontFamily: tokens.fontFamilyMonospace, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', backgroundColor: tokens.colorNeutralBackground3, padding: tokens.spacingHorizontalM, borderRadius: tokens.borderRadiusMedium, margin: 0 },
  actions: { display: 'flex', gap: tokens.spacingHorizontalM },
  // A native select is as wide as its longest option; a long name must not push it past its column.
  select: { minWidth: 0, maxWidth: '100%' },
  selectBox: { minWidth: 0, width: '100%', textOverflow: 'ellipsis' },
});

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function TryItScreen() {
  const styles = useStyles();
  const initialApp = useMemo(() => new URLSearchParams(window.location.search).get('application') ?? '', []);
  const { data, error, loading } = useLoad(async () => ({ apps: await listApplications(), products: await listProducts() }), []);
  const [applicationId, setApplicationId] = useState(initialApp);
  const [productId, setProductId] = useState('');
  const [operationKey, setOperationKey] = useState('');
  const [templateValues, setTemplateValues] = useState<Record<string, string>>({});
  const [query, setQuery] = useState('param1=sample');
  const [headers, setHeaders] = useState('');
  const [body, setBody] = useState('{\n  "hello": "world"\n}');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const [result, setResult] = useState<TryItResult>();
  // The last answer belongs to the application and product it was sent with: another choice clears it.
  const forgetAnswer = (): void => {
    setResult(undefined);
    setFailure(undefined);
  };

  const apps = data?.apps ?? [];
  const app = apps.find((a) => a.id === applicationId) ?? apps[0];
  const reachable = (app?.products ?? []).filter((p) => p.scope && (p.linkState === 'active' || p.linkState === 'approved'));
  const product = data?.products.find((p) => p.id === productId) ?? data?.products.find((p) => p.id === reachable[0]?.id);
  const operations = (product?.apis ?? []).flatMap((api) => api.operations.map((operation) => ({ api, operation, key: `${api.id}/${operation.id}` })));
  const chosen = operations.find((o) => o.key === operationKey) ?? operations.find((o) => o.operation.method === 'POST') ?? operations[0];
  const templateNames = [...(chosen?.operation.urlTemplate.matchAll(/\{([^}]+)\}/g) ?? [])].map((m) => m[1]!);
  const minted = app ? mintedSecretFor(app.id) : undefined;

  useEffect(() => {
    if (minted) setSecret(minted);
  }, [minted]);

  const send = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!app || !product || !chosen) return;
    setBusy(true);
    setFailure(undefined);
    setResult(undefined);
    try {
      setResult(await tryIt({
        applicationId: app.id,
        clientSecret: secret,
        productId: product.id,
        apiId: chosen.api.id,
        operationId: chosen.operation.id,
        templateParameters: Object.fromEntries(templateNames.map((name) => [name, templateValues[name] ?? ''])),
        query: [...new URLSearchParams(query.replace(/^\?/, ''))].map(([name, value]) => ({ name, value })),
        headers: headers.split('\n').map((line) => line.trim()).filter(Boolean).map((line) => {
          const colon = line.indexOf(':');
          return colon < 0 ? { name: line, value: '' } : { name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() };
        }),
        ...(BODY_METHODS.has(chosen.operation.method) ? { body } : {}),
      }));
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader title="Try it" />
      <ErrorBar error={error} />
      {loading && !data ? <Loading /> : null}
      {data && apps.length === 0 ? <Text as="p">Try it calls an API with one of your applications, and you own none yet.</Text> : null}
      {data && app ? (
        <form className={styles.form} onSubmit={(event) => void send(event)} aria-label="Try an operation">
          <div className={styles.row}>
            <Field label="Application">
              <Select className={styles.select} select={{ className: styles.selectBox }} value={app.id} onChange={(_event, d) => { setApplicationId(d.value); setProductId(''); setSecret(''); forgetAnswer(); }}>
                {apps.map((a) => <option key={a.id} value={a.id}>{a.displayName}</option>)}
              </Select>
            </Field>
            <Field label="Product" validationMessage={reachable.length === 0 ? 'This application reaches no product with an OAuth 2.0 token.' : undefined}>
              <Select className={styles.select} select={{ className: styles.selectBox }} value={product?.id ?? ''} onChange={(_event, d) => { setProductId(d.value); setOperationKey(''); forgetAnswer(); }}>
                {reachable.map((p) => <option key={p.id} value={p.id}>{p.displayName}</option>)}
              </Select>
            </Field>
          </div>
          <Field label="Operation">
            <Select className={styles.select} select={{ className: styles.selectBox }} value={chosen?.key ?? ''} onChange={(_event, d) => setOperationKey(d.value)}>
              {operations.map((o) => <option key={o.key} value={o.key}>{`${o.operation.method} /${o.api.path}${o.operation.urlTemplate} — ${o.operation.displayName}`}</option>)}
            </Select>
          </Field>
          {templateNames.map((name) => (
            <Field key={name} label={`Template parameter ${name}`} required>
              <Input value={templateValues[name] ?? ''} onChange={(_event, d) => setTemplateValues({ ...templateValues, [name]: d.value })} />
            </Field>
          ))}
          <Field label="Query parameters" hint="As in a URL: name=value&other=value">
            <Input value={query} onChange={(_event, d) => setQuery(d.value)} />
          </Field>
          <Field label="Headers" hint="One per line, Name: value. Authorization is added for you.">
            <Textarea value={headers} onChange={(_event, d) => setHeaders(d.value)} resize="vertical" />
          </Field>
          {chosen && BODY_METHODS.has(chosen.operation.method) ? (
            <Field label="Request body">
              <Textarea value={body} onChange={(_event, d) => setBody(d.value)} resize="vertical" rows={5} />
            </Field>
          ) : null}
          <Field label="Client secret" required hint={minted && secret === minted ? 'The secret you just made for this application is filled in.' : 'Paste a client secret of this application; it is used for one token request and not kept.'}>
            <Input type="password" value={secret} autoComplete="off" onChange={(_event, d) => setSecret(d.value)} />
          </Field>
          <div className={styles.actions}>
            <Button type="submit" appearance="primary" icon={<SendRegular />} disabled={busy || !secret || !chosen}>Send</Button>
          </div>
        </form>
      ) : null}
      <ErrorBar error={failure} />
      {result ? <TryItOutcome result={result} /> : null}
    </>
  );
}

function TryItOutcome({ result }: { result: TryItResult }) {
  const styles = useStyles();
  const { token, request, response } = result;
  return (
    <>
      <section className={styles.section} aria-labelledby="token-step">
        <Subtitle2 as="h2" id="token-step">Token</Subtitle2>
        <pre className={styles.code} data-testid="try-it-token">{token.status === 200
          ? `POST ${token.url}\nscope=${token.scope}\n→ ${token.status}: a token valid for ${token.expiresIn ?? '?'} seconds`
          : `POST ${token.url}\nscope=${token.scope}\n→ ${token.status} ${token.error}: ${token.errorDescription}`}</pre>
      </section>
      {request ? (
        <section className={styles.section} aria-labelledby="request-step">
          <Subtitle2 as="h2" id="request-step">Request</Subtitle2>
          <pre className={styles.code} data-testid="try-it-request">{`${request.method} ${request.url}\n${Object.entries(request.headers).map(([n, v]) => `${n}: ${v}`).join('\n')}${request.body ? `\n\n${request.body}` : ''}`}</pre>
        </section>
      ) : null}
      {response ? (
        <section className={styles.section} aria-labelledby="response-step">
          <Subtitle2 as="h2" id="response-step">Response</Subtitle2>
          <pre className={styles.code} data-testid="try-it-response">{`HTTP ${response.status}\n${Object.entries(response.headers).map(([n, v]) => `${n}: ${v}`).join('\n')}\n\n${pretty(response.body)}${response.truncated ? '\n… (cut: the body is longer than the console shows)' : ''}`}</pre>
        </section>
      ) : null}
    </>
  );
}

function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}
