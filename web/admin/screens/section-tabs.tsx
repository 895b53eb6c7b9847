/** Tabs whose selection is part of the path (`/apis/echo-api/products`), so a reload or a link keeps it. */
import { Tab, TabList, makeStyles, tokens } from '@fluentui/react-components';
import { navigate } from '../../shared/router.js';

const useStyles = makeStyles({ tabs: { marginBottom: tokens.spacingVerticalL, flexWrap: 'wrap' } });

export function SectionTabs(props: { basePath: string; tabs: readonly { id: string; label: string }[]; selected: string; label: string }) {
  const styles = useStyles();
  return (
    <TabList className={styles.tabs} aria-label={props.label} selectedValue={props.selected} onTabSelect={(_event, data) => navigate(`${props.basePath}/${String(data.value)}`)}>
      {props.tabs.map((tab) => <Tab key={tab.id} value={tab.id}>{tab.label}</Tab>)}
    </TabList>
  );
}
