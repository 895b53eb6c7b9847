/** The developer portal at /developer: sign in (or up), then the screens of screens/index.ts in the portal frame. */
import { useEffect, useState } from 'react';
import { Text } from '@fluentui/react-components';
import { mount } from '../shared/mount.js';
import { matchPath, navigate, setRouterBase, usePath, useTitle } from '../shared/router.js';
import { AppShell } from '../shared/shell.js';
import { ErrorBar, Loading, PageHeader } from '../shared/ui.js';
import { onSessionEnded } from '../shared/api.js';
import { SignInPage } from '../shared/sign-in.js';
import { currentDeveloper, portalConfig, signIn, signOut, signUp, type DeveloperUser } from './api.js';
import { HOME, NAV, SCREENS } from './screens/index.js';

const PORTAL = 'Portico developer portal';
setRouterBase('/developer');

type State =
  | { phase: 'loading' }
  | { phase: 'signedOut'; signUpAllowed: boolean }
  | { phase: 'failed'; error: unknown }
  | { phase: 'signedIn'; user: DeveloperUser; signUpAllowed: boolean };

function DeveloperPortal() {
  const [state, setState] = useState<State>({ phase: 'loading' });
  useEffect(() => {
    let signUpAllowed = false;
    onSessionEnded(() => setState({ phase: 'signedOut', signUpAllowed }));
    Promise.all([portalConfig(), currentDeveloper()]).then(
      ([config, user]) => {
        signUpAllowed = config.signUpAllowed;
        setState(user ? { phase: 'signedIn', user, signUpAllowed } : { phase: 'signedOut', signUpAllowed });
      },
      (error: unknown) => setState({ phase: 'failed', error }),
    );
  }, []);
  if (state.phase === 'loading') return <Loading />;
  if (state.phase === 'failed') return <main><ErrorBar error={state.error} title="The developer portal could not start" /></main>;
  if (state.phase === 'signedOut') {
    const { signUpAllowed } = state;
    const signedIn = (user: DeveloperUser): void => setState({ phase: 'signedIn', user, signUpAllowed });
    return (
      <SignInPage
        portalName="developer portal"
        hint="Use the email and password of your API Management user account."
        onSignIn={async (email, password) => signedIn(await signIn(email, password))}
        signUp={signUpAllowed ? { hint: 'Create a user account to see the APIs and your applications.', onSignUp: async (details) => signedIn(await signUp(details)) } : undefined}
      />
    );
  }
  return <SignedIn user={state.user} onSignedOut={() => setState({ phase: 'signedOut', signUpAllowed: state.signUpAllowed })} />;
}

function SignedIn(props: { user: DeveloperUser; onSignedOut: () => void }) {
  const path = usePath();
  useEffect(() => {
    if (path === '/') navigate(HOME, { replace: true });
  }, [path]);
  const found = SCREENS.map((screen) => ({ screen, params: matchPath(screen.pattern, path) })).find((entry) => entry.params !== undefined);
  useTitle(found?.screen.title ?? 'Not found', PORTAL);
  const doSignOut = (): void => {
    void signOut().finally(props.onSignedOut);
  };
  return (
    <AppShell portalName={PORTAL} userLabel={props.user.email} nav={NAV} path={path} onSignOut={doSignOut}>
      {found ? (
        <found.screen.component key={path} params={found.params!} user={props.user} />
      ) : (
        <>
          <PageHeader title="Not found" />
          <Text as="p">There is no screen at {path}. Choose one on the left.</Text>
        </>
      )}
    </AppShell>
  );
}

mount(<DeveloperPortal />);
