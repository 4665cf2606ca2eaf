/* Small images the desktop draws itself (PNG, base64), so that no icon file must be found at run time. */

/** The tray icon, 16 and 32 pixels (the blue LexDesk square). */
export const TRAY_ICON_16 = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAL0lEQVR42mNgGFRAzmH9f3yYIs30NQAfwGnY4DKArPAYeC8gA1yaKU6R9DOArgAAidw88FlNvacAAAAASUVORK5CYII=';
export const TRAY_ICON_32 = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAYAAABzenr0AAAAU0lEQVR42mNgGAWDHcg5rP9PDh4wi6niAEotp8gB1LB86DqAWpYPPwdQAkhy3KgDRh1AzVxAVg4ZdcBoIhx1AD5AqsUD3jYcdcCoA4afA0YBrQAA3x4/WMdVdjAAAAAASUVORK5CYII=';

/** Windows: the taskbar overlay when conversations wait for staff (a red dot). */
export const OVERLAY_DOT = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAZklEQVR42mO4o6bGgAPzArEeFPPiUodNMACIdwPxfzS8GyqH14DpWDSi4+m4DCBGM4YhyM7+TyIOQDZgNxkG7IYZwEuGZhjmZYBGE7kG6FHFAIq9QHEgUiUaKU5IVEnKVMlMJGdnAIu/ymSMHZcAAAAAAElFTkSuQmCC';
