// "3 min ago", with the exact local time in a tooltip (and in the element's dateTime).
import { formatExact, formatRelative } from '../lib/format';
import { useNow } from '../lib/clock';
import { Tooltip } from './Tooltip';

export function RelativeTime({
  value,
  never = 'never',
  focusable = true,
}: {
  value: string | null | undefined;
  never?: string;
  /** False inside the account table, whose rows are walked with the arrow keys rather than Tab. */
  focusable?: boolean;
}) {
  const now = useNow();
  if (!value) return <span className="muted">{never}</span>;
  return (
    <Tooltip content={formatExact(value)}>
      <time dateTime={value} tabIndex={focusable ? 0 : undefined} aria-label={`${formatRelative(value, now)}, ${formatExact(value)}`}>
        {formatRelative(value, now)}
      </time>
    </Tooltip>
  );
}
