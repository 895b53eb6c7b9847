/** The developer portal's front door: Sign in, and Sign up when this Portico allows it. */
import { useState, type FormEvent } from 'react';
import { Button, Card, Field, Input, Link, Title2, Text, makeStyles, tokens } from '@fluentui/react-components';
import { ErrorBar } from '../shared/ui.js';
import { signIn, signUp, type DeveloperUser } from './api.js';

const useStyles = makeStyles({
  page: { minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', padding: tokens.spacingHorizontalL, backgroundColor: tokens.colorNeutralBackground2 },
  card: { width: '100%', maxWidth: '440px', padding: tokens.spacingHorizontalXXL },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  names: { display: 'grid', gridTemplateColumns: '1fr 1fr', gap: tokens.spacingHorizontalM, '@media (max-width: 480px)': { gridTemplateColumns: '1fr' } },
});

export function DeveloperSignIn(props: { signUpAllowed: boolean; onSignedIn: (user: DeveloperUser) => void }) {
  const styles = useStyles();
  const [mode, setMode] = useState<'signIn' | 'signUp'>('signIn');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      props.onSignedIn(mode === 'signIn' ? await signIn(email, password) : await signUp({ email, password, firstName, lastName }));
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  const switchTo = (next: 'signIn' | 'signUp'): void => {
    setMode(next);
    setError(undefined);
  };
  return (
    <main className={styles.page}>
      <Card className={styles.card}>
        <form className={styles.form} onSubmit={(event) => void submit(event)}>
          <Title2 as="h1">{mode === 'signIn' ? 'Sign in to the developer portal' : 'Sign up for the developer portal'}</Title2>
          <Text>{mode === 'signIn' ? 'Use the email and password of your API Management user account.' : 'Create a user account to see the APIs and your applications.'}</Text>
          <ErrorBar error={error} />
          {mode === 'signUp' ? (
            <div className={styles.names}>
              <Field label="First name" required>
                <Input autoComplete="given-name" value={firstName} onChange={(_event, data) => setFirstName(data.value)} />
              </Field>
              <Field label="Last name" required>
                <Input autoComplete="family-name" value={lastName} onChange={(_event, data) => setLastName(data.value)} />
              </Field>
            </div>
          ) : null}
          <Field label="Email" required>
            <Input type="email" autoComplete="username" value={email} onChange={(_event, data) => setEmail(data.value)} />
          </Field>
          <Field label="Password" required hint={mode === 'signUp' ? 'At least 8 characters.' : undefined}>
            <Input type="password" autoComplete={mode === 'signIn' ? 'current-password' : 'new-password'} value={password} onChange={(_event, data) => setPassword(data.value)} />
          </Field>
          <Button type="submit" appearance="primary" disabled={busy}>{mode === 'signIn' ? 'Sign in' : 'Sign up'}</Button>
          {props.signUpAllowed ? (
            <Text>
              {mode === 'signIn' ? 'No account yet? ' : 'Already have an account? '}
              <Link as="button" type="button" onClick={() => switchTo(mode === 'signIn' ? 'signUp' : 'signIn')}>{mode === 'signIn' ? 'Sign up' : 'Sign in'}</Link>
            </Text>
          ) : null}
        </form>
      </Card>
    </main>
  );
}
