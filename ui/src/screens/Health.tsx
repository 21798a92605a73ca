// Home: summary cards, the score distribution, and the account table with search, sort and filters.
// ↑/↓ move through accounts, Enter opens the panel (which follows the selection), Esc closes it, / searches.
import { useMutation } from '@tanstack/react-query';
import type { SortingState } from '@tanstack/react-table';
import { Calculator, FileSpreadsheet, Search, Users } from 'lucide-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { AccountRow } from '../api/bindings/AccountRow';
import type { Overview } from '../api/bindings/Overview';
import { commands, type AccountId } from '../api/commands';
import { invalidateData } from '../api/queryClient';
import { AccountTable, sortFromState } from '../components/AccountTable';
import { samePages, useAccountPages, type TableQuery } from '../components/accountPages';
import { DistributionChart } from '../components/charts/DistributionChart';
import { FilterSelect } from '../components/FilterSelect';
import { EmptyState, ErrorState, Skeleton } from '../components/States';
import { AskPortfolio } from '../components/AskPortfolio';
import { SummaryCards } from '../components/SummaryCards';
import { pushToast } from '../components/toastStore';
import { exportTable } from '../data/actions';
import { bandLabel, isBand, type Thresholds } from '../lib/bands';
import { formatDuration, formatNumber, formatScore, plural } from '../lib/format';
import { isNavKey, isTypingTarget, navigate } from '../lib/keyboard';
import { panelRequestStore } from '../lib/nav';
import { useStore } from '../lib/store';
import { useDebounced } from '../lib/useDebounced';
import { AccountPanel, type PanelTarget } from './AccountPanel';

const BAND_OPTIONS = [
  { value: 'healthy', label: 'Healthy' },
  { value: 'at_risk', label: 'At risk' },
  { value: 'critical', label: 'Critical' },
  { value: 'unscored', label: 'Not scored' },
];

/** True while a modal dialog, menu or listbox is open: the keys belong to it. */
function overlayOpen(): boolean {
  return document.querySelector('[role="dialog"][data-state="open"], [role="listbox"], [role="menu"]') != null;
}

