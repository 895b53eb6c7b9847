/** A product: Properties, APIs, Applications, Subscriptions, Policies. */
import { PageHeader } from '../../shared/ui.js';
import type { ScreenProps } from '../screen.js';

export function ProductScreen({ params }: ScreenProps) {
  return <PageHeader title={params.productId ?? 'Product'} />;
}
