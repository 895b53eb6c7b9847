/** Subscriptions: the developer's own, keys hidden until Show keys (an explicit call the server audits). */
import { useState } from 'react';
import { Button, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, makeStyles, tokens } from '@fluentui/react-components';
import { EyeRegular, EyeOffRegular } from '@fluentui/react-icons';
import { CopyableValue, ErrorBar, Loading, PageHeader, useLoad } from '../../shared/ui.js';
import { listSubscriptions, revealKeys, type Subscription } from '../api.js';

const useStyles = makeStyles({
  keys: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  wrap: { overflowX: 'auto' },
});

export function SubscriptionsScreen() {
  const styles = useStyles();
  const { data, error, loading } = useLoad(listSubscriptions, []);
  return (
    <>
      <PageHeader title="Subscriptions" />
      <ErrorBar error={error} />
      {loading && !data ? <Loading /> : null}
      {data && data.length === 0 ? <Text as="p">You have no subscription. Products that take subscription keys are listed under Products.</Text> : null}
      {data && data.length > 0 ? (
        <div className={styles.wrap}>
          <Table aria-label="Your subscriptions">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Product</TableHeaderCell>
                <TableHeaderCell>State</TableHeaderCell>
                <TableHeaderCell>Keys</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {data.map((subscription) => <SubscriptionRow key={subscription.id} subscription={subscription} />)}
            </TableBody>
          </Table>
        </div>
      ) : null}
    </>
  );
}

function SubscriptionRow({ subscription }: { subscription: Subscription }) {
  const styles = useStyles();
  const [keys, setKeys] = useState<{ primaryKey: string; secondaryKey: string }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const reveal = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      setKeys(await revealKeys(subscription.id));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <TableRow>
      <TableCell>{subscription.displayName}</TableCell>
      <TableCell>{subscription.productName ?? subscription.scope}</TableCell>
      <TableCell>{subscription.state}</TableCell>
      <TableCell>
        <ErrorBar error={error} />
        {keys ? (
          <div className={styles.keys}>
            <span>Primary key: <CopyableValue value={keys.primaryKey} label={`primary key of ${subscription.displayName}`} /></span>
            <span>Secondary key: <CopyableValue value={keys.secondaryKey} label={`secondary key of ${subscription.displayName}`} /></span>
            <Button size="small" icon={<EyeOffRegular />} onClick={() => setKeys(undefined)}>Hide keys</Button>
          </div>
        ) : (
          <Button size="small" icon={<EyeRegular />} disabled={busy} onClick={() => void reveal()} aria-label={`Show keys of ${subscription.displayName}`}>Show keys</Button>
        )}
      </TableCell>
    </TableRow>
  );
}
