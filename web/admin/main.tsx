/** The admin portal at `/`: sign-in, then the screens of screens/index.ts in the portal frame. */
import { useEffect, useMemo, useState } from 'react';
import { Text } from '@fluentui/react-components';
import { mount } from '../shared/mount.js';
import { matchPath, navigate, setRouterBase, usePath, useTitle } from '../shared/router.js';
import { AppShell } from '../shared/shell.js';
import { SignInPage } from '../shared/sign-in.js';
import { ErrorBar, Loading, PageHeader } from '../shared/ui.js';
import { onSessionEnded, ServiceApi } from '../shared/api.js';
import { currentSession, signIn, signOut, type AdminSession } from './session.js';
import { HOME, NAV, SCREENS } from './screens/index.js';

const PORTAL = 'Portico admin portal';
setRouterBase('/');

type State = { phase: 'loading' } | { phase: 'signedOut' } | { phase: 'failed'; error: unknown } | { phase: 'signedIn'; session: AdminSession };

function AdminPortal() {
  const [state, setState] = useState<State>({ phase: 'loading' });
  useEffect(() => {
    onSessionEnded(() => setState({ phase: 'signedOut' }));
    currentSession().then(
      (session) => setState(session ? { phase: 'signedIn', session } : { phase: 'signedOut' }),
      (error: unknown) => setState({ phase: 'failed', error }),
    );
  }, []);
  if (state.phase === 'loading') return <Loading />;
  if (state.phase === 'failed') return <main><ErrorBar error={state.error} title="The admin portal could not start" /></main>;
  if (state.phase === 'signedOut') {
    return (
      <SignInPage
        portalName="admin portal"
        hint="Use the admin user from credentials.json, or any user in the Administrators group."
        onSignIn={async (email, password) => setState({ phase: 'signedIn', session: await signIn(email, password) })}
      />
    );
  }
  return <SignedIn session={state.session} onSignedOut={() => setState({ phase: 'signedOut' })} />;
}

function SignedIn(props: { session: AdminSession; onSignedOut: () => void }) {
  const path = usePath();
  const api = useMemo(() => new ServiceApi(props.session.serviceResourceId), [props.session.serviceResourceId]);
  useEffect(() => {
    if (path === '/') navigate(HOME, { replace: true });
  }, [path]);
  const found = SCREENS.map((screen) => ({ screen, params: matchPath(screen.pattern, path) })).find((entry) => entry.params !== undefined);
  useTitle(found?.screen.title ?? 'Not found', PORTAL);
  const { user } = props.session;
  const doSignOut = (): void => {
    void signOut().finally(props.onSignedOut);
  };
  return (
    <AppShell portalName={PORTAL} userLabel={user.email} nav={NAV} path={path} onSignOut={doSignOut}>
      {found ? (
        <found.screen.component key={path} params={found.params!} api={api} session={props.session} />
      ) : (
        <>
          <PageHeader title="Not found" />
          <Text as="p">There is no screen at {path}. Choose one on the left.</Text>
        </>
      )}
    </AppShell>
  );
}

mount(<AdminPortal />);
