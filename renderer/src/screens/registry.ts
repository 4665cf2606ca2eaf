import type { ComponentType } from 'react';
import type { Access } from '../../../shared/permissions.js';
import { Audit } from './Audit.js';
import { Backups } from './Backups.js';
import { Import } from './Import.js';
import { Metrics } from './Metrics.js';
import { Overview } from './Overview.js';
import { SimulatorPanel } from './whatsapp/SimulatorPanel.js';
import { WhatsAppSession } from './whatsapp/WhatsAppSession.js';
import { BotSettings } from './bot/BotSettings.js';
import { Inbox } from './bot/Inbox.js';
import { Matters } from './bot/Matters.js';
import { QuickReplies } from './bot/QuickReplies.js';
import { ClientsData } from './bot/Privacy.js';
import { ChangePassword } from './auth/ChangePassword.js';
import { Devices } from './auth/Devices.js';
import { Users } from './auth/Users.js';

/** A screen in the navigation. `access` hides it from roles the door would refuse anyway. */
export interface ScreenDef {
  id: string;
  title: string;
  access: Access;
  component: ComponentType;
}

export const SCREENS: ScreenDef[] = [
  { id: 'overview', title: 'Overview', access: 'public', component: Overview },
  { id: 'whatsapp', title: 'WhatsApp', access: 'whatsapp.read', component: WhatsAppSession },
  { id: 'simulator', title: 'WhatsApp simulator', access: 'simulator', component: SimulatorPanel },
  { id: 'audit', title: 'Audit', access: 'audit.matters', component: Audit },
  { id: 'metrics', title: 'Metrics', access: 'monitoring.read', component: Metrics },
  { id: 'inbox', title: 'Inbox', access: 'conversations', component: Inbox },
  { id: 'matters', title: 'Clients and matters', access: 'matters', component: Matters },
  { id: 'quick-replies', title: 'Quick replies', access: 'quickReplies.manage', component: QuickReplies },
  { id: 'clients-data', title: 'Clients’ data', access: 'privacy.manage', component: ClientsData },
  { id: 'bot-settings', title: 'Bot settings', access: 'settings.manage', component: BotSettings },
  { id: 'users', title: 'Users', access: 'users.manage', component: Users },
  { id: 'backups', title: 'Backups', access: 'backups.manage', component: Backups },
  { id: 'import', title: 'Import and export', access: 'imports.manage', component: Import },
  { id: 'devices', title: 'My devices', access: 'self', component: Devices },
  { id: 'password', title: 'Change password', access: 'self', component: ChangePassword },
];
