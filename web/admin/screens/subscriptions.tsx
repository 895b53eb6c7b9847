/**
 * Subscriptions (at /service-subscriptions: /subscriptions is the ARM API's own path): the list, each subscription's keys behind Show keys (fetched with listSecrets only
 * then, dropped again by Hide keys) and Regenerate primary / secondary key after a confirmation.
 */
import { useState } from 'react';
import {
  Button, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, makeStyles, tokens,
} from '@fluentui/react-components';
import { ArrowSyncRegular, EyeOffRegular, EyeRegular } from '@fluentui/react-icons';
import { ConfirmDialog, CopyableValue, ErrorBar, Loading, PageHeader, SuccessBar, useLoad } from '../../shared/ui.js';
import type { ServiceApi } from '../../shared/api.js';
import { lastSegment, type Subscription, type User } from '../model.js';
import type { ScreenProps } from '../screen.js';

const useStyles = makeStyles({
  tableWrap: { overflowX: 'auto', backgroundColor: tokens.colorNeutralBackground1 },
  // Below this the columns would overlap; the table scrolls sideways in its frame instead (narrow windows).
  table: { minWidth: '720px' },
  keys: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, padding: `${tokens.spacingVerticalS} 0` },
  keyLine: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalS },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
});

interface Keys {
  readonly primaryKey: string;
  readonly secondaryKey: string;
}

const subscriptionPath = (sid: string): string => `/subscriptions/${encodeURIComponent(sid)}`;

/** `…/service/portico/products/starter` → `Product: starter`, as the portal's Scope column reads. */
function scopeLabel(scope: string): string {
  if (/\/service\/[^/]+\/?$/i.test(scope)) return 'Service (every API)';
  const match = /\/(products|apis)(?:\/([^/]+))?$/i.exec(scope);
  if (!match) return scope;
  if (!match[2]) return 'All APIs';
  return `${match[1]!.toLowerCase() === 'products' ? 'Product' : 'API'}: ${decodeURIComponent(match[2])}`;
}

function stateWord(state: string): string {
  return state.charAt(0).toUpperCase() + state.slice(1);
}

export function SubscriptionsScreen({ api }: ScreenProps) {
  const styles = useStyles();
  const { data, error } = useLoad(async () => {
    const [subscriptions, users] = await Promise.all([api.list<Subscription>('/subscriptions'), api.list<User>('/users')]);
    return { subscriptions, owners: new Map(users.map((user) => [user.name.toLowerCase(), user.properties.email])) };
  }, [api]);
  return (
    <>
      <PageHeader title="Subscriptions" />
      <Text as="p">Keys stay hidden until you select Show keys.</Text>
      <ErrorBar error={error} />
      {data === undefined && error === undefined ? <Loading /> : null}
      {data ? (
        <div className={styles.tableWrap} tabIndex={0} role="region" aria-label="Subscriptions">
          <Table className={styles.table} aria-label="Subscriptions">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Display name</TableHeaderCell>
                <TableHeaderCell>Scope</TableHeaderCell>
                <TableHeaderCell>Owner</TableHeaderCell>
                <TableHeaderCell>State</TableHeaderCell>
                <TableHeaderCell>Keys</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {data.subscriptions.map((subscription) => (
                <SubscriptionRows key={subscription.name} api={api} subscription={subscription}
                  owner={subscription.properties.ownerId ? (data.owners.get(lastSegment(subscription.properties.ownerId).toLowerCase()) ?? lastSegment(subscription.properties.ownerId)) : ''} />
              ))}
            </TableBody>
          </Table>
          {data.subscriptions.length === 0 ? <Text as="p">No subscriptions yet.</Text> : null}
        </div>
      ) : null}
    </>
  );
}

/** The subscription's row and, once Show keys was selected, a full-width row with its keys. */
function SubscriptionRows({ api, subscription, owner }: { api: ServiceApi; subscription: Subscription; owner: string }) {
  const styles = useStyles();
  const [keys, setKeys] = useState<Keys>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [regenerating, setRegenerating] = useState<'primary' | 'secondary'>();
  const [done, setDone] = useState<string>();
  const name = subscription.name;
  const label = subscription.properties.displayName ?? name;

  const reveal = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      setKeys(await api.post<Keys>(`${subscriptionPath(name)}/listSecrets`));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const hide = (): void => {
    setKeys(undefined);
    setDone(undefined);
  };

  return (
    <>
      <TableRow>
        <TableCell>{name}</TableCell>
        <TableCell>{subscription.properties.displayName ?? ''}</TableCell>
        <TableCell>{scopeLabel(subscription.properties.scope)}</TableCell>
        <TableCell>{owner}</TableCell>
        <TableCell>{stateWord(subscription.properties.state)}</TableCell>
        <TableCell>
          {keys ? (
            <Button size="small" icon={<EyeOffRegular />} aria-label={`Hide keys of ${label}`} onClick={hide}>Hide keys</Button>
          ) : (
            <Button size="small" icon={<EyeRegular />} disabled={busy} aria-label={`Show keys of ${label}`} onClick={() => void reveal()}>Show keys</Button>
          )}
        </TableCell>
      </TableRow>
      {keys || error !== undefined ? (
        <TableRow>
          <TableCell colSpan={6}>
            <ErrorBar error={error} />
            <SuccessBar message={done} />
            {keys ? (
              <div className={styles.keys}>
                <span className={styles.keyLine}><Text weight="semibold">Primary key</Text><CopyableValue value={keys.primaryKey} label={`primary key of ${label}`} /></span>
                <span className={styles.keyLine}><Text weight="semibold">Secondary key</Text><CopyableValue value={keys.secondaryKey} label={`secondary key of ${label}`} /></span>
                <span className={styles.actions}>
                  <Button size="small" icon={<ArrowSyncRegular />} aria-label={`Regenerate primary key of ${label}`} onClick={() => setRegenerating('primary')}>Regenerate primary key</Button>
                  <Button size="small" icon={<ArrowSyncRegular />} aria-label={`Regenerate secondary key of ${label}`} onClick={() => setRegenerating('secondary')}>Regenerate secondary key</Button>
                </span>
              </div>
            ) : null}
          </TableCell>
        </TableRow>
      ) : null}
      <ConfirmDialog
        open={regenerating !== undefined}
        title={`Regenerate ${regenerating ?? ''} key`}
        confirmLabel="Regenerate"
        onClose={() => setRegenerating(undefined)}
        onConfirm={async () => {
          const which = regenerating!;
          await api.post(`${subscriptionPath(name)}/regenerate${which === 'primary' ? 'Primary' : 'Secondary'}Key`);
          setKeys(await api.post<Keys>(`${subscriptionPath(name)}/listSecrets`));
          setDone(`A new ${which} key was generated; the old one no longer works.`);
        }}
      >
        <Text as="p">The current {regenerating} key of {label} stops working at once. Callers using it must switch to the new key.</Text>
      </ConfirmDialog>
    </>
  );
}
