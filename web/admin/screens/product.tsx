/**
 * A product, as the Azure portal shows it: Properties (with Application based access and the
 * Audience), APIs, Applications, Subscriptions and Policies; Delete with confirmation.
 */
import { useState } from 'react';
import {
  Button, Checkbox, Dropdown, Field, Input, Option, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow,
  Text, Textarea, makeStyles, tokens,
} from '@fluentui/react-components';
import { AddRegular, DeleteRegular, SaveRegular } from '@fluentui/react-icons';
import type { ServiceApi } from '../../shared/api.js';
import { RouterLink } from '../../shared/router.js';
import { PathTabs } from '../../shared/tabs.js';
import { ConfirmDialog, CopyableValue, ErrorBar, Loading, PageHeader, SuccessBar, useConfirmation, useLoad } from '../../shared/ui.js';
import { lastSegment, offersApplicationAccess, type Api, type AuthType, type ClientApplication, type Product, type ProductLink, type Subscription, type User } from '../model.js';
import { policyDocument, type Limit, type PolicyLimits } from '../policy.js';
import type { ScreenProps } from '../screen.js';

const TABS = [
  { id: 'properties', label: 'Properties' },
  { id: 'apis', label: 'APIs' },
  { id: 'applications', label: 'Applications' },
  { id: 'subscriptions', label: 'Subscriptions' },
  { id: 'policies', label: 'Policies' },
] as const;

const useStyles = makeStyles({
  panel: { marginTop: tokens.spacingVerticalL, padding: tokens.spacingHorizontalL, backgroundColor: tokens.colorNeutralBackground1, maxWidth: '960px' },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, maxWidth: '560px' },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, border: `1px solid ${tokens.colorNeutralStroke2}`, borderRadius: tokens.borderRadiusMedium, padding: tokens.spacingHorizontalM },
  row: { display: 'flex', flexWrap: 'wrap', alignItems: 'flex-end', gap: tokens.spacingHorizontalM, marginBottom: tokens.spacingVerticalM },
  tableWrap: { overflowX: 'auto' },
  limits: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(200px, 1fr))', gap: tokens.spacingHorizontalM },
});

const productPath = (id: string): string => `/products/${encodeURIComponent(id)}`;

export function ProductScreen({ params, api }: ScreenProps) {
  const productId = params.productId!;
  const tab = TABS.some((t) => t.id === params.tab) ? params.tab! : 'properties';
  const [deleting, setDeleting] = useState(false);
  const { data: product, error, reload } = useLoad(() => api.get<Product>(productPath(productId)), [api, productId]);
  if (error) return <><PageHeader title="Product" /><ErrorBar error={error} /></>;
  if (!product) return <Loading />;
  return (
    <>
      <PageHeader title={product.properties.displayName}>
        <Button icon={<DeleteRegular />} onClick={() => setDeleting(true)}>Delete</Button>
      </PageHeader>
      <Text as="p"><RouterLink to="/products">Products</RouterLink> › {product.properties.displayName}</Text>
      <PathTabs label="Product" basePath={productPath(productId)} tabs={TABS} selected={tab} />
      {tab === 'properties' ? <PropertiesTab api={api} product={product} onSaved={reload} /> : null}
      {tab === 'apis' ? <ApisTab api={api} product={product} /> : null}
      {tab === 'applications' ? <ApplicationsTab api={api} product={product} /> : null}
      {tab === 'subscriptions' ? <SubscriptionsTab api={api} product={product} /> : null}
      {tab === 'policies' ? <PoliciesTab api={api} product={product} /> : null}
      <ConfirmDialog
        open={deleting}
        title={`Delete product ${product.properties.displayName}?`}
        confirmLabel="Delete"
        onClose={() => setDeleting(false)}
        onConfirm={() => api.delete(productPath(productId), { deleteSubscriptions: 'true' })}
        thenGoTo="/products"
      >
        <Text>The product, its subscriptions and its policy are deleted. Applications lose access to its APIs. This cannot be undone.</Text>
      </ConfirmDialog>
    </>
  );
}

