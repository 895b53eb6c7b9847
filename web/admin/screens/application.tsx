/**
 * An application: Overview (Client ID with copy; Client Secret → Add secret → Generate, shown once)
 * and Details → Products (+ Add product, remove); Delete with confirmation.
 */
import { useState } from 'react';
import {
  Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Dropdown, Field, Option,
  Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, makeStyles, tokens,
} from '@fluentui/react-components';
import { AddRegular, DeleteRegular, KeyRegular } from '@fluentui/react-icons';
import type { ServiceApi } from '../../shared/api.js';
import { RouterLink } from '../../shared/router.js';
import { PathTabs } from '../../shared/tabs.js';
import { ConfirmDialog, CopyableValue, ErrorBar, Loading, ModalDialog, PageHeader, SuccessBar, useConfirmation, useLoad } from '../../shared/ui.js';
import { lastSegment, offersApplicationAccess, type ClientApplication, type Product, type ProductLink, type User } from '../model.js';
import type { ScreenProps } from '../screen.js';
import { userLabel } from './applications.js';

const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'products', label: 'Products' },
] as const;

const useStyles = makeStyles({
  panel: { marginTop: tokens.spacingVerticalL, padding: tokens.spacingHorizontalL, backgroundColor: tokens.colorNeutralBackground1, maxWidth: '960px' },
  essentials: { display: 'grid', gridTemplateColumns: 'minmax(120px, max-content) 1fr', columnGap: tokens.spacingHorizontalXL, rowGap: tokens.spacingVerticalM, alignItems: 'center', margin: 0, '@media (max-width: 760px)': { gridTemplateColumns: '1fr' } },
  term: { fontWeight: tokens.fontWeightSemibold },
  detail: { margin: 0, minWidth: 0 },
  row: { display: 'flex', flexWrap: 'wrap', alignItems: 'flex-end', gap: tokens.spacingHorizontalM, marginBottom: tokens.spacingVerticalM },
  tableWrap: { overflowX: 'auto' },
  secret: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

const applicationPath = (id: string): string => `/clientApplications/${encodeURIComponent(id)}`;

export function ApplicationScreen({ params, api }: ScreenProps) {
  const applicationId = params.applicationId!;
  const tab = TABS.some((t) => t.id === params.tab) ? params.tab! : 'overview';
  const [deleting, setDeleting] = useState(false);
  const { data, error } = useLoad(async () => {
    const [application, users] = await Promise.all([api.get<ClientApplication>(applicationPath(applicationId)), api.list<User>('/users')]);
    return { application, users };
  }, [api, applicationId]);
  if (error) return <><PageHeader title="Application" /><ErrorBar error={error} /></>;
  if (!data) return <Loading />;
  const { application } = data;
  const basePath = `/applications/${encodeURIComponent(applicationId)}`;
  return (
    <>
      <PageHeader title={application.properties.displayName}>
        <Button icon={<DeleteRegular />} onClick={() => setDeleting(true)}>Delete</Button>
      </PageHeader>
      <Text as="p"><RouterLink to="/applications">Applications</RouterLink> › {application.properties.displayName}</Text>
      <PathTabs label="Application" basePath={basePath} tabs={TABS} selected={tab} />
      {tab === 'overview' ? <OverviewTab api={api} application={application} users={data.users} /> : <ProductsTab api={api} application={application} />}
      <ConfirmDialog
        open={deleting}
        title={`Delete application ${application.properties.displayName}?`}
        confirmLabel="Delete"
        onClose={() => setDeleting(false)}
        onConfirm={() => api.delete(applicationPath(applicationId))}
        thenGoTo="/applications"
      >
        <Text>The application and its Entra ID app registration are deleted: its client secrets stop working and it loses access to every product. This cannot be undone.</Text>
      </ConfirmDialog>
    </>
  );
}

function OverviewTab(props: { api: ServiceApi; application: ClientApplication; users: readonly User[] }) {
  const styles = useStyles();
  const p = props.application.properties;
  const [adding, setAdding] = useState(false);
  return (
    <section className={styles.panel} aria-label="Overview">
      <dl className={styles.essentials}>
        <dt className={styles.term}>Client ID</dt>
        <dd className={styles.detail}>{p.entraApplicationId ? <CopyableValue value={p.entraApplicationId} label="Client ID" /> : '—'}</dd>
        <dt className={styles.term}>Client Secret</dt>
        <dd className={styles.detail}><Button icon={<KeyRegular />} onClick={() => setAdding(true)}>Add secret</Button></dd>
        <dt className={styles.term}>Owner</dt>
        <dd className={styles.detail}>{userLabel(props.users, p.ownerId)}</dd>
        <dt className={styles.term}>State</dt>
        <dd className={styles.detail}>{p.state ?? '—'}</dd>
        <dt className={styles.term}>Tenant ID</dt>
        <dd className={styles.detail}>{p.entraTenantId ?? '—'}</dd>
        <dt className={styles.term}>Description</dt>
        <dd className={styles.detail}>{p.description || '—'}</dd>
      </dl>
      <ModalDialog open={adding} onClose={() => setAdding(false)}>
        <NewSecretBody api={props.api} application={props.application} onClose={() => setAdding(false)} />
      </ModalDialog>
    </section>
  );
}

interface ListSecrets {
  readonly entra: { readonly clientSecret: string; readonly expiresAt: string };
}

/**
 * "New client secret": Generate mints one (POST listSecrets); it is shown here once, with a copy
 * button and its expiry. Closing unmounts this body and so drops the secret: nothing shows it again.
 */
function NewSecretBody(props: { api: ServiceApi; application: ClientApplication; onClose: () => void }) {
  const styles = useStyles();
  const [secret, setSecret] = useState<ListSecrets['entra']>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const generate = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      setSecret((await props.api.post<ListSecrets>(`${applicationPath(props.application.name)}/listSecrets`)).entra);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const close = (): void => {
    setSecret(undefined);
    props.onClose();
  };
  return (
        <DialogBody>
          <DialogTitle>New client secret</DialogTitle>
          <DialogContent className={styles.secret}>
            <ErrorBar error={error} />
            {secret ? (
              <>
                <Field label="Client secret" hint="Copy it now and store it securely: you won't be able to retrieve it after you close this page.">
                  <CopyableValue value={secret.clientSecret} label="Client secret" />
                </Field>
                <Field label="Expires">
                  <Text>{new Date(secret.expiresAt).toLocaleString()}</Text>
                </Field>
              </>
            ) : (
              <Text>A new client secret for {props.application.properties.displayName}, valid for one year. Earlier secrets keep working until they expire.</Text>
            )}
          </DialogContent>
          <DialogActions>
            {secret ? null : <Button appearance="primary" disabled={busy} onClick={() => void generate()}>Generate</Button>}
            <Button appearance={secret ? 'primary' : 'secondary'} onClick={close}>Close</Button>
          </DialogActions>
        </DialogBody>
  );
}

function ProductsTab(props: { api: ServiceApi; application: ClientApplication }) {
  const styles = useStyles();
  const base = applicationPath(props.application.name);
  const { data, error, reload } = useLoad(async () => {
    const [links, products] = await Promise.all([props.api.list<ProductLink>(`${base}/productLinks`), props.api.list<Product>('/products')]);
    const productOf = (link: ProductLink): Product | undefined => products.find((p) => p.name.toLowerCase() === lastSegment(link.properties.productId).toLowerCase());
    const linkedNames = new Set(links.map((link) => lastSegment(link.properties.productId).toLowerCase()));
    return { links: links.map((link) => ({ link, product: productOf(link) })), addable: products.filter((p) => offersApplicationAccess(p) && !linkedNames.has(p.name.toLowerCase())) };
  }, [props.api, base]);
  const [adding, setAdding] = useState(false);
  const [choice, setChoice] = useState<string>();
  const [actionError, setActionError] = useState<unknown>();
  const removal = useConfirmation<{ link: ProductLink; name: string }>();
  const [done, setDone] = useState<string>();
  const act = async (work: () => Promise<unknown>): Promise<boolean> => {
    setActionError(undefined);
    setDone(undefined);
    try {
      await work();
      reload();
      return true;
    } catch (failure) {
      setActionError(failure);
      return false;
    }
  };
  return (
    <section className={styles.panel} aria-label="Products">
      <div className={styles.row}>
        <Button icon={<AddRegular />} onClick={() => setAdding(true)}>Add product</Button>
      </div>
      <ErrorBar error={error ?? actionError} />
      <SuccessBar message={done} />
      {data ? (
        <>
          <div className={styles.tableWrap}>
            <Table aria-label="Products this application may call">
              <TableHeader><TableRow><TableHeaderCell>Product</TableHeaderCell><TableHeaderCell>Access</TableHeaderCell><TableHeaderCell>Remove</TableHeaderCell></TableRow></TableHeader>
              <TableBody>
                {data.links.map(({ link, product }) => {
                  const name = product?.properties.displayName ?? lastSegment(link.properties.productId);
                  return (
                    <TableRow key={link.name}>
                      <TableCell>{product ? <RouterLink to={`/products/${encodeURIComponent(product.name)}`}>{name}</RouterLink> : name}</TableCell>
                      <TableCell>{link.properties.state ?? 'active'}</TableCell>
                      <TableCell><Button size="small" icon={<DeleteRegular />} aria-label={`Remove ${name}`} onClick={() => { setDone(undefined); removal.ask({ link, name }); }}>Remove</Button></TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          </div>
          {data.links.length === 0 ? <Text as="p">This application has access to no product.</Text> : null}
          <Dialog open={adding} onOpenChange={(_event, d) => (d.open ? undefined : setAdding(false))}>
            <DialogSurface>
              <DialogBody>
                <DialogTitle>Add product</DialogTitle>
                <DialogContent>
                  <ErrorBar error={actionError} />
                  {data.addable.length === 0 ? (
                    <Text>No other product offers application based access (OAuth 2.0 token). Turn it on in a product's Properties first.</Text>
                  ) : (
                    <Field label="Product">
                      <Dropdown placeholder="Select a product" selectedOptions={choice ? [choice] : []} value={data.addable.find((p) => p.name === choice)?.properties.displayName ?? ''} onOptionSelect={(_event, option) => setChoice(option.optionValue)}>
                        {data.addable.map((product) => <Option key={product.name} value={product.name}>{product.properties.displayName}</Option>)}
                      </Dropdown>
                    </Field>
                  )}
                </DialogContent>
                <DialogActions>
                  <Button
                    appearance="primary"
                    disabled={!choice}
                    onClick={() => void act(() => props.api.put(`${base}/productLinks/${encodeURIComponent(choice!)}`, { properties: { productId: `/products/${choice}` } }, '')).then((ok) => {
                      if (ok) {
                        setAdding(false);
                        setChoice(undefined);
                      }
                    })}
                  >
                    Add
                  </Button>
                  <Button onClick={() => setAdding(false)}>Cancel</Button>
                </DialogActions>
              </DialogBody>
            </DialogSurface>
          </Dialog>
        </>
      ) : error ? null : <Loading />}
      <ConfirmDialog
        open={removal.open}
        title={`Remove ${removal.target?.name ?? ''} from ${props.application.properties.displayName}?`}
        confirmLabel="Remove"
        onClose={removal.close}
        onConfirm={async () => {
          const { link, name } = removal.target!;
          await props.api.delete(`${base}/productLinks/${encodeURIComponent(link.name)}`);
          setDone(`${props.application.properties.displayName} no longer has access to ${name}.`);
          reload();
        }}
      >
        <Text as="p">
          {props.application.properties.displayName} can no longer get tokens for {removal.target?.name}, and its calls to that
          product's APIs are refused at once. Add product gives the access back.
        </Text>
      </ConfirmDialog>
    </section>
  );
}
