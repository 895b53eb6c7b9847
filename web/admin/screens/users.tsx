/** Users: the list, + Add (create), Block / Unblock and Delete (after a confirmation). */
import { useState } from 'react';
import {
  Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Input,
  Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, makeStyles, tokens,
} from '@fluentui/react-components';
import { AddRegular, DeleteRegular, PersonProhibitedRegular, PersonAvailableRegular } from '@fluentui/react-icons';
import { ConfirmDialog, ErrorBar, Loading, PageHeader, SuccessBar, useLoad } from '../../shared/ui.js';
import type { ServiceApi } from '../../shared/api.js';
import type { User } from '../model.js';
import type { ScreenProps } from '../screen.js';

const useStyles = makeStyles({
  tableWrap: { overflowX: 'auto', backgroundColor: tokens.colorNeutralBackground1 },
  // Below this the columns would overlap; the table scrolls sideways in its frame instead (narrow windows).
  table: { minWidth: '600px' },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

const userPath = (userId: string): string => `/users/${encodeURIComponent(userId)}`;

/** How the Azure portal words a user's state. */
function stateWord(state: string): string {
  return state === 'active' ? 'Active' : state === 'blocked' ? 'Blocked' : state === 'pending' ? 'Pending' : state;
}

export function UsersScreen({ api, session }: ScreenProps) {
  const styles = useStyles();
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState<User>();
  const [busy, setBusy] = useState<string>();
  const [actionError, setActionError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const { data, error, reload } = useLoad(() => api.list<User>('/users'), [api]);

  const setState = async (user: User, state: 'active' | 'blocked'): Promise<void> => {
    setBusy(user.name);
    setActionError(undefined);
    setDone(undefined);
    try {
      await api.patch(userPath(user.name), { properties: { state } });
      setDone(`${user.properties.email} is ${state === 'blocked' ? 'blocked: their keys and applications stop working' : 'active again'}.`);
      reload();
    } catch (failure) {
      setActionError(failure);
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <>
      <PageHeader title="Users">
        <Button appearance="primary" icon={<AddRegular />} onClick={() => setAdding(true)}>Add</Button>
      </PageHeader>
      <ErrorBar error={error ?? actionError} />
      <SuccessBar message={done} />
      {data === undefined && error === undefined ? <Loading /> : null}
      {data ? (
        <div className={styles.tableWrap} tabIndex={0} role="region" aria-label="Users">
          <Table className={styles.table} aria-label="Users">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Email</TableHeaderCell>
                <TableHeaderCell>State</TableHeaderCell>
                <TableHeaderCell>Actions</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {data.map((user) => {
                const name = `${user.properties.firstName} ${user.properties.lastName}`;
                const self = user.name === session.user.id;
                const blocked = user.properties.state === 'blocked';
                return (
                  <TableRow key={user.name}>
                    <TableCell>{name}</TableCell>
                    <TableCell>{user.properties.email}</TableCell>
                    <TableCell>{stateWord(user.properties.state)}</TableCell>
                    <TableCell>
                      {self ? <Text>You (signed in)</Text> : (
                        <span className={styles.actions}>
                          <Button size="small" disabled={busy !== undefined} icon={blocked ? <PersonAvailableRegular /> : <PersonProhibitedRegular />}
                            aria-label={`${blocked ? 'Unblock' : 'Block'} ${user.properties.email}`}
                            onClick={() => void setState(user, blocked ? 'active' : 'blocked')}>
                            {blocked ? 'Unblock' : 'Block'}
                          </Button>
                          <Button size="small" disabled={busy !== undefined} icon={<DeleteRegular />} aria-label={`Delete ${user.properties.email}`} onClick={() => setDeleting(user)}>Delete</Button>
                        </span>
                      )}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      ) : null}
      {adding ? <AddUserDialog api={api} onClose={() => setAdding(false)} onAdded={(email) => { setDone(`${email} was added.`); reload(); }} /> : null}
      <ConfirmDialog
        open={deleting !== undefined}
        title="Delete user"
        confirmLabel="Delete"
        onClose={() => setDeleting(undefined)}
        onConfirm={async () => {
          await api.delete(userPath(deleting!.name), { deleteSubscriptions: 'true' });
          setDone(`${deleting!.properties.email} was deleted.`);
          reload();
        }}
      >
        <Text as="p">
          Delete {deleting?.properties.email}? Their subscriptions are deleted with them. A user who owns applications cannot be
          deleted until those applications are.
        </Text>
      </ConfirmDialog>
    </>
  );
}

/** A user id from an email address, as readable as the address (the API allows letters, digits and hyphens). */
function idFrom(email: string): string {
  return email.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);
}

function AddUserDialog(props: { api: ServiceApi; onClose: () => void; onAdded: (email: string) => void }) {
  const styles = useStyles();
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const add = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await props.api.put(userPath(idFrom(email)), {
        properties: { firstName: firstName.trim(), lastName: lastName.trim(), email: email.trim(), ...(password !== '' ? { password } : {}) },
      }, '');
      props.onAdded(email.trim());
      props.onClose();
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  const ready = firstName.trim() !== '' && lastName.trim() !== '' && email.trim() !== '' && idFrom(email) !== '';
  return (
    <Dialog open onOpenChange={(_event, data) => (data.open ? undefined : props.onClose())}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>Add user</DialogTitle>
          <DialogContent className={styles.form}>
            <ErrorBar error={error} />
            <Field label="First name" required><Input value={firstName} onChange={(_event, data) => setFirstName(data.value)} /></Field>
            <Field label="Last name" required><Input value={lastName} onChange={(_event, data) => setLastName(data.value)} /></Field>
            <Field label="Email" required><Input type="email" value={email} onChange={(_event, data) => setEmail(data.value)} /></Field>
            <Field label="Password" hint="At least 8 characters; the user signs in to the developer portal with it. Leave empty to set it later.">
              <Input type="password" autoComplete="new-password" value={password} onChange={(_event, data) => setPassword(data.value)} />
            </Field>
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" disabled={busy || !ready} onClick={() => void add()}>Add</Button>
            <Button appearance="secondary" disabled={busy} onClick={props.onClose}>Cancel</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
