/** Microsoft Entra ID: the directory's two areas the seed page walks through. */
import { Card, CardHeader, Text, makeStyles, tokens } from '@fluentui/react-components';
import { RouterLink } from '../../shared/router.js';
import { PageHeader } from '../../shared/ui.js';

const useStyles = makeStyles({
  grid: { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(260px, 1fr))', gap: tokens.spacingHorizontalL },
});

export function EntraScreen() {
  const styles = useStyles();
  return (
    <>
      <PageHeader title="Microsoft Entra ID" />
      <Text as="p">The directory of this Portico instance: its applications and who holds which directory role.</Text>
      <h2>Manage</h2>
      <div className={styles.grid}>
        <Card>
          <CardHeader header={<RouterLink to="/entra/app-registrations">App registrations</RouterLink>}
            description={<Text>All applications: product (backend) and client applications, their App roles and API permissions.</Text>} />
        </Card>
        <Card>
          <CardHeader header={<RouterLink to="/entra/roles">Roles and administrators</RouterLink>}
            description={<Text>Directory roles and their assignments, e.g. Application administrator for the service's managed identity.</Text>} />
        </Card>
      </div>
    </>
  );
}
