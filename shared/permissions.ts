/**
 * Roles and what each may do. The dispatch door checks an operation's permission
 * against this table for every call, on every face; screens use it only to hide
 * what the door would refuse anyway.
 */
export const ROLES = ['admin', 'lawyer', 'assistant'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  /** see and end one's own sessions, change one's own password */
  'self',
  /** conversations, replies, hand-off, intake review */
  'conversations',
  /** clients, matters, conflict hits, documents */
  'matters',
  /** write the office's quick replies */
  'quickReplies.manage',
  /** clear a conflict hit */
  'conflicts.clear',
  /** audit rows about clients and matters */
  'audit.matters',
  /** the whole audit trail, its export and verification */
  'audit.all',
  /** staff accounts and roles */
  'users.manage',
  /** list, create and verify backups, backup settings */
  'backups.manage',
  /** restore a backup over the live database */
  'backups.restore',
  /** office profile, hours, texts, limits */
  'settings.manage',
  /** health, metrics, alerts */
  'monitoring.read',
  /** alert rules */
  'monitoring.manage',
  /** WhatsApp link state */
  'whatsapp.read',
  /** link, log out, restart WhatsApp; retry the outbox */
  'whatsapp.manage',
  /** play a client through the WhatsApp simulator */
  'simulator',
  /** import the office's known parties, export all data */
  'imports.manage',
  /** erase a client's data, the retention schedule */
  'privacy.manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  lawyer: ['self', 'conversations', 'matters', 'quickReplies.manage', 'conflicts.clear', 'audit.matters', 'monitoring.read', 'whatsapp.read'],
  assistant: ['self', 'conversations', 'whatsapp.read'],
};

/**
 * `public`: anyone, signed in or not. `authenticated`: any signed-in staff member.
 * Otherwise a permission from the table above.
 */
export type Access = 'public' | 'authenticated' | Permission;

export function roleAllows(role: Role, access: Access): boolean {
  if (access === 'public' || access === 'authenticated') return true;
  return ROLE_PERMISSIONS[role].includes(access);
}
