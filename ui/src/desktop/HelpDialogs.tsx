// Help → Keyboard shortcuts and Help → About, opened from the native menu (or the palette).
import { useQuery } from '@tanstack/react-query';
import { commands } from '../api/commands';
import { useOverview } from '../api/queries';
import { Dialog } from '../components/Dialog';
import { formatNumber } from '../lib/format';
import { useStore } from '../lib/store';
import { helpDialogStore } from './actions';

export const SHORTCUTS: readonly (readonly [string, string])[] = [
  ['Ctrl O', 'Choose a workbook to import'],
  ['Ctrl K', 'Command palette'],
  ['Ctrl 1 … 5', 'Health, Imports, Playbooks, Activity, Settings'],
  ['/', 'Search accounts (Health)'],
  ['↑ ↓', 'Move through accounts; the open panel follows'],
  ['Enter', 'Open the selected account'],
  ['Esc', 'Close the panel or dialog'],
  ['Ctrl S', 'Take a snapshot of the open account'],
  ['Ctrl Q', 'Quit'],
];

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${String(bytes)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${formatNumber(value, 1)} ${units[unit]}`;
}

function About() {
  const info = useQuery({ queryKey: ['app-info'], queryFn: commands.appInfo });
  const overview = useOverview();
  const rows: [string, string][] = [
    ['Version', info.data?.version ?? '…'],
    ['Data folder', info.data?.data_dir ?? overview.data?.data_dir ?? '…'],
    ['Database size', info.data ? formatBytes(info.data.database_bytes) : '…'],
    ['Accounts', overview.data ? formatNumber(overview.data.accounts, 0) : '…'],
    ['Snapshots', overview.data ? formatNumber(overview.data.snapshots_total, 0) : '…'],
  ];
  return (
    <dl className="about" data-testid="about">
      {rows.map(([k, v]) => (
        <div key={k} className="about__row">
          <dt className="muted">{k}</dt>
          <dd data-testid={`about-${k.toLowerCase().replace(/\s+/g, '-')}`}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function HelpDialogs() {
  const open = useStore(helpDialogStore);
  const close = (o: boolean) => {
    if (!o) helpDialogStore.set(null);
  };
  return (
    <>
      <Dialog open={open === 'about'} onOpenChange={close} title="About Tideline" testId="about-dialog">
        {open === 'about' && <About />}
      </Dialog>
      <Dialog open={open === 'shortcuts'} onOpenChange={close} title="Keyboard shortcuts" testId="shortcuts-dialog">
        <table className="shortcuts">
          <tbody>
            {SHORTCUTS.map(([keys, what]) => (
              <tr key={keys}>
                <td>
                  {keys.split(' ').map((k) => (
                    <kbd key={k}>{k}</kbd>
                  ))}
                </td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Dialog>
    </>
  );
}
