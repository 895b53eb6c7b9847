/** Products: the published ones, their APIs and operations, and how each is reached (token or key). */
import { Badge, Body1, Caption1, Card, CardHeader, Subtitle2, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, makeStyles, tokens } from '@fluentui/react-components';
import { RouterLink } from '../../shared/router.js';
import { ErrorBar, Loading, PageHeader, useLoad, CopyableValue } from '../../shared/ui.js';
import { listProducts, type Product } from '../api.js';

const useStyles = makeStyles({
  list: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  badges: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  api: { marginTop: tokens.spacingVerticalM },
  method: { fontFamily: tokens.fontFamilyMonospace, fontWeight: tokens.fontWeightSemibold },
  mono: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: 'anywhere' },
  table: { minWidth: 0 },
});

export function ProductsScreen() {
  const styles = useStyles();
  const { data, error, loading } = useLoad(listProducts, []);
  return (
    <>
      <PageHeader title="Products" />
      <ErrorBar error={error} />
      {loading && !data ? <Loading /> : null}
      {data && data.length === 0 ? <Text as="p">No product is published yet.</Text> : null}
      <div className={styles.list}>
        {data?.map((product) => <ProductCard key={product.id} product={product} />)}
      </div>
    </>
  );
}

function ProductCard({ product }: { product: Product }) {
  return (
    <Card aria-labelledby={`product-${product.id}`}>
      <CardHeader
        header={<Subtitle2 as="h2" id={`product-${product.id}`}><RouterLink to={`/products/${encodeURIComponent(product.id)}`}>{product.displayName}</RouterLink></Subtitle2>}
        description={<ProductBadges product={product} />}
      />
      {product.description ? <Body1>{product.description}</Body1> : null}
      {product.scope ? (
        <Caption1>
          Scope for a token: <CopyableValue value={product.scope} label={`scope of ${product.displayName}`} />
        </Caption1>
      ) : null}
      <ProductApis product={product} />
    </Card>
  );
}

/** How the product is reached (token, key) and whether subscriptions need approval. */
export function ProductBadges({ product }: { product: Product }) {
  const styles = useStyles();
  return (
    <div className={styles.badges}>
      {product.applicationToken ? <Badge appearance="tint" color="success">OAuth 2.0 token</Badge> : null}
      {product.subscriptionKey ? <Badge appearance="tint" color="informative">Subscription key</Badge> : null}
      {product.approvalRequired ? <Badge appearance="outline">Approval required</Badge> : null}
    </div>
  );
}

/** The product's APIs, each with its operations. */
export function ProductApis({ product }: { product: Product }) {
  const styles = useStyles();
  return (
    <>
      {product.apis.length === 0 ? <Text>This product holds no API yet.</Text> : null}
      {product.apis.map((api) => (
        <section key={api.id} className={styles.api} aria-label={`${api.displayName} operations`}>
          <Subtitle2 as="h3">{api.displayName} <Caption1 className={styles.mono}>/{api.path}</Caption1></Subtitle2>
          <Table size="small" aria-label={`Operations of ${api.displayName} in ${product.displayName}`} className={styles.table}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Method</TableHeaderCell>
                <TableHeaderCell>URL template</TableHeaderCell>
                <TableHeaderCell>Operation</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {api.operations.map((operation) => (
                <TableRow key={operation.id}>
                  <TableCell className={styles.method}>{operation.method}</TableCell>
                  <TableCell className={styles.mono}>{operation.urlTemplate}</TableCell>
                  <TableCell>{operation.displayName}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </section>
      ))}
    </>
  );
}
