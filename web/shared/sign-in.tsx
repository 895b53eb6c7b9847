/** The sign-in page of a portal: email and password, the API's refusal in words. */
import { useState, type FormEvent } from 'react';
import { Button, Card, Field, Input, Title2, Text, makeStyles, tokens } from '@fluentui/react-components';
import { ErrorBar } from './ui.js';

const useStyles = makeStyles({
  page: { minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', padding: tokens.spacingHorizontalL, backgroundColor: tokens.colorNeutralBackground2 },
  card: { width: '100%', maxWidth: '420px', padding: tokens.spacingHorizontalXXL },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

export function SignInPage(props: { portalName: string; hint: string; onSignIn: (email: string, password: string) => Promise<void> }) {
  const styles = useStyles();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await props.onSignIn(email, password);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  return (
    <main className={styles.page}>
      <Card className={styles.card}>
        <form className={styles.form} onSubmit={(event) => void submit(event)}>
          <Title2 as="h1">Sign in to the {props.portalName}</Title2>
          <Text>{props.hint}</Text>
          <ErrorBar error={error} />
          <Field label="Email" required>
            <Input type="email" autoComplete="username" value={email} onChange={(_event, data) => setEmail(data.value)} />
          </Field>
          <Field label="Password" required>
            <Input type="password" autoComplete="current-password" value={password} onChange={(_event, data) => setPassword(data.value)} />
          </Field>
          <Button type="submit" appearance="primary" disabled={busy}>Sign in</Button>
        </form>
      </Card>
    </main>
  );
}
