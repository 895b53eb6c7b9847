/** Tabs whose selection is part of the path (`/products/starter/apis`), so a reload or a link keeps it. */
import { Tab, TabList } from '@fluentui/react-components';
import { navigate } from './router.js';

export function PathTabs(props: { basePath: string; tabs: readonly { id: string; label: string }[]; selected: string; label: string }) {
  return (
    <TabList
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