function PropertiesTab(props: { api: ServiceApi; product: Product; onSaved: () => void }) {
  const styles = useStyles();
  const p = props.product.properties;
  const types = p.authenticationType ?? [];
  const [displayName, setDisplayName] = useState(p.displayName);
  const [description, setDescription] = useState(p.description ?? '');
  const [published, setPublished] = useState(p.state === 'published');
  const [subscriptionRequired, setSubscriptionRequired] = useState(p.subscriptionRequired !== false);
  const [approvalRequired, setApprovalRequired] = useState(p.approvalRequired === true);
  const [oauth, setOauth] = useState(types.includes('application-token'));
  const [subscriptionKey, setSubscriptionKey] = useState(types.length === 0 || types.includes('subscription-key'));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string>();
  const [losses, setLosses] = useState<string[]>();
  const audience = p.application?.entra?.audience ?? p.application?.entra?.applicationId;
  const write = async (): Promise<void> => {
    const authenticationType: AuthType[] = [...(oauth ? (['application-token'] as const) : []), ...(subscriptionKey ? (['subscription-key'] as const) : [])];
    await props.api.patch(productPath(props.product.name), {
      properties: { displayName: displayName.trim(), description, state: published ? 'published' : 'notPublished', subscriptionRequired, approvalRequired, authenticationType },
    });
    setSaved('Saved.');
    props.onSaved();
  };
  // Unticking a way in while someone uses it cuts their access: count them and ask first, as the CLI does.
  const save = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    setSaved(undefined);
    try {
      const lost = await accessLost(props.api, props.product, { oauth, subscriptionKey });
      if (lost.length > 0) setLosses(lost);
      else await write();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className={styles.panel} aria-label="Properties">
      <div className={styles.form}>
        <ErrorBar error={error} />
        <SuccessBar message={saved} />
        <Field label="Display name" required>
          <Input value={displayName} onChange={(_event, data) => setDisplayName(data.value)} />
        </Field>
        <Field label="Id">
          <Input value={props.product.name} readOnly />
        </Field>
        <Field label="Description">
          <Textarea value={description} onChange={(_event, data) => setDescription(data.value)} />
        </Field>
        <Checkbox label="Published" checked={published} onChange={(_event, data) => setPublished(data.checked === true)} />
        <Checkbox label="Requires subscription" checked={subscriptionRequired} onChange={(_event, data) => setSubscriptionRequired(data.checked === true)} />
        <Checkbox label="Requires approval" checked={approvalRequired} onChange={(_event, data) => setApprovalRequired(data.checked === true)} />
        <fieldset className={styles.section}>
          <legend><Text weight="semibold">Application based access</Text></legend>
          <Checkbox label="OAuth 2.0 token (most secure)" checked={oauth} onChange={(_event, data) => setOauth(data.checked === true)} />
          <Checkbox label="Subscription key" checked={subscriptionKey} onChange={(_event, data) => setSubscriptionKey(data.checked === true)} />
          {audience ? (
            <Field label="Audience" hint="The backend application ID: client applications request tokens for it (scope api://<audience>/.default).">
              <CopyableValue value={audience} label="Audience" />
            </Field>
          ) : (
            <Text size={200}>Turning on OAuth 2.0 token creates the product's backend application in Entra ID; its application ID is shown here as the Audience.</Text>
          )}
        </fieldset>
        {!oauth && !subscriptionKey ? <Text role="status">Choose at least one way to access the product.</Text> : null}
        <div>
          <Button appearance="primary" icon={<SaveRegular />} disabled={busy || displayName.trim() === '' || (!oauth && !subscriptionKey)} onClick={() => void save()}>Save</Button>
        </div>
      </div>
      <ConfirmDialog open={losses !== undefined} title="Turn off access?" confirmLabel="Save" onClose={() => setLosses(undefined)} onConfirm={write}>
        {(losses ?? []).map((loss) => <Text as="p" key={loss}>{loss}</Text>)}
      </ConfirmDialog>
    </section>
  );
}

