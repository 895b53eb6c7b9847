/** What a screen of the developer portal is: a path pattern, a title and a component (see screens/index.ts). */
import type { ComponentType } from 'react';
import type { DeveloperUser } from './api.js';

export interface ScreenProps {
  /** The pattern's parameters, decoded (e.g. applicationId). */
  readonly params: Readonly<Record<string, string>>;
  readonly user: DeveloperUser;
}

export interface Screen {
  readonly pattern: string;
  readonly title: string;
  readonly component: ComponentType<ScreenProps>;
}
