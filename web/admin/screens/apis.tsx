/** APIs: the list (name, URL suffix, backend), and an API's Operations and the Products that hold it. */
import {
  Badge, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, makeStyles, tokens,
} from '@fluentui/react-components';
import { RouterLink } from '../../shared/router.js';
import { ErrorBar, Loading, PageHeader, useLoad } from '../../shared/ui.js';
import type { ArmResource } from '../../shared/api.js';
import { stateLabel, type Api, type Product } from '../model.js';
import type { ScreenProps } from '../screen.js';
import { SectionTabs } from './section-tabs.js';

const useStyles = makeStyles({
  tableWrap: { overflowX: 'auto', backgroundColor: tokens.colorNeutralBackground1 },
  // Below this the columns would overlap; the table scrolls sideways in its frame instead (narrow windows).
  table: { minWidth: '560px' },
  mono: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: 'anywhere' },
  intro: { marginBottom: tokens.spacingVerticalM },
});

type Operation = ArmResource<{ readonly displayName: string; readonly method: string; readonly urlTemplate: string; readonly description?: string | null }>;

const apiPath = (apiId: string): string => `/apis/${encodeURIComponent(apiId)}`;

export function ApisScreen({ api }: ScreenProps) {
  const styles = useStyles();
  const { data, error } = useLoad(() => api.list<Api>('/apis'), [api]);
  return (
    <>
      <PageHeader title="APIs" />
      <ErrorBar error={error} />
      {data === undefined && error === undefined ? <Loading /> : null}
      {data ? (
        <div className={styles.tableWrap} tabIndex={0} role="region" aria-label="APIs">
          <Table className={styles.table} aria-label="APIs">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>API URL suffix</TableHeaderCell>
                <TableHeaderCell>Web service URL</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {data.map((item) => (
                <TableRow key={item.name}>
                  <TableCell><RouterLink to={apiPath(item.name)}>{item.properties.displayName}</RouterLink></TableCell>
                  <TableCell><span className={styles.mono}>/{item.properties.path}</span></TableCell>
                  <TableCell><span className={styles.mono}>{item.properties.serviceUrl ?? ''}</span></TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {data.length === 0 ? <Text as="p">No APIs yet. Scripts add them with PUT …/apis/{'{apiId}'} or `portico apply`.</Text> : null}
        </div>
      ) : null}
    </>
  );
}

const TABS = [
  { id: 'operations', label: 'Operations' },
  { id: 'products', label: 'Products' },
] as const;

export function ApiScreen({ api, params }: ScreenProps) {
  const styles = useStyles();
  const apiId = params.apiId ?? '';
  const tab = TABS.some((t) => t.id === params.tab) ? params.tab! : 'operations';
  const { data, error } = useLoad(() => api.get<Api>(apiPath(apiId)), [api, apiId]);
  return (
    <>
      <nav aria-label="Breadcrumb" className={styles.intro}><RouterLink to="/apis">APIs</RouterLink> › {data?.properties.displayName ?? apiId}</nav>
      <PageHeader title={data?.properties.displayName ?? apiId} />
      <ErrorBar error={error} />
      <SectionTabs label="API sections" basePath={apiPath(apiId)} tabs={TABS} selected={tab} />
      {tab === 'operations' ? <OperationsSection {...{ api, apiId }} /> : <ProductsSection {...{ api, apiId }} />}
    </>
  );
}

function OperationsSection({ api, apiId }: { api: ScreenProps['api']; apiId: string }) {
  const styles = useStyles();
  const { data, error } = useLoad(() => api.list<Operation>(`${apiPath(apiId)}/operations`), [api, apiId]);
  return (
    <>
      <ErrorBar error={error} />
      {data === undefined && error === undefined ? <Loading /> : null}
      {data ? (
        <div className={styles.tableWrap} tabIndex={0} role="region" aria-label="Operations">
          <Table className={styles.table} aria-label="Operations">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Operation</TableHeaderCell>
                <TableHeaderCell>Method</TableHeaderCell>
                <TableHeaderCell>URL</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {data.map((op) => (
                <TableRow key={op.name}>
                  <TableCell>{op.properties.displayName}</TableCell>
                  <TableCell><Badge appearance="tint" color="informative">{op.properties.method}</Badge></TableCell>
                  <TableCell><span className={styles.mono}>{op.properties.urlTemplate}</span></TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {data.length === 0 ? <Text as="p">This API has no operations.</Text> : null}
        </div>
      ) : null}
    </>
  );
}

/** The management API lists a product's APIs, not an API's products: read each product's list. */
function ProductsSection({ api, apiId }: { api: ScreenProps['api']; apiId: string }) {
  const styles = useStyles();
  const { data, error } = useLoad(async (): Promise<Product[]> => {
    const products = await api.list<Product>('/products');
    const holding = await Promise.all(products.map(async (product) => {
      const apis = await api.list<Api>(`/products/${encodeURIComponent(product.name)}/apis`);
      return apis.some((item) => item.name.toLowerCase() === apiId.toLowerCase()) ? product : undefined;
    }));
    return holding.filter((product): product is Product => product !== undefined);
  }, [api, apiId]);
  return (
    <>
      <ErrorBar error={error} />
      {data === undefined && error === undefined ? <Loading /> : null}
      {data ? (
        <div className={styles.tableWrap} tabIndex={0} role="region" aria-label="Products that hold this API">
          <Table className={styles.table} aria-label="Products that hold this API">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Product</TableHeaderCell>
                <TableHeaderCell>State</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {data.map((product) => (
                <TableRow key={product.name}>
                  <TableCell><RouterLink to={`/products/${encodeURIComponent(product.name)}`}>{product.properties.displayName}</RouterLink></TableCell>
                  <TableCell>{stateLabel(product)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {data.length === 0 ? <Text as="p">No product holds this API yet. Add it from a product's APIs.</Text> : null}
        </div>
      ) : null}
    </>
  );
}
