/** Products: the list (name, state, authentication types, API count) and + Add (create). */
import { useState } from 'react';
import {
  Button, Checkbox, DialogActions, DialogBody, DialogContent, DialogTitle, Field, Input,
  Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, Textarea, makeStyles, tokens,
} from '@fluentui/react-components';
import { AddRegular } from '@fluentui/react-icons';
import { RouterLink } from '../../shared/router.js';
import { ErrorBar, Loading, ModalDialog, PageHeader, useLoad, useNavigateAfterClose } from '../../shared/ui.js';
import type { ServiceApi } from '../../shared/api.js';
import { authTypeLabels, stateLabel, type AuthType, type Product } from '../model.js';
import type { ScreenProps } from '../screen.js';

const useStyles = makeStyles({
  tableWrap: { overflowX: 'auto', backgroundColor: tokens.colorNeutralBackground1 },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
});

interface ProductRow {
  readonly product: Product;
  readonly apiCount: number;
}

export function ProductsScreen({ api }: ScreenProps) {
  const styles = useStyles();
  const [adding, setAdding] = useState(false);
  const [navigateAfterClose, afterClose] = useNavigateAfterClose();
  const { data, error } = useLoad(async (): Promise<ProductRow[]> => {
    const products = await api.list<Product>('/products');
    return Promise.all(products.map(async (product) => ({ product, apiCount: (await api.list(`/products/${encodeURIComponent(product.name)}/apis`)).length })));
  }, [api]);
  return (
    <>
      <PageHeader title="Products">
        <Button appearance="primary" icon={<AddRegular />} onClick={() => setAdding(true)}>Add</Button>
      </PageHeader>
      <ErrorBar error={error} />
      {data === undefined && error === undefined ? <Loading /> : null}
      {data ? (
        <div className={styles.tableWrap}>
          <Table aria-label="Products">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>State</TableHeaderCell>
                <TableHeaderCell>Authentication types</TableHeaderCell>
                <TableHeaderCell>APIs</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {data.map(({ product, apiCount }) => (
                <TableRow key={product.name}>
                  <TableCell><RouterLink to={`/products/${encodeURIComponent(product.name)}`}>{product.properties.displayName}</RouterLink></TableCell>
                  <TableCell>{stateLabel(product)}</TableCell>
                  <TableCell>{authTypeLabels(product)}</TableCell>
                  <TableCell>{apiCount}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {data.length === 0 ? <Text as="p">No products yet. Select Add to create one.</Text> : null}
        </div>
      ) : null}
      <AddProductDialog
        api={api}
        open={adding}
        onClose={() => setAdding(false)}
        onClosed={afterClose}
        onCreated={(id) => {
          setAdding(false);
          navigateAfterClose(`/products/${encodeURIComponent(id)}`);
        }}
      />
    </>
  );
}

/** A product id from its display name, as the Azure portal proposes one. */
function idFrom(displayName: string): string {
  return displayName.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);
}

/** Fluent keeps a dialog mounted and opens/closes it: its focus trap and page hiding end properly. */
function AddProductDialog(props: { api: ServiceApi; open: boolean; onClose: () => void; onClosed: () => void; onCreated: (id: string) => void }) {
  return (
    <ModalDialog open={props.open} onClose={props.onClose} onClosed={props.onClosed}>
      <AddProductForm api={props.api} onClose={props.onClose} onCreated={props.onCreated} />
    </ModalDialog>
  );
}

/** The dialog's content: its state starts afresh each time the dialog opens. */
function AddProductForm(props: { api: ServiceApi; onClose: () => void; onCreated: (id: string) => void }) {
  const styles = useStyles();
  const [displayName, setDisplayName] = useState('');
  const [id, setId] = useState('');
  const [idEdited, setIdEdited] = useState(false);
  const [description, setDescription] = useState('');
  const [published, setPublished] = useState(false);
  const [oauth, setOauth] = useState(false);
  const [subscriptionKey, setSubscriptionKey] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const productId = idEdited ? id : idFrom(displayName);
  const create = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const authenticationType: AuthType[] = [...(oauth ? (['application-token'] as const) : []), ...(subscriptionKey ? (['subscription-key'] as const) : [])];
      await props.api.put(`/products/${encodeURIComponent(productId)}`, {
        properties: {
          displayName: displayName.trim(),
          description: description.trim() === '' ? undefined : description.trim(),
          state: published ? 'published' : 'notPublished',
          subscriptionRequired: subscriptionKey,
          authenticationType,
        },
      }, '');
      props.onCreated(productId);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  return (
        <DialogBody>
          <DialogTitle>Add product</DialogTitle>
          <DialogContent className={styles.form}>
            <ErrorBar error={error} />
            <Field label="Display name" required>
              <Input value={displayName} onChange={(_event, data) => setDisplayName(data.value)} />
            </Field>
            <Field label="Id" required hint="Used in the product's URL; letters, digits and hyphens.">
              <Input value={productId} onChange={(_event, data) => { setIdEdited(true); setId(data.value); }} />
            </Field>
            <Field label="Description">
              <Textarea value={description} onChange={(_event, data) => setDescription(data.value)} />
            </Field>
            <Checkbox label="Published" checked={published} onChange={(_event, data) => setPublished(data.checked === true)} />
            <fieldset className={styles.section}>
              <legend><Text weight="semibold">Application based access</Text></legend>
              <Checkbox label="OAuth 2.0 token (most secure)" checked={oauth} onChange={(_event, data) => setOauth(data.checked === true)} />
              <Checkbox label="Subscription key" checked={subscriptionKey} onChange={(_event, data) => setSubscriptionKey(data.checked === true)} />
            </fieldset>
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" disabled={busy || displayName.trim() === '' || productId === ''} onClick={() => void create()}>Create</Button>
            <Button appearance="secondary" disabled={busy} onClick={props.onClose}>Cancel</Button>
          </DialogActions>
        </DialogBody>
  );
}
