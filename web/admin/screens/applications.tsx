/** Applications: the list and + Register application. */
import { PageHeader } from '../../shared/ui.js';
import type { ScreenProps } from '../screen.js';

export function ApplicationsScreen(_props: ScreenProps) {
  return <PageHeader title="Applications" />;
}
