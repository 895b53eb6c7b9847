/**
 * Path routing for a portal: the page's path below the portal's base (`/` or `/developer`) picks the
 * screen; links push history entries; the server answers any such path with the portal's page.
 */
import { useEffect, useSyncExternalStore, type MouseEvent, type ReactNode } from 'react';
import { Link } from '@fluentui/react-components';

let base = '';

/** The portal's base path, without a trailing slash ('' for the admin portal at `/`). */
export function setRouterBase(path: string): void {
  base = path.replace(/\/$/, '');
}

const listeners = new Set<() => void>();
const subscribe = (listener: () => void): (() => void) => {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
};

/** The path below the base, e.g. `/products/starter`. */
function currentPath(): string {
  const path = window.location.pathname;
  const below = path.toLowerCase().startsWith(base.toLowerCase()) ? path.slice(base.length) : path;
  return below === '' ? '/' : below;
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, currentPath);
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const target = `${base}${path}`;
  if (options.replace) window.history.replaceState(null, '', target);
  else window.history.pushState(null, '', target);
  for (const listener of listeners) listener();
  window.scrollTo(0, 0);
}

/** A link inside the portal: a real href (open in new tab works), navigation without reload. */
export function RouterLink(props: { to: string; children: ReactNode; 'aria-current'?: 'page' | undefined; className?: string }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>): void => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(props.to);
  };
  return (
    <Link href={`${base}${props.to}`} onClick={onClick} aria-current={props['aria-current']} className={props.className}>
      {props.children}
    </Link>
  );
}

/** Matches `/products/:productId/:tab?` against a path; the parameters (decoded) or undefined. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  const params: Record<string, string> = {};
  for (let i = 0; i < Math.max(want.length, have.length); i++) {
    const segment = want[i];
    const value = have[i];
    if (segment === undefined) return undefined;
    const optional = segment.endsWith('?');
    if (segment.startsWith(':')) {
      if (value === undefined) {
        if (optional) continue;
        return undefined;
      }
      params[segment.slice(1).replace(/\?$/, '')] = decodeURIComponent(value);
    } else if (value === undefined || value.toLowerCase() !== segment.toLowerCase()) {
      return undefined;
    }
  }
  return params;
}

/** Sets the document title for the screen shown. */
export function useTitle(title: string, portal: string): void {
  useEffect(() => {
    document.title = `${title} – ${portal}`;
  }, [title, portal]);
}
