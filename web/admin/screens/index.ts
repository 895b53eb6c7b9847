/**
 * The admin portal's screens and navigation. A screen is one file in this folder; list it here
 * (its patterns) and, if it is a top-level area, in NAV.
 */
import type { NavEntry } from '../../shared/shell.js';
import type { Screen } from '../screen.js';
import { ProductsScreen } from './products.js';
import { ProductScreen } from './product.js';
import { ApplicationsScreen, RegisterApplicationScreen } from './applications.js';
import { ApplicationScreen } from './application.js';

export const NAV: readonly NavEntry[] = [
  { label: 'Products', path: '/products' },
  { label: 'Applications', path: '/applications' },
];

export const SCREENS: readonly Screen[] = [
  { pattern: '/products', title: 'Products', component: ProductsScreen },
  { pattern: '/products/:productId/:tab?', title: 'Product', component: ProductScreen },
  { pattern: '/applications', title: 'Applications', component: ApplicationsScreen },
  { pattern: '/applications/register', title: 'Register an application', component: RegisterApplicationScreen },
  { pattern: '/applications/:applicationId/:tab?', title: 'Application', component: ApplicationScreen },
];

/** Where `/` leads. */
export const HOME = '/products';
