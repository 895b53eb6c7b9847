/** Tabs whose selection is part of the path (`/products/starter/apis`), so a reload or a link keeps it. */
import { Tab, TabList, makeStyles } from '@fluentui/react-components';
import { navigate } from './router.js';

// On a narrow window the tabs wrap onto a second line instead of widening the page.
const useStyles = makeStyles({ list: { flexWrap: 'wrap' } });

export function PathTabs(props: { basePath: string; tabs: readonly { id: string; label: string }[]; selected: string; label: string }) {
  const styles = useStyles();
  return (
    <TabList
      className={styles.list}
      aria-label={props.label}
      selectedValue={props.selected}
      onTabSelect={(_event, data) => navigate(`${props.basePath}/${String(data.value)}`)}
    >
      {props.tabs.map((tab) => (
        <Tab key={tab.id} value={tab.id}>{tab.label}</Tab>
      ))}
    </TabList>
  );
}
