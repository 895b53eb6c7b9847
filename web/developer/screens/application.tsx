/**
 * One of the developer's applications: Overview (Client ID, products and their scope), + New client
 * secret (shown once, with its expiry), and how to get a token (the tenant's token URL, the exact scope).
 */
import { useState } from 'react';
import {
  Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, MessageBar, MessageBarBody,
  Subtitle2, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, makeStyles, tokens,
} from '@fluentui/react-components';
import { AddRegular, PlayRegular } from '@fluentui/react-icons';
import { navigate } from '../../shared/router.js';
import { CopyableValue, ErrorBar, Loading, PageHeader, useLoad } from '../../shared/ui.js';
import { getApplication, newClientSecret, rememberMintedSecret, tokenOverview, type Application, type NewSecret, type TokenOverview } from '../api.js';
import type { ScreenProps } from '../screen.js';

const useStyles = makeStyles({
  section: { marginTop: tokens.spacingVerticalXL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  facts: { display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: tokens.spacingHorizontalL, rowGap: tokens.spacingVerticalS, alignItems: 'center', '@media (max-width: 600px)': { gridTemplateColumns: '1fr' } },
  label: { fontWeight: tokens.fontWeightSemibold },
  mono: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: 'anywhere' },
  code: { fontFamily: tokens.fontFamilyMonospace, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', backgroundColor: tokens.colorNeutralBackground3, padding: tokens.spacingHorizontalM, borderRadius: tokens.borderRadiusMedium, margin: 0 },
  wrap: { overflowX: 'auto' },
});

export function ApplicationScreen({ params }: ScreenProps) {
  const applicationId = params.applicationId!;
  const { data, error, loading } = useLoad(async () => ({ app: await getApplication(applicationId), token: await tokenOverview() }), [applicationId]);
  const [dialogOpen, setDialogOpen] = useState(false);
  return (
    <>
      <PageHeader title={data?.app.displayName ?? 'Application'}>
        <Button appearance="primary" icon={<AddRegular />} disabled={!data} onClick={() => setDialogOpen(true)}>New client secret</Button>
        {/* Try it knows the secret made here last (page memory), so it needs no pasting. */}
        <Button icon={<PlayRegular />} disabled={!data} onClick={() => navigate(`/try-it?application=${encodeURIComponent(applicationId)}`)}>Try it</Button>
      </PageHeader>
      <ErrorBar error={error} />
      {loading && !data ? <Loading /> : null}
      {data ? <Overview app={data.app} token={data.token} /> : null}
      {data ? <NewSecretDialog app={data.app} open={dialogOpen} onClose={() => setDialogOpen(false)} /> : null}
    </>
  );
}

function Overview({ app, token }: { app: Application; token: TokenOverview }) {
  const styles = useStyles();
  const scope = app.products.find((p) => p.scope)?.scope ?? 'api://<audience>/.default';
  return (
    <>
      <section className={styles.section} aria-labelledby="overview">
        <Subtitle2 as="h2" id="overview">Overview</Subtitle2>
        <div className={styles.facts}>
          <Text className={styles.label}>Client ID</Text>
          <CopyableValue value={app.clientId} label="Client ID" />
          <Text className={styles.label}>Directory (tenant) ID</Text>
          <CopyableValue value={app.tenantId} label="Directory (tenant) ID" />
          <Text className={styles.label}>Client Secret</Text>
          <Text>Use <b>New client secret</b>: a secret is shown once, when it is made.</Text>
          <Text className={styles.label}>State</Text>
          <Text>{app.state}</Text>
          {app.description ? (<><Text className={styles.label}>Description</Text><Text>{app.description}</Text></>) : null}
        </div>
      </section>
      <section className={styles.section} aria-labelledby="products">
        <Subtitle2 as="h2" id="products">Products</Subtitle2>
        {app.products.length === 0 ? <Text>This application has access to no product yet.</Text> : (
          <div className={styles.wrap}>
            <Table aria-label="Products of this application">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Product</TableHeaderCell>
                  <TableHeaderCell>Access</TableHeaderCell>
                  <TableHeaderCell>Scope</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {app.products.map((product) => (
                  <TableRow key={product.id}>
                    <TableCell>{product.displayName}</TableCell>
                    <TableCell>{product.linkState === 'pending' ? 'waiting for approval' : product.linkState}</TableCell>
                    <TableCell>{product.scope ? <CopyableValue value={product.scope} label={`scope of ${product.displayName}`} /> : '—'}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        )}
      </section>
      <section className={styles.section} aria-labelledby="get-token">
        <Subtitle2 as="h2" id="get-token">Get a token</Subtitle2>
        <Text>Your application gets a token with the OAuth 2.0 client credentials flow from the tenant's token endpoint, then sends it as <span className={styles.mono}>Authorization: Bearer &lt;token&gt;</span> to the gateway at <span className={styles.mono}>{token.gatewayUrl}</span>.</Text>
        <div className={styles.facts}>
          <Text className={styles.label}>Token URL</Text>
          <CopyableValue value={token.tokenUrl} label="Token URL" />
          <Text className={styles.label}>Scope</Text>
          <CopyableValue value={scope} label="Scope" />
        </div>
        <pre className={styles.code} aria-label="Token request example">{`curl -X POST '${token.tokenUrl}' \\
  -d grant_type=client_credentials \\
  -d client_id=${app.clientId} \\
  --data-urlencode 'client_secret=<your client secret>' \\
  --data-urlencode 'scope=${scope}'`}</pre>
      </section>
    </>
  );
}

/** + New client secret → Generate → the value once, with copy and expiry → Close, and it is gone. */
function NewSecretDialog({ app, open, onClose }: { app: Application; open: boolean; onClose: () => void }) {
  const styles = useStyles();
  const [secret, setSecret] = useState<NewSecret>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const generate = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const minted = await newClientSecret(app.id);
      rememberMintedSecret(app.id, minted.clientSecret);
      setSecret(minted);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const close = (): void => {
    setSecret(undefined); // never shown again
    setError(undefined);
    onClose();
  };
  return (
    <Dialog open={open} onOpenChange={(_event, data) => (data.open ? undefined : close())}>
      <DialogSurface aria-describedby="new-secret-help">
        <DialogBody>
          <DialogTitle>New client secret</DialogTitle>
          <DialogContent>
            <ErrorBar error={error} />
            {secret ? (
              <>
                <MessageBar intent="warning">
                  <MessageBarBody id="new-secret-help">Copy the secret now and store it securely. You won't be able to see it again after you close this page.</MessageBarBody>
                </MessageBar>
                <Field label="Client secret">
                  <CopyableValue value={secret.clientSecret} label="Client secret" />
                </Field>
                <Field label="Expires">
                  <Text className={styles.mono}>{new Date(secret.expiresAt).toUTCString()}</Text>
                </Field>
              </>
            ) : (
              <Text id="new-secret-help">A new secret for {app.displayName} is valid for one year. Secrets made earlier stay valid until they expire.</Text>
            )}
          </DialogContent>
          <DialogActions>
            {secret ? (
              <Button appearance="primary" onClick={close}>Close</Button>
            ) : (
              <>
                <Button appearance="primary" disabled={busy} onClick={() => void generate()}>Generate</Button>
                <Button appearance="secondary" disabled={busy} onClick={close}>Cancel</Button>
              </>
            )}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
