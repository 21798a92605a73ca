// The account drawer over the Health tab: the snapshot context and everything in it (health by category,
// KPIs vs target, profile, playbooks, trend, timeline and diff), plus the Ask box. Ctrl+S takes a snapshot.
import type { AskClaim } from '../api/bindings/AskClaim';
import { useQuery } from '@tanstack/react-query';
import { ArrowLeft, X } from 'lucide-react';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { SnapshotContent } from '../api/bindings/SnapshotContent';
import { commands, type AccountId, type SnapshotId } from '../api/commands';
import { keys } from '../api/queryClient';
import { RelativeTime } from '../components/RelativeTime';
import { SnapshotTypeBadge } from '../components/SnapshotTypeBadge';
import { ErrorState, Skeleton } from '../components/States';
import { PanelExport } from '../data/PanelExport';
import type { Thresholds } from '../lib/bands';
import { AskBox } from '../panel/AskBox';
import { CitedAnchor, citedAnchor, citedProps, readPath } from '../panel/cited';
import { DiffView } from '../panel/DiffView';
import { HealthSection } from '../panel/HealthSection';
import { KpiSection } from '../panel/KpiSection';
import { PlaybookSection } from '../panel/PlaybookSection';
import { ProfileSection } from '../panel/ProfileSection';
import { useInert } from '../panel/Settling';
import { SnapshotContext } from '../panel/SnapshotContext';
import { Timeline, togglePick } from '../panel/Timeline';
import { TrendSection } from '../panel/TrendSection';
import { useSnapshotOpen } from '../panel/useSnapshotOpen';

/** The account the panel shows; Health owns the selection, the panel defines its shape. */
export interface PanelTarget {
  id: AccountId;
  name: string;
  /** Increases with every opening, so each one is a fresh "click" (open_account). */
  opening: number;
}

function Section({ title, children, id }: { title: string; children: ReactNode; id: string }) {
  return (
    <section className="panel__section" aria-labelledby={id}>
      <h3 id={id} className="panel__section-title">
        {title}
      </h3>
      {children}
    </section>
  );
}

