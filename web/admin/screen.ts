/** What a screen of the admin portal is: a path pattern, a title and a component (see screens/index.ts). */
import type { ComponentType } from 'react';
import type { ServiceApi } from '../shared/api.js';
import type { AdminSession } from './session.js';

export interface ScreenProps {
  /** The pattern's parameters, decoded (e.g. productId). */
  readonly params: Readonly<Record<string, string>>;
  /** Management API calls under the signed-in service. */
  readonly api: ServiceApi;
  readonly session: AdminSession;
}

export interface Screen {
  /** e.g. `/products/:productId/:tab?`; the first screen whose pattern matches the path is shown. */
  readonly pattern: string;
  /** The document title. */
  readonly title: string;
  readonly component: ComponentType<ScreenProps>;
}
