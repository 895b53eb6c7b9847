/** Small building blocks the screens of both portals share. */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import {
  Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, MessageBar, MessageBarBody,
  MessageBarTitle, Spinner, Title2, Tooltip, makeStyles, tokens,
} from '@fluentui/react-components';
import { CopyRegular, CheckmarkRegular } from '@fluentui/react-icons';
import { describeError } from './api.js';

const useStyles = makeStyles({
  header: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalM, marginBottom: tokens.spacingVerticalL },
  grow: { flexGrow: 1 },
  copy: { display: 'inline-flex', alignItems: 'center', gap: tokens.spacingHorizontalXS, maxWidth: '100%' },
  value: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: 'anywhere' },
  bar: { marginBottom: tokens.spacingVerticalM },
});

/** The screen's title with its commands on the right (wrapping below on a narrow window). */
export function PageHeader(props: { title: string; children?: ReactNode }) {
  const styles = useStyles();
  return (
    <div className={styles.header}>
      <Title2 as="h1" className={styles.grow}>{props.title}</Title2>
      {props.children}
    </div>
  );
}

/** A failure in words, or nothing. */
export function ErrorBar(props: { error: unknown; title?: string }) {
  const styles = useStyles();
  if (props.error === undefined || props.error === null) return null;
  return (
    <MessageBar intent="error" className={styles.bar} role="alert">
      <MessageBarBody>
        {props.title ? <MessageBarTitle>{props.title}</MessageBarTitle> : null}
        {describeError(props.error)}
      </MessageBarBody>
    </MessageBar>
  );
}

export function SuccessBar(props: { message: string | undefined }) {
  const styles = useStyles();
  if (!props.message) return null;
  return (
    <MessageBar intent="success" className={styles.bar} role="status">
      <MessageBarBody>{props.message}</MessageBarBody>
    </MessageBar>
  );
}

export function Loading(props: { label?: string }) {
  return <Spinner label={props.label ?? 'Loading…'} />;
}

/** A value with a copy button, as Azure's portal shows IDs and secrets. */
export function CopyableValue(props: { value: string; label: string }) {
  const styles = useStyles();
  const [copied, setCopied] = useState(false);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopied(true);
    } catch {
      setCopied(false); // no clipboard access: the value is on screen to select
    }
  };
  return (
    <span className={styles.copy}>
      <span className={styles.value} data-testid={`value-${props.label}`}>{props.value}</span>
      <Tooltip content={copied ? 'Copied' : 'Copy to clipboard'} relationship="description">
        <Button size="small" appearance="subtle" icon={copied ? <CheckmarkRegular /> : <CopyRegular />} aria-label={`Copy ${props.label}`} onClick={() => void copy()} />
      </Tooltip>
    </span>
  );
}

/** "Are you sure?" before something that cannot be undone. */
export function ConfirmDialog(props: { open: boolean; title: string; children: ReactNode; confirmLabel: string; onConfirm: () => Promise<void>; onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const confirm = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
      props.onClose();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={props.open} onOpenChange={(_event, data) => (data.open ? undefined : props.onClose())}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{props.title}</DialogTitle>
          <DialogContent>
            <ErrorBar error={error} />
            {props.children}
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" disabled={busy} onClick={() => void confirm()}>{props.confirmLabel}</Button>
            <Button appearance="secondary" disabled={busy} onClick={props.onClose}>Cancel</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

/** Loads data for a screen: the value, the failure, and a way to load again after a change. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): { data: T | undefined; error: unknown; reload: () => void; loading: boolean } {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [round, setRound] = useState(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(load, deps);
  useEffect(() => {
    let live = true;
    setState((previous) => ({ ...previous, loading: true }));
    run().then(
      (data) => live && setState({ data, error: undefined, loading: false }),
      (error: unknown) => live && setState({ data: undefined, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [run, round]);
  return { ...state, reload: () => setRound((n) => n + 1) };
}
