/** The developer portal at /developer (engineer D builds its screens on web/shared). */
import { Title2, Text, makeStyles, tokens } from '@fluentui/react-components';
import { mount } from '../shared/mount.js';
import { setRouterBase } from '../shared/router.js';

setRouterBase('/developer');

const useStyles = makeStyles({ main: { padding: tokens.spacingHorizontalXXL } });

function DeveloperPortal() {
  const styles = useStyles();
  return (
    <main className={styles.main}>
      <Title2 as="h1">Portico developer portal</Title2>
      <Text as="p">Sign-in and screens for developers come here.</Text>
    </main>
  );
}

mount(<DeveloperPortal />);
