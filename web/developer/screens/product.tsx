/**
 * One product, as APIM's developer portal shows it: what it is, "Subscribe" (name the subscription,
 * click Subscribe), the developer's own subscriptions to it, and its APIs. Open and token-only
 * products offer no Subscribe and say why; keys stay behind Show keys on Subscriptions.
 */
import { useState, type FormEvent } from 'react';
import { Body1, Button, Caption1, Field, Input, MessageBar, MessageBarBody, Subtitle2, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, makeStyles, tokens } from '@fluentui/react-components';
import { RouterLink } from '../../shared/router.js';
import { ErrorBar, Loading, PageHeader, useLoad } from '../../shared/ui.js';
import { getProduct, listSubscriptions, subscribe, type Product, type Subscription } from '../api.js';
import type { ScreenProps } from '../screen.js';
import { ProductApis, ProductBadges } from './products.js';

/** As the management API's subscription displayName. */
const MAX_NAME = 100;

const useStyles = makeStyles({
  section: { marginTop: tokens.spacingVerticalXL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  form: { display: 'flex', flexWrap: 'wrap', alignItems: 'flex-end', gap: tokens.spacingHorizontalM },
  name: { minWidth: '16rem', flexGrow: 1, maxWidth: '28rem' },
  wrap: { overflowX: 'auto' },
  description: { marginTop: tokens.spacingVerticalS },
});

export function ProductScreen({ params }: ScreenProps) {
  const productId = params.productId!;
  const { data, error, loading, reload } = useLoad(async () => {
    const [product, subscriptions] = await Promise.all([getProduct(productId), listSubscriptions()]);
    return { product, subscriptions: subscriptions.filter((s) => s.productId === product.id) };
  }, [productId]);
  return (
    <>
      <PageHeader title={data?.product.displayName ?? 'Product'} />
      <ErrorBar error={error} />
      {loading && !data ? <Loading /> : null}
      {data ? <ProductDetails product={data.product} subscriptions={data.subscriptions} onSubscribed={reload} /> : null}
    </>
  );
}

function ProductDetails({ product, subscriptions, onSubscribed }: { product: Product; subscriptions: Subscription[]; onSubscribed: () => void }) {
  const styles = useStyles();
  return (
    <>
      <ProductBadges product={product} />
      {product.description ? <Body1 as="p" className={styles.description}>{product.description}</Body1> : null}
      <section className={styles.section} aria-labelledby="subscribe">
        <Subtitle2 as="h2" id="subscribe">Subscribe</Subtitle2>
        {product.noSubscribeReason ? (
          <MessageBar intent="info">
            <MessageBarBody>{product.noSubscribeReason}</MessageBarBody>
          </MessageBar>
        ) : (
          <SubscribeForm product={product} held={subscriptions.filter((s) => s.state === 'active' || s.state === 'submitted' || s.state === 'suspended').length} onSubscribed={onSubscribed} />
        )}
      </section>
      {product.noSubscribeReason ? null : (
        <section className={styles.section} aria-labelledby="your-subscriptions">
          <Subtitle2 as="h2" id="your-subscriptions">Your subscriptions</Subtitle2>
          <YourSubscriptions product={product} subscriptions={subscriptions} />
        </section>
      )}
      <section className={styles.section} aria-labelledby="apis">
        <Subtitle2 as="h2" id="apis">APIs</Subtitle2>
        <ProductApis product={product} />
      </section>
    </>
  );
}

function SubscribeForm({ product, held, onSubscribed }: { product: Product; held: number; onSubscribed: () => void }) {
  const styles = useStyles();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [made, setMade] = useState<Subscription>();
  const blank = name.trim() === '';
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (blank || busy) return;
    setBusy(true);
    setError(undefined);
    setMade(undefined);
    try {
      setMade(await subscribe(product.id, name.trim()));
      setName('');
      onSubscribed();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const limit = product.subscriptionsLimit;
  return (
    <>
      {made ? (
        <MessageBar intent={made.state === 'active' ? 'success' : 'info'} role="status">
          <MessageBarBody>
            {made.state === 'active'
              ? <>Subscription “{made.displayName}” is active. Its keys are under <RouterLink to="/subscriptions">Subscriptions</RouterLink> (Show keys).</>
              : <>Subscription “{made.displayName}” is {made.state}: an administrator must approve it before its keys work. Its state is shown under <RouterLink to="/subscriptions">Subscriptions</RouterLink>.</>}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <ErrorBar error={error} />
      <form className={styles.form} onSubmit={(event) => void submit(event)} aria-label={`Subscribe to ${product.displayName}`}>
        <Field label="Subscription name" required className={styles.name} hint={`Up to ${MAX_NAME} characters, e.g. the app that will use the key.`}>
          <Input value={name} maxLength={MAX_NAME} onChange={(_event, data) => setName(data.value)} />
        </Field>
        <Button type="submit" appearance="primary" disabled={blank || busy}>Subscribe</Button>
      </form>
      {product.approvalRequired ? <Caption1>An administrator approves subscriptions to this product: a new one is submitted, and its keys work once it is active.</Caption1> : null}
      {limit !== null ? <Caption1>One user may hold {limit} subscription{limit === 1 ? '' : 's'} to this product; you hold {held}.</Caption1> : null}
    </>
  );
}

function YourSubscriptions({ product, subscriptions }: { product: Product; subscriptions: Subscription[] }) {
  const styles = useStyles();
  if (subscriptions.length === 0) return <Text as="p">You have no subscription to {product.displayName}.</Text>;
  return (
    <div className={styles.wrap}>
      <Table aria-label={`Your subscriptions to ${product.displayName}`}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Name</TableHeaderCell>
            <TableHeaderCell>State</TableHeaderCell>
            <TableHeaderCell>Created</TableHeaderCell>
            <TableHeaderCell>Keys</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {subscriptions.map((subscription) => (
            <TableRow key={subscription.id}>
              <TableCell>{subscription.displayName}</TableCell>
              <TableCell>{subscription.state}</TableCell>
              <TableCell>{new Date(subscription.createdDate).toLocaleString()}</TableCell>
              <TableCell><RouterLink to="/subscriptions">Show keys</RouterLink></TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
