/** Applications: the signed-in developer's own client applications. */
import { Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, makeStyles, tokens } from '@fluentui/react-components';
import { RouterLink } from '../../shared/router.js';
import { ErrorBar, Loading, PageHeader, useLoad } from '../../shared/ui.js';
import { listApplications } from '../api.js';

const useStyles = makeStyles({ mono: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: 'anywhere' }, wrap: { overflowX: 'auto' } });

export function ApplicationsScreen() {
  const styles = useStyles();
  const { data, error, loading } = useLoad(listApplications, []);
  return (
    <>
      <PageHeader title="Applications" />
      <ErrorBar error={error} />
      {loading && !data ? <Loading /> : null}
      {data && data.length === 0 ? (
        <Text as="p">You own no client application yet. An administrator registers one for you (Applications → + Register application in the admin portal).</Text>
      ) : null}
      {data && data.length > 0 ? (
        <div className={styles.wrap}>
          <Table aria-label="Your applications">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Client ID</TableHeaderCell>
                <TableHeaderCell>Products</TableHeaderCell>
                <TableHeaderCell>State</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {data.map((app) => (
                <TableRow key={app.id}>
                  <TableCell><RouterLink to={`/applications/${encodeURIComponent(app.id)}`}>{app.displayName}</RouterLink></TableCell>
                  <TableCell className={styles.mono}>{app.clientId}</TableCell>
                  <TableCell>{app.products.map((p) => p.displayName).join(', ') || '—'}</TableCell>
                  <TableCell>{app.state}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      ) : null}
    </>
  );
}
