/** Users: the list, + Add (create, never over an existing user), Edit (name, password), Block / Unblock and Delete (after a confirmation). */
import { useState } from 'react';
import {
  Button, DialogActions, DialogBody, DialogContent, DialogTitle, Field, Input,
  Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, makeStyles, tokens,
} from '@fluentui/react-components';
import { AddRegular, DeleteRegular, EditRegular, PersonProhibitedRegular, PersonAvailableRegular } from '@fluentui/react-icons';
import { ConfirmDialog, ErrorBar, Loading, ModalDialog, PageHeader, SuccessBar, useLoad } from '../../shared/ui.js';
import { ApiError, type ServiceApi } from '../../shared/api.js';
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
  const [editing, setEditing] = useState<User>();
  const [blocking, setBlocking] = useState<User>();
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
                          <Button size="small" disabled={busy !== undefined} icon={<EditRegular />} aria-label={`Edit ${user.properties.email}`} onClick={() => setEditing(user)}>Edit</Button>
                          <Button size="small" disabled={busy !== undefined} icon={blocked ? <PersonAvailableRegular /> : <PersonProhibitedRegular />}
                            aria-label={`${blocked ? 'Unblock' : 'Block'} ${user.properties.email}`}
                            onClick={() => (blocked ? void setState(user, 'active') : setBlocking(user))}>
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
      <ModalDialog open={adding} onClose={() => setAdding(false)}>
        <AddUserForm api={api} known={data ?? []} onClose={() => setAdding(false)} onAdded={(email) => { setDone(`${email} was added.`); reload(); }} />
      </ModalDialog>
      <ModalDialog open={editing !== undefined} onClose={() => setEditing(undefined)}>
        {editing ? <EditUserForm api={api} user={editing} onClose={() => setEditing(undefined)} onSaved={(message) => { setDone(message); reload(); }} /> : null}
      </ModalDialog>
      <ConfirmDialog
        open={blocking !== undefined}
        title="Block user"
        confirmLabel="Block"
        onClose={() => setBlocking(undefined)}
        onConfirm={async () => {
          await api.patch(userPath(blocking!.name), { properties: { state: 'blocked' } });
          setActionError(undefined);
          setDone(`${blocking!.properties.email} is blocked: their keys and applications stop working.`);
          reload();
        }}
      >
        <Text as="p">
          Block {blocking?.properties.email}? They can no longer sign in to the developer portal, and every subscription key and
          application they own stops working until you unblock them.
        </Text>
      </ConfirmDialog>
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

/** The user with this id, if any: a filtered list, so a new user costs no 404 in the browser's console. */
async function existingUser(api: ServiceApi, userId: string): Promise<User | undefined> {
  const [user] = await api.list<User>('/users', { $filter: `name eq '${userId.replace(/'/g, "''")}'` });
  return user;
}

/**
 * Add: the id comes from the email and PUT would replace a user already there, so the form first
 * looks for one (the list on screen, then the API) and refuses instead of overwriting.
 */
function AddUserForm(props: { api: ServiceApi; known: readonly User[]; onClose: () => void; onAdded: (email: string) => void }) {
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
    const address = email.trim();
    const userId = idFrom(address);
    try {
      const sameEmail = props.known.some((user) => user.properties.email.toLowerCase() === address.toLowerCase());
      if (sameEmail || (await existingUser(props.api, userId)) !== undefined) {
        throw new ApiError(409, 'UserExists', `A user with the email ${address} already exists. Use Edit on their row to change their name or password.`);
      }
      await props.api.put(userPath(userId), {
        properties: { firstName: firstName.trim(), lastName: lastName.trim(), email: address, ...(password !== '' ? { password } : {}) },
      }, '');
      props.onAdded(address);
      props.onClose();
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  const ready = firstName.trim() !== '' && lastName.trim() !== '' && email.trim() !== '' && idFrom(email) !== '';
  return (
    <DialogBody>
      <DialogTitle>Add user</DialogTitle>
      <DialogContent className={styles.form}>
        <ErrorBar error={error} />
        <Field label="First name" required><Input value={firstName} onChange={(_event, data) => setFirstName(data.value)} /></Field>
        <Field label="Last name" required><Input value={lastName} onChange={(_event, data) => setLastName(data.value)} /></Field>
        <Field label="Email" required><Input type="email" value={email} onChange={(_event, data) => setEmail(data.value)} /></Field>
        <Field label="Password" hint="At least 8 characters; the user signs in to the developer portal with it. Leave empty to set it later with Edit.">
          <Input type="password" autoComplete="new-password" value={password} onChange={(_event, data) => setPassword(data.value)} />
        </Field>
      </DialogContent>
      <DialogActions>
        <Button appearance="primary" disabled={busy || !ready} onClick={() => void add()}>Add</Button>
        <Button appearance="secondary" disabled={busy} onClick={props.onClose}>Cancel</Button>
      </DialogActions>
    </DialogBody>
  );
}

/** Edit: a user's name, and a new password (empty keeps the current one). */
function EditUserForm(props: { api: ServiceApi; user: User; onClose: () => void; onSaved: (message: string) => void }) {
  const styles = useStyles();
  const [firstName, setFirstName] = useState(props.user.properties.firstName);
  const [lastName, setLastName] = useState(props.user.properties.lastName);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const email = props.user.properties.email;
  const save = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await props.api.patch(userPath(props.user.name), {
        properties: { firstName: firstName.trim(), lastName: lastName.trim(), ...(password !== '' ? { password } : {}) },
      });
      props.onSaved(password !== '' ? `${email} was saved with a new password.` : `${email} was saved.`);
      props.onClose();
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  const ready = firstName.trim() !== '' && lastName.trim() !== '';
  return (
    <DialogBody>
      <DialogTitle>Edit user</DialogTitle>
      <DialogContent className={styles.form}>
        <ErrorBar error={error} />
        <Field label="Email"><Input value={email} readOnly /></Field>
        <Field label="First name" required><Input value={firstName} onChange={(_event, data) => setFirstName(data.value)} /></Field>
        <Field label="Last name" required><Input value={lastName} onChange={(_event, data) => setLastName(data.value)} /></Field>
        <Field label="New password" hint="At least 8 characters; the user signs in to the developer portal with it. Leave empty to keep the current one.">
          <Input type="password" autoComplete="new-password" value={password} onChange={(_event, data) => setPassword(data.value)} />
        </Field>
      </DialogContent>
      <DialogActions>
        <Button appearance="primary" disabled={busy || !ready} onClick={() => void save()}>Save</Button>
        <Button appearance="secondary" disabled={busy} onClick={props.onClose}>Cancel</Button>
      </DialogActions>
    </DialogBody>
  );
}
