/** An application: Overview (Client ID, Client Secret) and Details → Products. */
import { PageHeader } from '../../shared/ui.js';
import type { ScreenProps } from '../screen.js';

export function ApplicationScreen({ params }: ScreenProps) {
  return <PageHeader title={params.applicationId ?? 'Application'} />;
}
