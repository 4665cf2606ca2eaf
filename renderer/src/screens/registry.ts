import type { ComponentType } from 'react';
import type { Access } from '../../../shared/permissions.js';
import { Metrics } from './Metrics.js';
import { Overview } from './Overview.js';

/** A screen in the navigation. `access` hides it from roles the door would refuse anyway. */
export interface ScreenDef {
  id: string;
  title: string;
  access: Access;
  component: ComponentType;
}

export const SCREENS: ScreenDef[] = [
  { id: 'overview', title: 'Overview', access: 'public', component: Overview },
  { id: 'metrics', title: 'Metrics', access: 'monitoring.read', component: Metrics },
];