/** A cited value as text: strings as they are, anything else as JSON. */
function citedText(value: unknown): string {
  if (value === undefined) return 'not in this snapshot';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function ContentSections({ content, cited }: { content: SnapshotContent; cited: AskClaim | null }) {
  const anchor = cited ? citedAnchor(cited.path) : null;
  return (
    <CitedAnchor.Provider value={anchor}>
      {cited && anchor == null && (
        <Section title="Cited field" id="panel-cited">
          <p className="cited-field" data-path={cited.path} data-cited="true">
            <code>{cited.path}</code> <mark>{citedText(readPath(content, cited.path))}</mark>
          </p>
        </Section>
      )}
      {content.changes.lines.length > 0 && (
        <Section title="What changed" id="panel-changes">
          <ul className="change-lines">
            {content.changes.lines.map((line, i) => (
              <li key={i} {...citedProps(anchor, `$.changes.lines[${i}]`)}>
                {line}
              </li>
            ))}
          </ul>
          {content.changes.previous_snapshot_id != null && (
            <p className="muted small">Compared with snapshot #{String(content.changes.previous_snapshot_id)}</p>
          )}
        </Section>
      )}
      <Section title="Health by category" id="panel-health">
        <HealthSection health={content.health} />
      </Section>
      <Section title="KPIs vs target" id="panel-kpis">
        <KpiSection kpis={content.kpis} />
      </Section>
      <Section title="Profile" id="panel-profile">
        <ProfileSection profile={content.profile} />
      </Section>
    </CitedAnchor.Provider>
  );
}

export function AccountPanel({
  target,
  thresholds,
  onClose,
}: {
  target: PanelTarget;
  thresholds: Thresholds;
  onClose: () => void;
}) {
  const { open, takeNow, taking, extraChanges, cooldownLeft, now } = useSnapshotOpen(target.id, target.opening);
  const [viewing, setViewing] = useState<SnapshotId | null>(null);
  // The field an Ask citation points at: the snapshot it names is shown with that field marked.
  const [cited, setCited] = useState<AskClaim | null>(null);
  const body = useRef<HTMLDivElement>(null);
  const [picked, setPicked] = useState<SnapshotId[]>([]);
  // The panel stays mounted from one account to the next (↑/↓ updates its elements in place rather than
  // building new ones, which WebKit keeps memory for): what was chosen for one account starts over for the next.
  const [stateOf, setStateOf] = useState(target.id);
  if (stateOf !== target.id) {
    setStateOf(target.id);
    setViewing(null);
    setCited(null);
    setPicked([]);
  }
  // While the next account loads, the previous one stays on screen (dimmed, marked busy) instead of a skeleton.
  const switching = open.isPlaceholderData;
  const past = useQuery({
    queryKey: keys.snapshot(viewing),
    queryFn: () => commands.getSnapshot(viewing as SnapshotId),
    enabled: viewing != null,
    staleTime: Infinity,
  });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 's') {
        e.preventDefault();
        takeNow();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [takeNow]);

  const shown = open.data?.snapshot;
  // Nothing in the body acts while it still shows the previous account; the Ask box and export already apply to
  // the account moved to, even before it is on screen.
  useInert(body, switching);
  const acting = switching ? target.name : (shown?.account_name ?? target.name);
  const showingPast = viewing != null && viewing !== shown?.id;
  const content = showingPast ? past.data?.content : shown?.content;
  const contentId = showingPast ? past.data?.id : shown?.id;
  const citedHere = cited && contentId != null && String(contentId) === String(cited.snapshot_id) ? cited : null;

  // Bring the marked field into view once the cited snapshot is on screen.
  useEffect(() => {
    if (!citedHere) return;
    const el = body.current?.querySelector('[data-cited="true"]');
    el?.scrollIntoView?.({ block: 'center' });
  }, [citedHere, content]);

  return (
    <aside
      className="panel"
      data-testid="account-panel"
      aria-label={`Account ${target.name}`}
      data-account-id={String(target.id)}
      aria-busy={switching || undefined}
    >
      <header className="panel__header">
        <h2 className="panel__title truncate" data-testid="panel-account-name">
          {shown?.account_name ?? target.name}
        </h2>
        <span className="muted small panel__keys" aria-hidden="true">
          <kbd>↑</kbd>
          <kbd>↓</kbd> accounts · <kbd>Esc</kbd> close
        </span>
        <button type="button" className="icon-btn" data-testid="panel-close" aria-label="Close panel (Esc)" onClick={onClose}>
          <X size={16} aria-hidden="true" />
        </button>
      </header>

      <div className="panel__body" ref={body}>
        {open.isPending ? (
          <Skeleton lines={6} />
        ) : open.error ? (
          <ErrorState error={open.error} title="The account could not be opened" onRetry={() => void open.refetch()} />
        ) : (
          <SnapshotContext
            data={open.data}
            extraChanges={extraChanges}
            cooldownLeft={cooldownLeft}
            now={now}
            onTake={takeNow}
            taking={taking}
          />
        )}

        {!open.isPending && !open.error && (
          <PanelExport
            accountId={target.id}
            accountName={acting}
            snapshotId={switching ? null : showingPast ? (past.data?.id ?? null) : (shown?.id ?? null)}
            previousId={content?.changes.previous_snapshot_id ?? null}
          />
        )}

        {cited && (
          <div className="ask-cited" role="status" data-testid="ask-cited">
            Cited from snapshot #{String(cited.snapshot_id)}: <code>{cited.path}</code>
            {!citedHere && <span className="muted"> (loading…)</span>}
            <div className="spacer" />
            <button type="button" className="btn btn--small" onClick={() => setCited(null)}>
              Dismiss
            </button>
          </div>
        )}

        {showingPast && (
          <div className="viewing-past" role="status">
            {past.data ? (
              <>
                Viewing snapshot #{String(past.data.id)} <SnapshotTypeBadge type={past.data.snapshot_type} /> from{' '}
                <RelativeTime value={past.data.created_at} />
              </>
            ) : (
              'Loading snapshot…'
            )}
            <div className="spacer" />
            <button type="button" className="btn btn--small" onClick={() => {
                setViewing(null);
                setCited(null);
              }}
            >
              <ArrowLeft size={12} aria-hidden="true" />
              Back to latest
            </button>
          </div>
        )}

        {showingPast && past.error ? (
          <ErrorState error={past.error} title="The snapshot could not be loaded" onRetry={() => void past.refetch()} />
        ) : content ? (
          <ContentSections content={content} cited={citedHere} />
        ) : (
          (open.isPending || (showingPast && past.isPending)) && <Skeleton lines={8} />
        )}

        <Section title="Playbooks" id="panel-playbooks">
          <PlaybookSection accountId={target.id} />
        </Section>
        <Section title="Health trend" id="panel-trend">
          <TrendSection accountId={target.id} thresholds={thresholds} />
        </Section>
        <Section title="Snapshots" id="panel-timeline">
          {picked.length === 2 && <DiffView pair={[picked[0]!, picked[1]!]} onClose={() => setPicked([])} />}
          <Timeline
            accountId={target.id}
            ready={!open.isPending && !switching}
            viewing={viewing}
            shownId={shown?.id ?? null}
            picked={picked}
            onView={(id) => {
              setViewing(id === shown?.id ? null : id);
              setCited(null);
            }}
            onPick={(id) => setPicked((p) => togglePick(p, id))}
          />
        </Section>
      </div>

      <footer className="panel__footer">
        <AskBox accountId={target.id} accountName={acting} snapshot={switching ? null : shown}
          onCite={(c) => {
            const id = c.snapshot_id as unknown as SnapshotId;
            setViewing(id === shown?.id ? null : id);
            setCited(c);
          }}
        />
      </footer>
    </aside>
  );
}
