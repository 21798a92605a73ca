// A snapshot's type as a coloured badge; the text is the raw type so it matches logs and the CLI.
import { Camera, MessageCircleQuestion, Zap } from 'lucide-react';
import type { SnapshotType } from '../api/bindings/SnapshotType';
import { Tooltip } from './Tooltip';

const META: Record<SnapshotType, { icon: typeof Zap; help: string }> = {
  event_driven: { icon: Zap, help: 'Taken automatically after an import, a health update or a completed playbook' },
  manual: { icon: Camera, help: 'Taken when the account was opened or on request' },
  rag_auto: { icon: MessageCircleQuestion, help: 'Taken automatically to answer a question' },
};

export function SnapshotTypeBadge({ type, testId }: { type: SnapshotType; testId?: string }) {
  const meta = META[type] ?? META.manual;
  const Icon = meta.icon;
  return (
    <Tooltip content={meta.help}>
      <span className={`badge badge--${type}`} tabIndex={0}>
        <Icon size={11} aria-hidden="true" />
        <span data-testid={testId}>{type}</span>
      </span>
    </Tooltip>
  );
}
