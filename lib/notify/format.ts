import type { Notification } from './notification';

/** How a notification is written: our JSON, or the `{"text"}` that Slack's and Teams' incoming webhooks take. */
export type NotifyFormat = 'json' | 'slack' | 'teams';

/** Every format, for the flag's check. */
export const NOTIFY_FORMATS: readonly NotifyFormat[] = ['json', 'slack', 'teams'];

const ICON: Record<Notification['event'], string> = {
  'waiting-for-window': ':hourglass:',
  'move-failed': ':x:',
  'outage-begun': ':warning:',
  'outage-ended': ':white_check_mark:',
  'outage-limit': ':rotating_light:',
  'run-finished': ':checkered_flag:',
};

/** The body to send. Pure. */
export function bodyOf(n: Notification, format: NotifyFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(n);
    case 'slack':
      return JSON.stringify({ text: `${ICON[n.event]} *manila-placement* ${n.event}: ${n.text}` });
    case 'teams':
      // A Teams incoming webhook (connector) takes a plain `text`; markdown works there too.
      return JSON.stringify({ text: `**manila-placement** ${n.event}: ${n.text}` });
  }
}