/** The applications with a link to the product (their link found among each application's links). */
async function linkedApplications(api: ServiceApi, productName: string): Promise<AppLink[]> {
  const applications = await api.list<ClientApplication>('/clientApplications');
  return Promise.all(applications.map(async (application) => {
    const links = await api.list<ProductLink>(`/clientApplications/${encodeURIComponent(application.name)}/productLinks`);
    return { application, link: links.find((link) => lastSegment(link.properties.productId).toLowerCase() === productName.toLowerCase()) };
  }));
}

function subscriptionsTo(subscriptions: readonly Subscription[], productName: string): Subscription[] {
  return subscriptions.filter((s) => /\/products\/[^/]+$/i.test(s.properties.scope) && lastSegment(s.properties.scope).toLowerCase() === productName.toLowerCase());
}

const plural = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;

/** Sentences naming who loses access when the product stops offering a way in it offers now (none: nothing lost). */
async function accessLost(api: ServiceApi, product: Product, next: { oauth: boolean; subscriptionKey: boolean }): Promise<string[]> {
  const types = product.properties.authenticationType ?? [];
  const lost: string[] = [];
  if (types.includes('application-token') && !next.oauth) {
    const count = (await linkedApplications(api, product.name)).filter((entry) => entry.link).length;
    if (count > 0) lost.push(`${plural(count, 'application', 'applications')} with access to this product will lose it: OAuth 2.0 tokens for it are no longer accepted.`);
  }
  if ((types.length === 0 || types.includes('subscription-key')) && !next.subscriptionKey) {
    const count = subscriptionsTo(await api.list<Subscription>('/subscriptions'), product.name).length;
    if (count > 0) lost.push(`${plural(count, 'subscription', 'subscriptions')} to this product will lose access: their keys are no longer accepted.`);
  }
  return lost;
}

