/**
 * The frame of a signed-in portal, laid out like Azure's portal: a top bar (portal name, who is
 * signed in, Sign out), a navigation list on the left and the screen. On a narrow window the
 * navigation moves above the screen and wraps.
 */
import type { ReactNode } from 'react';
import { Button, Text, makeStyles, tokens, mergeClasses } from '@fluentui/react-components';
import { SignOutRegular } from '@fluentui/react-icons';
import { RouterLink } from './router.js';

export interface NavEntry {
  readonly label: string;
  /** The path the entry opens; it is current for that path and everything below it. */
  readonly path: string;
  readonly icon?: ReactNode;
}

const useStyles = makeStyles({
  page: { minHeight: '100vh', display: 'flex', flexDirection: 'column', backgroundColor: tokens.colorNeutralBackground2 },
  top: {
    display: 'flex', alignItems: 'center', flexWrap: 'wrap', gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorBrandBackground, color: tokens.colorNeutralForegroundOnBrand,
  },
  brand: { flexGrow: 1, fontWeight: tokens.fontWeightSemibold, color: tokens.colorNeutralForegroundOnBrand },
  user: { color: tokens.colorNeutralForegroundOnBrand, overflowWrap: 'anywhere' },
  body: { display: 'flex', flexGrow: 1, '@media (max-width: 760px)': { flexDirection: 'column' } },
  nav: {
    width: '220px', flexShrink: 0, padding: tokens.spacingVerticalM, backgroundColor: tokens.colorNeutralBackground1,
    borderRight: `1px solid ${tokens.colorNeutralStroke2}`,
    '@media (max-width: 760px)': { width: 'auto', borderRight: 'none', borderBottom: `1px solid ${tokens.colorNeutralStroke2}` },
  },
  navList: {
    listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS,
    '@media (max-width: 760px)': { flexDirection: 'row', flexWrap: 'wrap', gap: tokens.spacingHorizontalM },
  },
  navLink: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}` },
  current: { fontWeight: tokens.fontWeightSemibold, backgroundColor: tokens.colorNeutralBackground1Selected, borderRadius: tokens.borderRadiusMedium },
  main: { flexGrow: 1, minWidth: 0, padding: tokens.spacingHorizontalXXL, '@media (max-width: 760px)': { padding: tokens.spacingHorizontalM } },
  signOut: { color: tokens.colorNeutralForegroundOnBrand },
});

export function AppShell(props: { portalName: string; userLabel: string; nav: readonly NavEntry[]; path: string; onSignOut: () => void; children: ReactNode }) {
  const styles = useStyles();
  const isCurrent = (entry: NavEntry): boolean => props.path === entry.path || props.path.startsWith(`${entry.path}/`);
  return (
    <div className={styles.page}>
      <header className={styles.top}>
        <Text as="span" size={400} className={styles.brand}>{props.portalName}</Text>
        <Text as="span" className={styles.user}>{props.userLabel}</Text>
        <Button appearance="transparent" className={styles.signOut} icon={<SignOutRegular />} onClick={props.onSignOut}>Sign out</Button>
      </header>
      <div className={styles.body}>
        <nav className={styles.nav} aria-label="Portal navigation">
          <ul className={styles.navList}>
            {props.nav.map((entry) => (
              <li key={entry.path}>
                <RouterLink to={entry.path} aria-current={isCurrent(entry) ? 'page' : undefined} className={mergeClasses(styles.navLink, isCurrent(entry) && styles.current)}>
                  {entry.icon}
                  {entry.label}
                </RouterLink>
              </li>
            ))}
          </ul>
        </nav>
        <main className={styles.main}>{props.children}</main>
      </div>
    </div>
  );
}
