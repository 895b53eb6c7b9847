/** Applications: the list, and + Register application ("Register an application"). */
import { useState } from 'react';
import {
  Button, Checkbox, Dropdown, Field, Input, Option, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow,
  Text, Textarea, makeStyles, tokens,
} from '@fluentui/react-components';
import { AddRegular } from '@fluentui/react-icons';
import { RouterLink, navigate } from '../../shared/router.js';
import { ErrorBar, Loading, PageHeader, useLoad } from '../../shared/ui.js';
import { lastSegment, offersApplicationAccess, type ClientApplication, type Product, type User } from '../model.js';
import type { ScreenProps } from '../screen.js';

const useStyles = makeStyles({
  tableWrap: { overflowX: 'auto', backgroundColor: tokens.colorNeutralBackground1 },
  panel: { padding: tokens.spacingHorizontalL, backgroundColor: tokens.colorNeutralBackground1, maxWidth: '640px' },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  products: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, border: `1px solid ${tokens.colorNeutralStroke2}`, borderRadius: tokens.borderRadiusMedium, padding: tokens.spacingHorizontalM },
  reason: { marginLeft: '32px', color: tokens.colorNeutralForeground3 },
  actions: { display: 'flex', gap: tokens.spacingHorizontalM },
});

/** "First Last (email)" for a user id or ARM id. */
export function userLabel(users: readonly User[], id: string | null | undefined): string {
  if (!id) return '—';
  const user = users.find((u) => u.name.toLowerCase() === lastSegment(id).toLowerCase());
  return user ? `${user.properties.firstName} ${user.properties.lastName} (${user.properties.email})` : lastSegment(id);
}

export function ApplicationsScreen({ api }: ScreenProps) {
  const styles = useStyles();
  const { data, error } = useLoad(async () => {
    const [applications, users] = await Promise.all([api.list<ClientApplication>('/clientApplications'), api.list<User>('/users')]);
    return { applications, users };
  }, [api]);
  return (
    <>
      <PageHeader title="Applications">
        <Button appearance="primary" icon={<AddRegular />} onClick={() => navigate('/applications/register')}>Register application</Button>
      </PageHeader>
      <ErrorBar error={error} />
      {data === undefined && error === undefined ? <Loading /> : null}
      {data ? (
        <div className={styles.tableWrap}>
          <Table aria-label="Applications">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Owner</TableHeaderCell>
                <TableHeaderCell>State</TableHeaderCell>
                <TableHeaderCell>Client ID</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {data.applications.map((application) => (
                <TableRow key={application.name}>
                  <TableCell><RouterLink to={`/applications/${encodeURIComponent(application.name)}`}>{application.properties.displayName}</RouterLink></TableCell>
                  <TableCell>{userLabel(data.users, application.properties.ownerId)}</TableCell>
                  <TableCell>{application.properties.state ?? '—'}</TableCell>
                  <TableCell>{application.properties.entraApplicationId ?? '—'}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {data.applications.length === 0 ? <Text as="p">No applications yet. Select Register application to add one.</Text> : null}
        </div>
      ) : null}
    </>
  );
}

/** A resource name from a display name, not yet taken by another application. */
function freeName(displayName: string, taken: readonly ClientApplication[]): string {
  const base = displayName.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'application';
  const names = new Set(taken.map((a) => a.name.toLowerCase()));
  let name = base;
  for (let n = 2; names.has(name); n++) name = `${base}-${n}`;
  return name;
}

export function RegisterApplicationScreen({ api }: ScreenProps) {
  const styles = useStyles();
  const { data, error } = useLoad(async () => {
    const [users, products, applications] = await Promise.all([api.list<User>('/users'), api.list<Product>('/products'), api.list<ClientApplication>('/clientApplications')]);
    return { users, products, applications };
  }, [api]);
  const [name, setName] = useState('');
  const [owner, setOwner] = useState<string>();
  const [selected, setSelected] = useState<string[]>([]);
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const register = async (): Promise<void> => {
    if (!data || !owner) return;
    setBusy(true);
    setFailure(undefined);
    const id = freeName(name, data.applications);
    try {
      await api.put(`/clientApplications/${encodeURIComponent(id)}`, {
        properties: {
          displayName: name.trim(),
          ownerId: `/users/${owner}`,
          productIds: selected.map((product) => `/products/${product}`),
          ...(description.trim() === '' ? {} : { description: description.trim() }),
        },
      }, '');
      navigate(`/applications/${encodeURIComponent(id)}`);
    } catch (caught) {
      setFailure(caught);
      setBusy(false);
    }
  };
  const ownerUser = data?.users.find((u) => u.name === owner);
  return (
    <>
      <PageHeader title="Register an application" />
      <Text as="p"><RouterLink to="/applications">Applications</RouterLink> › Register an application</Text>
      <ErrorBar error={error} />
      {data ? (
        <section className={styles.panel} aria-label="Application settings">
          <form className={styles.form} onSubmit={(event) => { event.preventDefault(); void register(); }}>
            <ErrorBar error={failure} title="The application was not registered" />
            <Field label="Name" required>
              <Input value={name} onChange={(_event, d) => setName(d.value)} />
            </Field>
            <Field label="Owner" required hint="The user in this API Management instance who may use the application.">
              <Dropdown
                placeholder="Select a user"
                selectedOptions={owner ? [owner] : []}
                value={ownerUser ? `${ownerUser.properties.firstName} ${ownerUser.properties.lastName} (${ownerUser.properties.email})` : ''}
                onOptionSelect={(_event, option) => setOwner(option.optionValue)}
              >
                {data.users.map((user) => (
                  <Option key={user.name} value={user.name}>{`${user.properties.firstName} ${user.properties.lastName} (${user.properties.email})`}</Option>
                ))}
              </Dropdown>
            </Field>
            <fieldset className={styles.products}>
              <legend><Text weight="semibold">Grant access to selected products</Text></legend>
              {data.products.map((product) => {
                const offered = offersApplicationAccess(product);
                return (
                  <div key={product.name}>
                    <Checkbox
                      label={product.properties.displayName}
                      disabled={!offered}
                      checked={selected.includes(product.name)}
                      onChange={(_event, d) => setSelected((current) => (d.checked === true ? [...current, product.name] : current.filter((p) => p !== product.name)))}
                    />
                    {offered ? null : <Text as="p" size={200} className={styles.reason}>Not available: application based access (OAuth 2.0 token) is not enabled for this product.</Text>}
                  </div>
                );
              })}
            </fieldset>
            <Field label="Description">
              <Textarea value={description} onChange={(_event, d) => setDescription(d.value)} />
            </Field>
            <div className={styles.actions}>
              <Button type="submit" appearance="primary" disabled={busy || name.trim() === '' || !owner}>Register</Button>
              <Button onClick={() => navigate('/applications')}>Cancel</Button>
            </div>
          </form>
        </section>
      ) : error ? null : <Loading />}
    </>
  );
}