function ApisTab(props: { api: ServiceApi; product: Product }) {
  const styles = useStyles();
  const base = productPath(props.product.name);
  const { data, error, reload } = useLoad(async () => {
    const [inProduct, all] = await Promise.all([props.api.list<Api>(`${base}/apis`), props.api.list<Api>('/apis')]);
    return { inProduct, others: all.filter((api) => !inProduct.some((p) => p.name === api.name)) };
  }, [props.api, base]);
  const [choice, setChoice] = useState<string>();
  const [actionError, setActionError] = useState<unknown>();
  const removal = useConfirmation<Api>();
  const [done, setDone] = useState<string>();
  const act = async (work: () => Promise<unknown>): Promise<void> => {
    setActionError(undefined);
    setDone(undefined);
    try {
      await work();
      setChoice(undefined);
      reload();
    } catch (failure) {
      setActionError(failure);
    }
  };
  const productName = props.product.properties.displayName;
  return (
    <section className={styles.panel} aria-label="APIs">
      <ErrorBar error={error ?? actionError} />
      <SuccessBar message={done} />
      {data ? (
        <>
          <div className={styles.row}>
            <Field label="API to add">
              <Dropdown placeholder="Select an API" selectedOptions={choice ? [choice] : []} value={data.others.find((a) => a.name === choice)?.properties.displayName ?? ''} onOptionSelect={(_event, option) => setChoice(option.optionValue)}>
                {data.others.map((api) => <Option key={api.name} value={api.name}>{api.properties.displayName}</Option>)}
              </Dropdown>
            </Field>
            <Button icon={<AddRegular />} disabled={!choice} onClick={() => void act(() => props.api.put(`${base}/apis/${encodeURIComponent(choice!)}`, undefined, ''))}>Add API</Button>
          </div>
          <div className={styles.tableWrap}>
            <Table aria-label="APIs in this product">
              <TableHeader><TableRow><TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>URL suffix</TableHeaderCell><TableHeaderCell>Remove</TableHeaderCell></TableRow></TableHeader>
              <TableBody>
                {data.inProduct.map((api) => (
                  <TableRow key={api.name}>
                    <TableCell>{api.properties.displayName}</TableCell>
                    <TableCell>/{api.properties.path}</TableCell>
                    <TableCell><Button size="small" icon={<DeleteRegular />} aria-label={`Remove ${api.properties.displayName}`} onClick={() => { setDone(undefined); removal.ask(api); }}>Remove</Button></TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
          {data.inProduct.length === 0 ? <Text as="p">No APIs in this product.</Text> : null}
        </>
      ) : error ? null : <Loading />}
      <ConfirmDialog
        open={removal.open}
        title={`Remove ${removal.target?.properties.displayName ?? ''} from ${productName}?`}
        confirmLabel="Remove"
        onClose={removal.close}
        onConfirm={async () => {
          const api = removal.target!;
          await props.api.delete(`${base}/apis/${encodeURIComponent(api.name)}`);
          setDone(`${api.properties.displayName} is no longer in ${productName}.`);
          reload();
        }}
      >
        <Text as="p">
          Subscriptions and applications with access to {productName} can no longer call {removal.target?.properties.displayName} through
          it: the gateway refuses their calls at once. The API itself is not deleted.
        </Text>
      </ConfirmDialog>
    </section>
  );
}

interface AppLink {
  readonly application: ClientApplication;
  readonly link: ProductLink | undefined;
}

function ApplicationsTab(props: { api: ServiceApi; product: Product }) {
  const styles = useStyles();
  const productName = props.product.name;
  const { data, error, reload } = useLoad(() => linkedApplications(props.api, productName), [props.api, productName]);
  const [choice, setChoice] = useState<string>();
  const [actionError, setActionError] = useState<unknown>();
  const removal = useConfirmation<AppLink>();
  const [done, setDone] = useState<string>();
  const act = async (work: () => Promise<unknown>): Promise<void> => {
    setActionError(undefined);
    setDone(undefined);
    try {
      await work();
      setChoice(undefined);
      reload();
    } catch (failure) {
      setActionError(failure);
    }
  };
  if (!offersApplicationAccess(props.product)) {
    return (
      <section className={styles.panel} aria-label="Applications">
        <Text as="p">Applications get access to a product through OAuth 2.0 tokens. Turn on <b>OAuth 2.0 token (most secure)</b> under <RouterLink to={`${productPath(productName)}/properties`}>Properties</RouterLink> first.</Text>
      </section>
    );
  }
  const linked = data?.filter((entry) => entry.link) ?? [];
  const others = data?.filter((entry) => !entry.link) ?? [];
  return (
    <section className={styles.panel} aria-label="Applications">
      <ErrorBar error={error ?? actionError} />
      <SuccessBar message={done} />
      {data ? (
        <>
          <div className={styles.row}>
            <Field label="Application to add">
              <Dropdown placeholder="Select an application" selectedOptions={choice ? [choice] : []} value={others.find((o) => o.application.name === choice)?.application.properties.displayName ?? ''} onOptionSelect={(_event, option) => setChoice(option.optionValue)}>
                {others.map(({ application }) => <Option key={application.name} value={application.name}>{application.properties.displayName}</Option>)}
              </Dropdown>
            </Field>
            <Button icon={<AddRegular />} disabled={!choice} onClick={() => void act(() => props.api.put(`/clientApplications/${encodeURIComponent(choice!)}/productLinks/${encodeURIComponent(productName)}`, { properties: { productId: `/products/${productName}` } }, ''))}>Add application</Button>
          </div>
          <div className={styles.tableWrap}>
            <Table aria-label="Applications with access to this product">
              <TableHeader><TableRow><TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>Client ID</TableHeaderCell><TableHeaderCell>Access</TableHeaderCell><TableHeaderCell>Remove</TableHeaderCell></TableRow></TableHeader>
              <TableBody>
                {linked.map(({ application, link }) => (
                  <TableRow key={application.name}>
                    <TableCell><RouterLink to={`/applications/${encodeURIComponent(application.name)}`}>{application.properties.displayName}</RouterLink></TableCell>
                    <TableCell>{application.properties.entraApplicationId}</TableCell>
                    <TableCell>{link!.properties.state ?? 'active'}</TableCell>
                    <TableCell><Button size="small" icon={<DeleteRegular />} aria-label={`Remove ${application.properties.displayName}`} onClick={() => { setDone(undefined); removal.ask({ application, link }); }}>Remove</Button></TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
          {linked.length === 0 ? <Text as="p">No application has access to this product yet.</Text> : null}
        </>
      ) : error ? null : <Loading />}
      <ConfirmDialog
        open={removal.open}
        title={`Remove ${removal.target?.application.properties.displayName ?? ''} from ${props.product.properties.displayName}?`}
        confirmLabel="Remove"
        onClose={removal.close}
        onConfirm={async () => {
          const { application, link } = removal.target!;
          await props.api.delete(`/clientApplications/${encodeURIComponent(application.name)}/productLinks/${encodeURIComponent(link!.name)}`);
          setDone(`${application.properties.displayName} no longer has access to ${props.product.properties.displayName}.`);
          reload();
        }}
      >
        <Text as="p">
          {removal.target?.application.properties.displayName} can no longer get tokens for {props.product.properties.displayName}, and
          its calls to the product's APIs are refused at once.
        </Text>
      </ConfirmDialog>
    </section>
  );
}

function SubscriptionsTab(props: { api: ServiceApi; product: Product }) {
  const styles = useStyles();
  const productName = props.product.name.toLowerCase();
  const { data, error } = useLoad(async () => {
    const [subscriptions, users] = await Promise.all([props.api.list<Subscription>('/subscriptions'), props.api.list<User>('/users')]);
    const owner = (id: string | null | undefined): string => {
      if (!id) return '—';
      const user = users.find((u) => u.name.toLowerCase() === lastSegment(id).toLowerCase());
      return user ? `${user.properties.firstName} ${user.properties.lastName}` : lastSegment(id);
    };
    return subscriptionsTo(subscriptions, productName)
      .map((s) => ({ subscription: s, owner: owner(s.properties.ownerId) }));
  }, [props.api, productName]);
  return (
    <section className={styles.panel} aria-label="Subscriptions">
      <ErrorBar error={error} />
      {data ? (
        <>
          <div className={styles.tableWrap}>
            <Table aria-label="Subscriptions to this product">
              <TableHeader><TableRow><TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>Owner</TableHeaderCell><TableHeaderCell>State</TableHeaderCell><TableHeaderCell>Created</TableHeaderCell></TableRow></TableHeader>
              <TableBody>
                {data.map(({ subscription, owner }) => (
                  <TableRow key={subscription.name}>
                    <TableCell>{subscription.properties.displayName ?? subscription.name}</TableCell>
                    <TableCell>{owner}</TableCell>
                    <TableCell>{subscription.properties.state}</TableCell>
                    <TableCell>{subscription.properties.createdDate ? new Date(subscription.properties.createdDate).toLocaleString() : '—'}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
          {data.length === 0 ? <Text as="p">No subscriptions to this product.</Text> : null}
        </>
      ) : error ? null : <Loading />}
    </section>
  );
}

interface PolicyResource {
  readonly properties: { readonly limits?: PolicyLimits };
}

function PoliciesTab(props: { api: ServiceApi; product: Product }) {
  const styles = useStyles();
  const path = `${productPath(props.product.name)}/policies/policy`;
  // The list (empty without a policy) rather than GET, whose 404 the browser would log as an error.
  const { data, error, reload } = useLoad(async (): Promise<PolicyLimits | null> => {
    const [policy] = await props.api.list<PolicyResource>(`${productPath(props.product.name)}/policies`);
    return policy ? policy.properties.limits ?? {} : null;
  }, [props.api, path]);
  // Kept here: the form starts afresh from the reloaded policy after each change (and so does not
  // hold the confirmation, which must not be unmounted while open).
  const [saved, setSaved] = useState<string>();
  const removal = useConfirmation<true>();
  const productName = props.product.properties.displayName;
  return (
    <section className={styles.panel} aria-label="Policies">
      <ErrorBar error={error} />
      <SuccessBar message={saved} />
      {data === undefined ? (error ? null : <Loading />) : (
        <PolicyForm key={JSON.stringify(data)} api={props.api} path={path} limits={data} onChanged={(message) => { setSaved(message); reload(); }} onRemove={() => { setSaved(undefined); removal.ask(true); }} />
      )}
      <ConfirmDialog
        open={removal.open}
        title={`Remove the policy from ${productName}?`}
        confirmLabel="Remove"
        onClose={removal.close}
        onConfirm={async () => {
          await props.api.delete(path);
          setSaved('Policy removed.');
          reload();
        }}
      >
        <Text as="p">Its rate limit and quota stop applying: calls through {productName} are no longer counted or limited by it.</Text>
      </ConfirmDialog>
    </section>
  );
}

function PolicyForm(props: { api: ServiceApi; path: string; limits: PolicyLimits | null; onChanged: (message: string) => void; onRemove: () => void }) {
  const styles = useStyles();
  const text = (limit: Limit | undefined, key: keyof Limit): string => (limit ? String(limit[key]) : '');
  const [rateCalls, setRateCalls] = useState(text(props.limits?.rateLimit, 'calls'));
  const [ratePeriod, setRatePeriod] = useState(text(props.limits?.rateLimit, 'renewalPeriod'));
  const [quotaCalls, setQuotaCalls] = useState(text(props.limits?.quota, 'calls'));
  const [quotaPeriod, setQuotaPeriod] = useState(text(props.limits?.quota, 'renewalPeriod'));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  // A limit's fail mode (set with the API or the CLI; this form does not show it) is kept as it was.
  const limit = (calls: string, period: string, was: Limit | undefined): Limit | undefined =>
    calls.trim() === '' && period.trim() === '' ? undefined : { calls: Number(calls), renewalPeriod: Number(period), ...(was?.failMode ? { failMode: was.failMode } : {}) };
  const run = async (work: () => Promise<unknown>, message: string): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      props.onChanged(message);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  const save = (): Promise<void> => {
    const rateLimit = limit(rateCalls, ratePeriod, props.limits?.rateLimit);
    const quota = limit(quotaCalls, quotaPeriod, props.limits?.quota);
    const value = policyDocument({ ...(rateLimit ? { rateLimit } : {}), ...(quota ? { quota } : {}) });
    return run(() => props.api.put(props.path, { properties: { format: 'rawxml', value } }), 'Policy saved.');
  };
  return (
    <div className={styles.form}>
      <ErrorBar error={error} />
      <Text as="p">{props.limits === null ? 'This product has no policy: its APIs are not rate limited.' : 'The gateway applies these limits to each subscription or application calling this product.'}</Text>
      <fieldset className={styles.section}>
        <legend><Text weight="semibold">Rate limit</Text></legend>
        <div className={styles.limits}>
          <Field label="Calls"><Input type="number" min={1} value={rateCalls} onChange={(_event, data) => setRateCalls(data.value)} /></Field>
          <Field label="Renewal period (seconds)"><Input type="number" min={1} value={ratePeriod} onChange={(_event, data) => setRatePeriod(data.value)} /></Field>
        </div>
      </fieldset>
      <fieldset className={styles.section}>
        <legend><Text weight="semibold">Quota</Text></legend>
        <div className={styles.limits}>
          <Field label="Calls"><Input type="number" min={1} value={quotaCalls} onChange={(_event, data) => setQuotaCalls(data.value)} /></Field>
          <Field label="Renewal period (seconds)"><Input type="number" min={1} value={quotaPeriod} onChange={(_event, data) => setQuotaPeriod(data.value)} /></Field>
        </div>
      </fieldset>
      <div className={styles.row}>
        <Button appearance="primary" icon={<SaveRegular />} disabled={busy} onClick={() => void save()}>Save</Button>
        {props.limits !== null ? <Button icon={<DeleteRegular />} disabled={busy} onClick={props.onRemove}>Remove policy</Button> : null}
      </div>
    </div>
  );
}
