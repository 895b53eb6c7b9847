/**
 * Entra ID → App registrations → All applications (search) and an application's Overview,
 * App roles and API permissions (what its service principal was granted, with the Granted status).
 */
import { useState } from 'react';
import {
  Badge, Field, SearchBox, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, makeStyles, tokens,
} from '@fluentui/react-components';
import { RouterLink } from '../../shared/router.js';
import { CopyableValue, ErrorBar, Loading, PageHeader, useLoad } from '../../shared/ui.js';
import { directory, matches, type AppRole, type DirectoryApplication } from '../directory.js';
import type { ScreenProps } from '../screen.js';
import { SectionTabs } from './section-tabs.js';

const useStyles = makeStyles({
  tableWrap: { overflowX: 'auto', backgroundColor: tokens.colorNeutralBackground1 },
  // Below this the columns would overlap; the table scrolls sideways in its frame instead (narrow windows).
  table: { minWidth: '600px' },
  mono: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: 'anywhere' },
  search: { maxWidth: '480px', marginBottom: tokens.spacingVerticalM },
  crumbs: { marginBottom: tokens.spacingVerticalM },
  facts: { display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`, '@media (max-width: 760px)': { gridTemplateColumns: '1fr' } },
  term: { fontWeight: tokens.fontWeightSemibold },
  detail: { margin: 0, minWidth: 0, overflowWrap: 'anywhere' },
});

const BASE = '/entra/app-registrations';
const appPath = (objectId: string): string => `${BASE}/${encodeURIComponent(objectId)}`;

function Crumbs(props: { last?: string }) {
  const styles = useStyles();
  return (
    <nav aria-label="Breadcrumb" className={styles.crumbs}>
      <RouterLink to="/entra">Microsoft Entra ID</RouterLink> › {props.last ? <><RouterLink to={BASE}>App registrations</RouterLink> › {props.last}</> : 'App registrations'}
    </nav>
  );
}

export function AppRegistrationsScreen() {
  const styles = useStyles();
  const [search, setSearch] = useState('');
  const { data, error } = useLoad(() => directory.listApplications(), []);
  const shown = (data ?? []).filter((app) => search.trim() === '' || matches(app.displayName, search) || matches(app.appId, search));
  return (
    <>
      <Crumbs />
      <PageHeader title="App registrations" />
      <h2>All applications</h2>
      <Field label="Search" className={styles.search} hint="Start typing a display name or application (client) ID to filter these results.">
        <SearchBox value={search} onChange={(_event, value) => setSearch(value.value)} />
      </Field>
      <ErrorBar error={error} />
      {data === undefined && error === undefined ? <Loading /> : null}
      {data ? (
        <div className={styles.tableWrap} tabIndex={0} role="region" aria-label="All applications">
          <Table className={styles.table} aria-label="All applications">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Display name</TableHeaderCell>
                <TableHeaderCell>Application (client) ID</TableHeaderCell>
                <TableHeaderCell>Created on</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {shown.map((app) => (
                <TableRow key={app.id}>
                  <TableCell><RouterLink to={appPath(app.id)}>{app.displayName}</RouterLink></TableCell>
                  <TableCell><span className={styles.mono}>{app.appId}</span></TableCell>
                  <TableCell>{new Date(app.createdDateTime).toLocaleDateString()}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {shown.length === 0 ? <Text as="p">{data.length === 0 ? 'The directory has no applications.' : 'No application matches the search.'}</Text> : null}
        </div>
      ) : null}
    </>
  );
}

const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'app-roles', label: 'App roles' },
  { id: 'api-permissions', label: 'API permissions' },
] as const;

export function AppRegistrationScreen({ params }: ScreenProps) {
  const objectId = params.objectId ?? '';
  const tab = TABS.some((t) => t.id === params.tab) ? params.tab! : 'overview';
  const { data, error } = useLoad(() => directory.getApplication(objectId), [objectId]);
  return (
    <>
      <Crumbs last={data?.displayName ?? objectId} />
      <PageHeader title={data?.displayName ?? 'Application'} />
      <ErrorBar error={error} />
      {data === undefined && error === undefined ? <Loading /> : null}
      {data ? (
        <>
          <SectionTabs label="Manage" basePath={appPath(objectId)} tabs={TABS} selected={tab} />
          {tab === 'overview' ? <Overview app={data} /> : tab === 'app-roles' ? <AppRoles roles={data.appRoles} /> : <ApiPermissions app={data} />}
        </>
      ) : null}
    </>
  );
}

function Overview({ app }: { app: DirectoryApplication }) {
  const styles = useStyles();
  const secrets = app.passwordCredentials.length;
  return (
    <dl className={styles.facts}>
      <dt className={styles.term}>Display name</dt><dd className={styles.detail}>{app.displayName}</dd>
      <dt className={styles.term}>Application (client) ID</dt><dd className={styles.detail}><CopyableValue value={app.appId} label="Application (client) ID" /></dd>
      <dt className={styles.term}>Object ID</dt><dd className={styles.detail}><span className={styles.mono}>{app.id}</span></dd>
      <dt className={styles.term}>Application ID URI</dt><dd className={styles.detail}><span className={styles.mono}>{app.identifierUris.join(', ') || 'None'}</span></dd>
      <dt className={styles.term}>Client credentials</dt><dd className={styles.detail}>{secrets === 1 ? '1 secret' : `${secrets} secrets`}</dd>
      {app.description ? <><dt className={styles.term}>Description</dt><dd className={styles.detail}>{app.description}</dd></> : null}
    </dl>
  );
}

function AppRoles({ roles }: { roles: readonly AppRole[] }) {
  const styles = useStyles();
  return (
    <div className={styles.tableWrap} tabIndex={0} role="region" aria-label="App roles">
      <Table className={styles.table} aria-label="App roles">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Display name</TableHeaderCell>
            <TableHeaderCell>Description</TableHeaderCell>
            <TableHeaderCell>Allowed member types</TableHeaderCell>
            <TableHeaderCell>Value</TableHeaderCell>
            <TableHeaderCell>State</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {roles.map((role) => (
            <TableRow key={role.id}>
              <TableCell>{role.displayName}</TableCell>
              <TableCell>{role.description}</TableCell>
              <TableCell>{role.allowedMemberTypes.map((type) => (type === 'Application' ? 'Applications' : type === 'User' ? 'Users/Groups' : type)).join(', ')}</TableCell>
              <TableCell><span className={styles.mono}>{role.value ?? ''}</span></TableCell>
              <TableCell>{role.isEnabled ? 'Enabled' : 'Disabled'}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {roles.length === 0 ? <Text as="p">This application defines no app roles.</Text> : null}
    </div>
  );
}

interface Permission {
  readonly id: string;
  readonly api: string;
  readonly permission: string;
}

/** The application's service principal's app role assignments: permissions an administrator granted. */
function ApiPermissions({ app }: { app: DirectoryApplication }) {
  const styles = useStyles();
  const { data, error, loading } = useLoad(async (): Promise<Permission[] | undefined> => {
    const principal = await directory.servicePrincipalOf(app.appId);
    if (!principal) return undefined;
    const assignments = await directory.appRoleAssignmentsOf(principal.id);
    const resources = new Map<string, readonly AppRole[]>();
    for (const resourceId of new Set(assignments.map((a) => a.resourceId))) {
      resources.set(resourceId, (await directory.getServicePrincipal(resourceId)).appRoles);
    }
    return assignments.map((a) => ({
      id: a.id,
      api: a.resourceDisplayName ?? a.resourceId,
      permission: resources.get(a.resourceId)?.find((role) => role.id === a.appRoleId)?.value ?? a.appRoleId,
    }));
  }, [app.appId]);
  return (
    <>
      <Text as="p">Configured permissions: what this application may call, each granted by an administrator (the client credentials flow uses application permissions only).</Text>
      <ErrorBar error={error} />
      {loading ? <Loading /> : null}
      {loading || error !== undefined ? null : data === undefined ? <Text as="p">This application has no service principal in the directory, so it holds no permissions.</Text> : (
        <div className={styles.tableWrap} tabIndex={0} role="region" aria-label="Configured permissions">
          <Table className={styles.table} aria-label="Configured permissions">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>API / Permissions name</TableHeaderCell>
                <TableHeaderCell>Type</TableHeaderCell>
                <TableHeaderCell>Status</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {data.map((p) => (
                <TableRow key={p.id}>
                  <TableCell>{p.api} / <span className={styles.mono}>{p.permission}</span></TableCell>
                  <TableCell>Application</TableCell>
                  <TableCell><Badge appearance="tint" color="success">Granted</Badge></TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {data.length === 0 ? <Text as="p">No permissions are granted to this application.</Text> : null}
        </div>
      )}
    </>
  );
}
