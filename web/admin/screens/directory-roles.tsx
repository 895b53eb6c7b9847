/**
 * Entra ID → Roles and administrators: the directory roles (search), a role's Assignments,
 * + Add assignments (find a principal, e.g. the service's managed identity by the instance name,
 * select it, Add) and Remove.
 */
import { useState } from 'react';
import {
  Button, Checkbox, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, SearchBox,
  Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, makeStyles, tokens,
} from '@fluentui/react-components';
import { AddRegular, DeleteRegular } from '@fluentui/react-icons';
import { RouterLink } from '../../shared/router.js';
import { ConfirmDialog, ErrorBar, Loading, PageHeader, SuccessBar, useLoad } from '../../shared/ui.js';
import { directory, matches, type RoleDefinition, type ServicePrincipal } from '../directory.js';
import type { ScreenProps } from '../screen.js';
import { SectionTabs } from './section-tabs.js';

const useStyles = makeStyles({
  tableWrap: { overflowX: 'auto', backgroundColor: tokens.colorNeutralBackground1 },
  // Below this the columns would overlap; the table scrolls sideways in its frame instead (narrow windows).
  table: { minWidth: '560px' },
  mono: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: 'anywhere' },
  search: { maxWidth: '480px', marginBottom: tokens.spacingVerticalM },
  crumbs: { marginBottom: tokens.spacingVerticalM },
  toolbar: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, marginBottom: tokens.spacingVerticalM },
  pick: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, maxHeight: '320px', overflowY: 'auto' },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

const BASE = '/entra/roles';
const rolePath = (roleId: string): string => `${BASE}/${encodeURIComponent(roleId)}`;

function Crumbs(props: { last?: string }) {
  const styles = useStyles();
  return (
    <nav aria-label="Breadcrumb" className={styles.crumbs}>
      <RouterLink to="/entra">Microsoft Entra ID</RouterLink> › {props.last ? <><RouterLink to={BASE}>Roles and administrators</RouterLink> › {props.last}</> : 'Roles and administrators'}
    </nav>
  );
}

