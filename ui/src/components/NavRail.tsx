// The left navigation rail: the five screens, with counts where they help.
import { Activity, FileSpreadsheet, HeartPulse, ListChecks, Settings, Waves } from 'lucide-react';
import { formatNumber } from '../lib/format';
import { goTo, type Screen } from '../lib/nav';

const ITEMS: { screen: Screen; label: string; icon: typeof Activity }[] = [
  { screen: 'health', label: 'Health', icon: HeartPulse },
  { screen: 'imports', label: 'Imports', icon: FileSpreadsheet },
  { screen: 'playbooks', label: 'Playbooks', icon: ListChecks },
  { screen: 'activity', label: 'Activity', icon: Activity },
  { screen: 'settings', label: 'Settings', icon: Settings },
];

export function NavRail({ current, counts }: { current: Screen; counts: Partial<Record<Screen, number>> }) {
  return (
    <nav className="rail" aria-label="Main">
      <div className="rail__brand">
        <Waves size={18} aria-hidden="true" />
        Tideline
      </div>
      {ITEMS.map(({ screen, label, icon: Icon }) => {
        const count = counts[screen];
        return (
          <button
            key={screen}
            type="button"
            className="rail__item"
            data-testid={`nav-${screen}`}
            aria-current={current === screen ? 'page' : undefined}
            onClick={() => goTo(screen)}
          >
            <Icon size={16} aria-hidden="true" />
            {label}
            {count != null && count > 0 && (
              <span className="rail__count" aria-label={`${count}`}>
                {formatNumber(count, 0)}
              </span>
            )}
          </button>
        );
      })}
      <div className="rail__footer">
        <kbd>Ctrl</kbd> <kbd>K</kbd> commands
      </div>
    </nav>
  );
}
