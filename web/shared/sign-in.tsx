/**
 * The front door of both portals: email and password, the API's refusal in words. Given `signUp`
 * (the developer portal, when this Portico allows it), it also offers Sign up: first and last name,
 * email and a new password.
 */
import { useState, type FormEvent } from 'react';
import { Button, Card, Field, Input, Link, Title2, Text, makeStyles, tokens } from '@fluentui/react-components';
import { ErrorBar } from './ui.js';

const useStyles = makeStyles({
  page: { minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', padding: tokens.spacingHorizontalL, backgroundColor: tokens.colorNeutralBackground2 },
  card: { width: '100%', maxWidth: '440px', padding: tokens.spacingHorizontalXXL },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  names: { display: 'grid', gridTemplateColumns: '1fr 1fr', gap: tokens.spacingHorizontalM, '@media (max-width: 480px)': { gridTemplateColumns: '1fr' } },
});

export interface SignUpDetails {
  readonly email: string;
  readonly password: string;
  readonly firstName: string;
  readonly lastName: string;
}

export interface SignInPageProps {
  /** As in the title: "Sign in to the {portalName}". */
  readonly portalName: string;
  /** Which account to use. */
  readonly hint: string;
  /** Signs in; a refusal thrown here is shown on the form. */
  onSignIn(email: string, password: string): Promise<void>;
  /** Offers Sign up as well ("Sign up for the {portalName}"). */
  readonly signUp?: { readonly hint: string; onSignUp(details: SignUpDetails): Promise<void> };
}

type Mode = 'signIn' | 'signUp';

export function SignInPage(props: SignInPageProps) {
  const styles = useStyles();
  const [mode, setMode] = useState<Mode>('signIn');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const signingUp = mode === 'signUp' && props.signUp !== undefined;
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (signingUp) await props.signUp!.onSignUp({ email, password, firstName, lastName });
      else await props.onSignIn(email, password);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  const switchTo = (next: Mode): void => {
    setMode(next);
    setError(undefined);
  };
  return (
    <main className={styles.page}>
      <Card className={styles.card}>
        <form className={styles.form} onSubmit={(event) => void submit(event)}>
          <Title2 as="h1">{signingUp ? `Sign up for the ${props.portalName}` : `Sign in to the ${props.portalName}`}</Title2>
          <Text>{signingUp ? props.signUp!.hint : props.hint}</Text>
          <ErrorBar error={error} />
          {signingUp ? (
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
          <Field label="Password" required hint={signingUp ? 'At least 8 characters.' : undefined}>
            <Input type="password" autoComplete={signingUp ? 'new-password' : 'current-password'} value={password} onChange={(_event, data) => setPassword(data.value)} />
          </Field>
          <Button type="submit" appearance="primary" disabled={busy}>{signingUp ? 'Sign up' : 'Sign in'}</Button>
          {props.signUp ? (
            <Text>
              {signingUp ? 'Already have an account? ' : 'No account yet? '}
              <Link as="button" type="button" onClick={() => switchTo(signingUp ? 'signIn' : 'signUp')}>{signingUp ? 'Sign in' : 'Sign up'}</Link>
            </Text>
          ) : null}
        </form>
      </Card>
    </main>
  );
}