export function RolesScreen() {
  const styles = useStyles();
  const [search, setSearch] = useState('');
  const { data, error } = useLoad(() => directory.listRoleDefinitions(), []);
  const shown = (data ?? []).filter((role) => matches(role.displayName, search));
  return (
    <>
      <Crumbs />
      <PageHeader title="Roles and administrators" />
      <Field label="Search by name" className={styles.search}>
        <SearchBox value={search} onChange={(_event, value) => setSearch(value.value)} />
      </Field>
      <ErrorBar error={error} />
      {data === undefined && error === undefined ? <Loading /> : null}
      {data ? (
        <div className={styles.tableWrap} tabIndex={0} role="region" aria-label="Roles">
          <Table className={styles.table} aria-label="Roles">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Role</TableHeaderCell>
                <TableHeaderCell>Description</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {shown.map((role) => (
                <TableRow key={role.id}>
                  <TableCell><RouterLink to={`${rolePath(role.id)}/assignments`}>{role.displayName}</RouterLink></TableCell>
                  <TableCell>{role.description}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {shown.length === 0 ? <Text as="p">No role matches the search.</Text> : null}
        </div>
      ) : null}
    </>
  );
}

const TABS = [
  { id: 'assignments', label: 'Assignments' },
  { id: 'description', label: 'Description' },
] as const;

interface AssignmentRow {
  readonly id: string;
  readonly principal: ServicePrincipal | undefined;
  readonly principalId: string;
}

export function RoleScreen({ params }: ScreenProps) {
  const styles = useStyles();
  const roleId = params.roleId ?? '';
  const tab = TABS.some((t) => t.id === params.tab) ? params.tab! : 'assignments';
  const role = useLoad(async (): Promise<RoleDefinition> => {
    const found = (await directory.listRoleDefinitions()).find((r) => r.id.toLowerCase() === roleId.toLowerCase());
    if (!found) throw new Error('unknown role');
    return found;
  }, [roleId]);
  const name = role.data?.displayName ?? 'Role';
  return (
    <>
      <Crumbs last={name} />
      <PageHeader title={name} />
      {role.error !== undefined ? <Text as="p" role="alert">There is no directory role {roleId}. Choose one in Roles and administrators.</Text> : null}
      {role.data ? (
        <>
          <SectionTabs label="Manage" basePath={rolePath(roleId)} tabs={TABS} selected={tab} />
          {tab === 'assignments' ? <Assignments role={role.data} /> : <Text as="p" className={styles.crumbs}>{role.data.description}</Text>}
        </>
      ) : null}
    </>
  );
}

function Assignments({ role }: { role: RoleDefinition }) {
  const styles = useStyles();
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<AssignmentRow>();
  const [done, setDone] = useState<string>();
  const { data, error, reload } = useLoad(async (): Promise<AssignmentRow[]> => {
    const assignments = await directory.listRoleAssignments(role.id);
    return Promise.all(assignments.map(async (a) => ({ id: a.id, principalId: a.principalId, principal: await directory.getServicePrincipal(a.principalId).catch(() => undefined) })));
  }, [role.id]);
  const assigned = new Set((data ?? []).map((row) => row.principalId));
  return (
    <>
      <div className={styles.toolbar}>
        <Button appearance="primary" icon={<AddRegular />} onClick={() => setAdding(true)}>Add assignments</Button>
      </div>
      <SuccessBar message={done} />
      <ErrorBar error={error} />
      {data === undefined && error === undefined ? <Loading /> : null}
      {data ? (
        <div className={styles.tableWrap} tabIndex={0} role="region" aria-label="Assignments">
          <Table className={styles.table} aria-label="Assignments">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Type</TableHeaderCell>
                <TableHeaderCell>Scope</TableHeaderCell>
                <TableHeaderCell>Actions</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {data.map((row) => {
                const label = row.principal?.displayName ?? row.principalId;
                return (
                  <TableRow key={row.id}>
                    <TableCell>{label}</TableCell>
                    <TableCell>{row.principal ? principalType(row.principal) : 'Unknown'}</TableCell>
                    <TableCell>Directory</TableCell>
                    <TableCell>
                      <Button size="small" icon={<DeleteRegular />} aria-label={`Remove assignment of ${label}`} onClick={() => setRemoving(row)}>Remove</Button>
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
          {data.length === 0 ? <Text as="p">No one holds this role.</Text> : null}
        </div>
      ) : null}
      {adding ? (
        <AddAssignmentsDialog role={role} assigned={assigned} onClose={() => setAdding(false)}
          onAdded={(names) => { setDone(`${role.displayName} assigned to ${names.join(', ')}.`); reload(); }} />
      ) : null}
      <ConfirmDialog
        open={removing !== undefined}
        title="Remove assignment"
        confirmLabel="Remove"
        onClose={() => setRemoving(undefined)}
        onConfirm={async () => {
          const row = removing!;
          await directory.removeRoleAssignment(row.id);
          setDone(`${row.principal?.displayName ?? row.principalId} no longer holds ${role.displayName}.`);
          reload();
        }}
      >
        <Text as="p">Remove {role.displayName} from {removing?.principal?.displayName ?? removing?.principalId}? What it could do with this role stops at once.</Text>
      </ConfirmDialog>
    </>
  );
}

function principalType(principal: ServicePrincipal): string {
  return principal.servicePrincipalType === 'ManagedIdentity' ? 'Managed identity' : 'Enterprise application';
}

function AddAssignmentsDialog(props: { role: RoleDefinition; assigned: ReadonlySet<string>; onClose: () => void; onAdded: (names: string[]) => void }) {
  const styles = useStyles();
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const principals = useLoad(() => directory.listServicePrincipals(), []);
  const candidates = (principals.data ?? []).filter((sp) => !props.assigned.has(sp.id));
  const shown = search.trim() === '' ? [] : candidates.filter((sp) => matches(sp.displayName, search) || matches(sp.appId, search));
  const toggle = (id: string, on: boolean): void => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };
  const add = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const names: string[] = [];
      for (const id of selected) {
        await directory.assignRole(id, props.role.id);
        names.push(candidates.find((sp) => sp.id === id)?.displayName ?? id);
      }
      props.onAdded(names);
      props.onClose();
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  return (
    <Dialog open onOpenChange={(_event, data) => (data.open ? undefined : props.onClose())}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>Add assignments</DialogTitle>
          <DialogContent className={styles.form}>
            <Text>Assign {props.role.displayName} to a service principal or managed identity. Find the service's managed identity by the instance name.</Text>
            <ErrorBar error={error ?? principals.error} />
            <Field label="Search by name or application ID">
              <SearchBox value={search} onChange={(_event, value) => setSearch(value.value)} />
            </Field>
            {principals.loading ? <Loading /> : null}
            <div className={styles.pick} role="group" aria-label="Matching principals">
              {shown.map((sp) => (
                <Checkbox key={sp.id} checked={selected.has(sp.id)} onChange={(_event, data) => toggle(sp.id, data.checked === true)}
                  label={`${sp.displayName} (${principalType(sp)})`} />
              ))}
              {search.trim() !== '' && !principals.loading && shown.length === 0 ? <Text>No principal without this role matches.</Text> : null}
            </div>
            <Text>{selected.size === 0 ? 'No member selected.' : `${selected.size} selected.`}</Text>
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" disabled={busy || selected.size === 0} onClick={() => void add()}>Add</Button>
            <Button appearance="secondary" disabled={busy} onClick={props.onClose}>Cancel</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
