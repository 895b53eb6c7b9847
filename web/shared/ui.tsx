/** Small building blocks the screens of both portals share. */
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import {
  Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, MessageBar, MessageBarBody,
  MessageBarTitle, Spinner, Title2, Tooltip, makeStyles, tokens,
} from '@fluentui/react-components';
import { CopyRegular, CheckmarkRegular } from '@fluentui/react-icons';
import { describeError } from './api.js';
import { navigate } from './router.js';

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

/**
 * "Are you sure?" before something that cannot be undone. After the confirmed action succeeds the
 * dialog closes and, when `thenGoTo` is set, the portal then goes there.
 */
export function ConfirmDialog(props: { open: boolean; title: string; children: ReactNode; confirmLabel: string; onConfirm: () => Promise<void>; onClose: () => void; thenGoTo?: string }) {
  const [goAfterClose, onClosed] = useNavigateAfterClose();
  return (
    <ModalDialog open={props.open} onClose={props.onClose} onClosed={onClosed}>
      <ConfirmBody {...props} onDone={() => {
        if (props.thenGoTo !== undefined) goAfterClose(props.thenGoTo);
        props.onClose();
      }} />
    </ModalDialog>
  );
}

/**
 * What a ConfirmDialog asks about: `ask(target)` opens it, `close()` closes it, and `target` stays
 * set while the dialog fades out, so its words do not go blank as it closes.
 */
export function useConfirmation<T>(): { target: T | undefined; open: boolean; ask: (target: T) => void; close: () => void } {
  const [state, setState] = useState<{ target: T | undefined; open: boolean }>({ target: undefined, open: false });
  const ask = useCallback((target: T) => setState({ target, open: true }), []);
  const close = useCallback(() => setState((previous) => ({ ...previous, open: false })), []);
  return { ...state, ask, close };
}

function ConfirmBody(props: { title: string; children: ReactNode; confirmLabel: string; onConfirm: () => Promise<void>; onClose: () => void; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const confirm = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
      props.onDone();
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  return (
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

/**
 * A modal dialog kept mounted and opened or closed through `open`, as Fluent UI expects: while open
 * it hides the rest of the page from assistive technology (aria-hidden on #root) and traps focus,
 * and only a close (not an unmount) undoes that. Its children mount afresh at each opening.
 * `onClosed` runs once it is closed and gone (after its exit animation).
 */
export function ModalDialog(props: { open: boolean; onClose: () => void; onClosed?: () => void; children: ReactNode }) {
  return (
    <Dialog
      open={props.open}
      onOpenChange={(_event, data) => (data.open ? undefined : props.onClose())}
      surfaceMotion={{ onMotionFinish: (_event, data) => (data.direction === 'exit' ? props.onClosed?.() : undefined) }}
    >
      <DialogSurface>{props.children}</DialogSurface>
    </Dialog>
  );
}

/**
 * Navigation out of a dialog, done once the dialog has closed: leaving the screen while a modal
 * dialog is open would unmount it open and leave the next screen hidden. Returns `[go, onClosed]`:
 * call go(path) as the dialog is told to close, and give onClosed to the ModalDialog.
 */
export function useNavigateAfterClose(): [(path: string) => void, () => void] {
  const target = useRef<string | undefined>(undefined);
  const go = useCallback((path: string) => {
    target.current = path;
  }, []);
  const onClosed = useCallback(() => {
    const path = target.current;
    target.current = undefined;
    if (path !== undefined) whenPageShown(() => navigate(path));
  }, []);
  return [go, onClosed];
}

/**
 * Runs `then` once the page is no longer hidden by a modal dialog. Fluent's focus manager (Tabster)
 * lifts aria-hidden from #root a moment (250 ms) after the dialog has gone, and only if the screen
 * that held the dialog is still there, so a navigation waits for it (at most a second).
 */
function whenPageShown(then: () => void): void {
  const root = document.getElementById('root');
  if (!root || !root.hasAttribute('aria-hidden')) {
    then();
    return;
  }
  const done = (): void => {
    observer.disconnect();
    window.clearTimeout(timer);
    then();
  };
  const observer = new MutationObserver(() => {
    if (!root.hasAttribute('aria-hidden')) done();
  });
  const timer = window.setTimeout(done, 1000);
  observer.observe(root, { attributes: true, attributeFilter: ['aria-hidden'] });
}
