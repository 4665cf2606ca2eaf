/** The only two IPC channels between a window and the main process. */
export const IPC_INVOKE = 'lexdesk:invoke';
export const IPC_EVENT = 'lexdesk:event';

/** The origin the screens are served from inside the desktop app (a privileged custom scheme, not file://). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'lexdesk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
