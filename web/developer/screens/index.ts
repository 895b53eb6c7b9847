/**
 * The developer portal's screens and navigation. A screen is one file in this folder; list it here
 * and, if it is a top-level area, in NAV.
 */
import type { NavEntry } from '../../shared/shell.js';
import type { Screen } from '../screen.js';
import { ProductsScreen } from './products.js';
import { ProductScreen } from './product.js';
import { ApplicationsScreen } from './applications.js';
import { ApplicationScreen } from './application.js';
import { SubscriptionsScreen } from './subscriptions.js';
import { TryItScreen } from './try-it.js';

export const NAV: readonly NavEntry[] = [
  { label: 'Products', path: '/products' },
  { label: 'Applications', path: '/applications' },
  { label: 'Subscriptions', path: '/subscriptions' },
  { label: 'Try it', path: '/try-it' },
];

export const SCREENS: readonly Screen[] = [
  { pattern: '/products', title: 'Products', component: ProductsScreen },
  { pattern: '/products/:productId', title: 'Product', component: ProductScreen },
  { pattern: '/applications', title: 'Applications', component: ApplicationsScreen },
  { pattern: '/applications/:applicationId', title: 'Application', component: ApplicationScreen },
  { pattern: '/subscriptions', title: 'Subscriptions', component: SubscriptionsScreen },
  { pattern: '/try-it', title: 'Try it', component: TryItScreen },
];

/** Where `/developer` leads. */
export const HOME = '/products';
