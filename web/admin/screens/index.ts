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
import { ApisScreen, ApiScreen } from './apis.js';
import { UsersScreen } from './users.js';
import { SubscriptionsScreen } from './subscriptions.js';
import { EntraScreen } from './entra.js';
import { AppRegistrationsScreen, AppRegistrationScreen } from './app-registrations.js';
import { RolesScreen, RoleScreen } from './directory-roles.js';

export const NAV: readonly NavEntry[] = [
  { label: 'Products', path: '/products' },
  { label: 'Applications', path: '/applications' },
  { label: 'APIs', path: '/apis' },
  { label: 'Users', path: '/users' },
  { label: 'Subscriptions', path: '/service-subscriptions' },
  { label: 'Entra ID', path: '/entra' },
];

export const SCREENS: readonly Screen[] = [
  { pattern: '/products', title: 'Products', component: ProductsScreen },
  { pattern: '/products/:productId/:tab?', title: 'Product', component: ProductScreen },
  { pattern: '/applications', title: 'Applications', component: ApplicationsScreen },
  { pattern: '/applications/register', title: 'Register an application', component: RegisterApplicationScreen },
  { pattern: '/applications/:applicationId/:tab?', title: 'Application', component: ApplicationScreen },
  { pattern: '/apis', title: 'APIs', component: ApisScreen },
  { pattern: '/apis/:apiId/:tab?', title: 'API', component: ApiScreen },
  { pattern: '/users', title: 'Users', component: UsersScreen },
  { pattern: '/service-subscriptions', title: 'Subscriptions', component: SubscriptionsScreen },
  { pattern: '/entra', title: 'Microsoft Entra ID', component: EntraScreen },
  { pattern: '/entra/app-registrations', title: 'App registrations', component: AppRegistrationsScreen },
  { pattern: '/entra/app-registrations/:objectId/:tab?', title: 'App registration', component: AppRegistrationScreen },
  { pattern: '/entra/roles', title: 'Roles and administrators', component: RolesScreen },
  { pattern: '/entra/roles/:roleId/:tab?', title: 'Role', component: RoleScreen },
];

/** Where `/` leads. */
export const HOME = '/products';
