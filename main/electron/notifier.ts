import { Notification } from 'electron';
import type { AlertNotifier } from '../core/monitoring/index.js';

/**
 * Alerts as OS notifications on the desktop. Clicking one brings the window
 * forward, where the alert banner shows it. Where the OS has no notification service,
 * the banner in the app remains.
 */
export function createDesktopNotifier(onClick: () => void): AlertNotifier {
  return {
    notify({ title, body, severity }) {
      if (!Notification.isSupported()) return;
      const notification = new Notification({
        title: `LexDesk: ${title}`,
        body,
        urgency: severity === 'critical' ? 'critical' : 'normal',
        silent: severity !== 'critical',
      });
      notification.on('click', onClick);
      notification.show();
    },
  };
}