export function Health({ overview, thresholds }: { overview: Overview; thresholds: Thresholds }) {
  const [search, setSearch] = useState('');
  const debouncedSearch = useDebounced(search.trim(), 150);
  const [band, setBand] = useState('');
  const [owner, setOwner] = useState('');
  const [segment, setSegment] = useState('');
  const [sorting, setSorting] = useState<SortingState>([{ id: 'name', desc: false }]);
  const [range, setRange] = useState({ start: 0, end: 40 });
  const [selection, setSelection] = useState<{ index: number; id: AccountId | null }>({ index: -1, id: null });
  const [panel, setPanel] = useState<PanelTarget | null>(null);
  const openings = useRef(0);
  const wantedIndex = useRef(-1);
  const searchRef = useRef<HTMLInputElement>(null);
  const rootRef = useRef<HTMLDivElement>(null);

  const query = useMemo<TableQuery>(
    () => ({
      search: debouncedSearch || undefined,
      band: isBand(band) ? band : undefined,
      unscored: band === 'unscored' ? true : undefined,
      owner: owner || undefined,
      segment: segment || undefined,
      ...sortFromState(sorting),
    }),
    [debouncedSearch, band, owner, segment, sorting],
  );
  const pages = useAccountPages(query, range);
  const { total, rowAt, ensureRow } = pages;

  const openPanel = (id: AccountId, name: string) => {
    openings.current += 1;
    setPanel({ id, name, opening: openings.current });
  };
  const openRow = (row: AccountRow) => openPanel(row.id, row.name);

  // An account asked to open from outside the tab (the palette's Ask): taken once.
  const request = useStore(panelRequestStore);
  useEffect(() => {
    if (!request) return;
    panelRequestStore.set(null);
    openings.current += 1;
    setPanel({ id: request.id, name: request.name, opening: openings.current });
  }, [request]);

  const select = (index: number, open: boolean) => {
    wantedIndex.current = index;
    const row = rowAt(index);
    setSelection({ index, id: row?.id ?? null });
    if (row) {
      if (open) openRow(row);
      return;
    }
    // The row's page isn't loaded yet (e.g. End on 10,000 rows): fetch it, then follow if still wanted.
    void ensureRow(index).then((r) => {
      if (!r || wantedIndex.current !== index) return;
      setSelection({ index, id: r.id });
      if (open) openRow(r);
    });
  };

  const resetSelection = () => {
    wantedIndex.current = -1;
    setSelection({ index: -1, id: null });
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || overlayOpen()) return;
      const inSearch = e.target === searchRef.current;
      if (e.key === '/' && !isTypingTarget(e.target)) {
        e.preventDefault();
        searchRef.current?.focus();
        searchRef.current?.select();
        return;
      }
      if (!isNavKey(e.key)) return;
      if (e.key === 'Escape' && inSearch && !panel) {
        searchRef.current?.blur();
        rootRef.current?.querySelector<HTMLElement>('[data-testid="account-table"]')?.focus();
        return;
      }
      const fromSearch = inSearch && ['ArrowDown', 'ArrowUp', 'Enter'].includes(e.key);
      if (isTypingTarget(e.target) && !fromSearch && e.key !== 'Escape') return;
      const next = navigate({ selected: selection.index, panelOpen: panel != null }, e.key, total);
      if (!next) return;
      e.preventDefault();
      if (e.key === 'Escape') {
        setPanel(null);
        return;
      }
      // Enter opens the selected account; a move opens the new one only if the panel is already open.
      select(next.selected, next.panelOpen);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const calculate = useMutation({
    mutationFn: () => commands.calculateHealth(null),
    onSuccess: (r) => {
      pushToast({
        title: 'Health scores calculated',
        description: `${plural(r.accounts, 'account')}: ${formatNumber(r.created, 0)} new, ${formatNumber(r.updated, 0)} updated, ${formatNumber(r.unchanged, 0)} unchanged in ${formatDuration(r.duration_ms)}`,
        tone: 'success',
      });
      void invalidateData();
    },
    onError: (err) => {
      const e = err as unknown as { code?: string; message?: string };
      pushToast({ title: 'Health scores could not be calculated', description: `${e.message ?? ''} (${e.code ?? 'ui'})`, tone: 'error' });
    },
  });

  const filtered = Boolean(debouncedSearch || band || owner || segment);
  const selectedRow = selection.index >= 0 ? rowAt(selection.index) : undefined;
  const clearFilters = () => {
    setSearch('');
    setBand('');
    setOwner('');
    setSegment('');
    resetSelection();
  };

  return (
    <div className="health" ref={rootRef}>
      <div className="page__header">
        <h1>Health</h1>
        <div className="spacer" />
        <button type="button" className="btn" data-testid="export-table" onClick={() => void exportTable(query)}>
          <FileSpreadsheet size={14} aria-hidden="true" />
          Export…
        </button>
        <button
          type="button"
          className="btn"
          data-testid="calculate-health"
          onClick={() => calculate.mutate()}
          disabled={calculate.isPending}
        >
          <Calculator size={14} aria-hidden="true" />
          {calculate.isPending ? 'Calculating…' : 'Calculate health scores'}
        </button>
      </div>

      <div className="health__top">
        <SummaryCards overview={overview} />
        <section className="card health__distribution" aria-labelledby="distribution-title">
          <h3 id="distribution-title" className="section-title">
            Score distribution
          </h3>
          {overview.scored === 0 ? (
            <EmptyState title="No health scores yet">Import KPI data, then calculate health scores.</EmptyState>
          ) : (
            <DistributionChart counts={overview.distribution} bands={overview.distribution_bands} />
          )}
        </section>
      </div>

      <div className="toolbar" role="search">
        <label className="search">
          <Search size={14} aria-hidden="true" />
          <span className="visually-hidden">Search accounts</span>
          <input
            ref={searchRef}
            className="search__input"
            data-testid="account-search"
            type="search"
            placeholder="Search accounts"
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              resetSelection();
            }}
          />
          <kbd aria-hidden="true">/</kbd>
        </label>
        <FilterSelect
          label="Filter by band"
          allLabel="All bands"
          value={band}
          options={BAND_OPTIONS}
          testId="filter-band"
          onChange={(v) => {
            setBand(v);
            resetSelection();
          }}
        />
        <FilterSelect
          label="Filter by owner"
          allLabel="All owners"
          value={owner}
          options={overview.owners.map((o) => ({ value: o, label: o }))}
          testId="filter-owner"
          onChange={(v) => {
            setOwner(v);
            resetSelection();
          }}
        />
        <FilterSelect
          label="Filter by segment"
          allLabel="All segments"
          value={segment}
          options={overview.segments.map((s) => ({ value: s, label: s }))}
          testId="filter-segment"
          onChange={(v) => {
            setSegment(v);
            resetSelection();
          }}
        />
        <div className="spacer" />
        <span className="muted tabular" aria-live="polite">
          {pages.isPending ? 'Loading…' : `${plural(total, 'account')}${filtered ? ' match' : ''}`}
        </span>
      </div>

      <div className="health__table">
        {pages.error ? (
          <ErrorState error={pages.error} title="Accounts could not be loaded" onRetry={pages.refetch} />
        ) : pages.isPending ? (
          <div className="card">
            <Skeleton lines={8} width="100%" />
          </div>
        ) : total === 0 ? (
          <EmptyState
            icon={<Users size={16} aria-hidden="true" />}
            title={filtered ? 'No account matches' : 'No accounts yet'}
            actions={
              filtered ? (
                <button type="button" className="btn btn--small" onClick={clearFilters}>
                  Clear search and filters
                </button>
              ) : undefined
            }
          >
            {filtered ? 'Try a shorter search or fewer filters.' : 'Drop a profile or KPI workbook on the window to add accounts.'}
          </EmptyState>
        ) : (
          <AccountTable
            total={total}
            pages={pages.pages}
            sorting={sorting}
            onSortingChange={(s) => {
              setSorting(s);
              resetSelection();
            }}
            selectedIndex={selection.index}
            selectedId={selection.id}
            onRowClick={(index, row) => {
              wantedIndex.current = index;
              setSelection({ index, id: row.id });
              openRow(row);
            }}
            onRangeChange={(start, end) => setRange((r) => (samePages(r, start, end) ? r : { start, end }))}
          />
        )}
      </div>

      <AskPortfolio onOpenAccount={openPanel} />

      <div className="visually-hidden" aria-live="polite" data-testid="selection-announcer">
        {selectedRow ? `${selectedRow.name}, health ${formatScore(selectedRow.health_score)}${selectedRow.band ? ` ${bandLabel(selectedRow.band)}` : ''}` : ''}
      </div>

      {panel && <AccountPanel target={panel} thresholds={thresholds} onClose={() => setPanel(null)} />}
    </div>
  );
}
