// The Health tab's account table: TanStack Table for columns and sort state, TanStack Virtual for rows,
// so 10,000 accounts scroll smoothly. Rows not fetched yet show as skeletons until their page arrives.
import {
  createColumnHelper,
  flexRender,
  getCoreRowModel,
  useReactTable,
  type Row,
  type SortingState,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { ArrowDown, ArrowUp, ArrowUpDown } from 'lucide-react';
import { memo, useCallback, useEffect, useRef } from 'react';
import type { AccountRow } from '../api/bindings/AccountRow';
import type { AccountSort } from '../api/bindings/AccountSort';
import type { Profile } from '../api/bindings/Profile';
import { formatDate, formatMoney } from '../lib/format';
import { ScoreWithBand } from './BandBadge';
import { Sparkline } from './charts/Sparkline';
import { rowFrom } from './accountPages';
import { ScrollingContext } from './charts/scrolling';
import { RelativeTime } from './RelativeTime';

export const ROW_HEIGHT = 40;

type Cell = AccountRow | undefined;
const column = createColumnHelper<Cell>();

/** ARR's currency: a `Currency` custom field when the profile has one, else US dollars. */
export function currencyOf(profile: Profile): string {
  const custom = profile.custom ?? {};
  const key = Object.keys(custom).find((k) => k.trim().toLowerCase() === 'currency');
  const value = key ? custom[key]?.trim().toUpperCase() : undefined;
  return value && /^[A-Z]{3}$/.test(value) ? value : 'USD';
}

const SORTABLE: Record<string, AccountSort> = {
  name: 'name',
  health: 'health',
  arr: 'arr',
  renewal: 'renewal',
  owner: 'owner',
  last_snapshot: 'last_snapshot',
};

export function sortFromState(sorting: SortingState): { sort?: AccountSort; descending?: boolean } {
  const s = sorting[0];
  const sort = s ? SORTABLE[s.id] : undefined;
  return sort ? { sort, descending: s?.desc ?? false } : {};
}

const columns = [
  column.accessor((r) => r?.name ?? null, {
    id: 'name',
    header: 'Account',
    cell: ({ row }) => (
      <span className="account-name truncate" data-testid="account-name">
        {row.original?.name}
      </span>
    ),
  }),
  column.accessor((r) => r?.health_score ?? null, {
    id: 'health',
    header: 'Health',
    sortDescFirst: true,
    meta: { numeric: true },
    cell: ({ row }) =>
      row.original && (
        <span data-testid="account-score">
          <ScoreWithBand score={row.original.health_score} band={row.original.band} />
        </span>
      ),
  }),
  column.display({
    id: 'trend',
    header: 'Trend',
    enableSorting: false,
    cell: ({ row }) => row.original && <Sparkline values={row.original.trend} band={row.original.band} />,
  }),
  column.accessor((r) => r?.profile.arr ?? null, {
    id: 'arr',
    header: 'ARR',
    sortDescFirst: true,
    meta: { numeric: true },
    cell: ({ row }) => row.original && formatMoney(row.original.profile.arr, currencyOf(row.original.profile)),
  }),
  column.accessor((r) => r?.profile.renewal_date ?? null, {
    id: 'renewal',
    header: 'Renewal',
    cell: ({ row }) => row.original && formatDate(row.original.profile.renewal_date),
  }),
  column.accessor((r) => r?.profile.owner ?? null, {
    id: 'owner',
    header: 'Owner',
    cell: ({ row }) => row.original && <span className="truncate">{row.original.profile.owner ?? '—'}</span>,
  }),
  column.accessor((r) => r?.last_snapshot_at ?? null, {
    id: 'last_snapshot',
    header: 'Last snapshot',
    sortDescFirst: true,
    cell: ({ row }) => row.original && <RelativeTime value={row.original.last_snapshot_at} focusable={false} />,
  }),
];

const WIDTHS: Record<string, string> = {
  name: 'auto',
  health: '172px',
  trend: '104px',
  arr: '120px',
  renewal: '118px',
  owner: '140px',
  last_snapshot: '136px',
};

export interface AccountTableProps {
  total: number;
  /** Loaded pages of rows (see accountPages.ts); rows not loaded yet show as skeletons. */
  pages: Map<number, AccountRow[]>;
  sorting: SortingState;
  onSortingChange: (sorting: SortingState) => void;
  selectedIndex: number;
  selectedId: AccountRow['id'] | null;
  onRowClick: (index: number, row: AccountRow) => void;
  onRangeChange: (start: number, end: number) => void;
}

const isNumeric = (id: string) => id === 'health' || id === 'arr';

interface RowProps {
  row: Row<Cell>;
  index: number;
  selected: boolean;
  onClick: (index: number, account: AccountRow) => void;
}

/**
 * One row, memoised on the account itself (a stable object from the query cache), so scrolling renders only
 * the rows that come into view. Cells read nothing but `row.original`, so a newer Row wrapper changes nothing.
 */
const AccountTableRow = memo(function AccountTableRow({
  row,
  index,
  selected,
  onClick,
}: RowProps) {
  const account = row.original;
  if (!account) {
    return (
      <tr className="table-row table-row--pending" style={{ height: ROW_HEIGHT }}>
        {columns.map((c) => (
          <td key={c.id}>
            <span className="skeleton" />
          </td>
        ))}
      </tr>
    );
  }
  return (
    <tr
      id={`account-row-${String(account.id)}`}
      className="table-row"
      style={{ height: ROW_HEIGHT }}
      data-testid="account-row"
      data-account-id={String(account.id)}
      data-account-name={account.name}
      data-index={index}
      aria-selected={selected}
      onClick={() => onClick(index, account)}
    >
      {row.getVisibleCells().map((cell) => (
        <td key={cell.id} className={isNumeric(cell.column.id) ? 'num' : undefined}>
          {flexRender(cell.column.columnDef.cell, cell.getContext())}
        </td>
      ))}
    </tr>
  );
}, sameRow);

function sameRow(a: RowProps, b: RowProps): boolean {
  return a.row.original === b.row.original && a.index === b.index && a.selected === b.selected && a.onClick === b.onClick;
}

export function AccountTable({
  total,
  pages,
  sorting,
  onSortingChange,
  selectedIndex,
  selectedId,
  onRowClick,
  onRangeChange,
}: AccountTableProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // TanStack Virtual/Table return fresh functions each render by design; the React Compiler skips this component.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    initialRect: { width: 1000, height: 600 },
    onChange: (v) => {
      const visible = v.getVirtualItems();
      if (visible.length) onRangeChange(visible[0]!.index, visible[visible.length - 1]!.index);
    },
  });
  const items = virtualizer.getVirtualItems();
  // The table holds only the rows in view (the core already sorted and paged them): cheap on every scroll.
  const data: Cell[] = items.map((item) => rowFrom(pages, item.index));

  const table = useReactTable({
    data,
    columns,
    state: { sorting },
    // The core sorts and pages. Without these the table would reset its page index whenever its rows
    // change, which re-renders, which changes the rows… (an endless update loop).
    manualSorting: true,
    manualPagination: true,
    autoResetPageIndex: false,
    autoResetExpanded: false,
    enableSortingRemoval: false,
    onSortingChange: (updater) => onSortingChange(typeof updater === 'function' ? updater(sorting) : updater),
    getCoreRowModel: getCoreRowModel(),
  });

  // Rows are memoised: give them one click handler that always calls the latest prop.
  const clickRef = useRef(onRowClick);
  useEffect(() => {
    clickRef.current = onRowClick;
  });
  const handleClick = useCallback((index: number, account: AccountRow) => clickRef.current(index, account), []);

  useEffect(() => {
    if (selectedIndex >= 0 && selectedIndex < total) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, total, virtualizer]);

  const rows = table.getRowModel().rows;
  const padTop = items.length ? items[0]!.start : 0;
  const padBottom = items.length ? virtualizer.getTotalSize() - items[items.length - 1]!.end : 0;

  return (
    <div
      ref={scrollRef}
      className="account-table"
      data-testid="account-table"
      tabIndex={0}
      role="region"
      aria-label={`Accounts, ${total} rows. Use up and down arrows to move, Enter to open.`}
    >
      <table className="table">
        <colgroup>
          {table.getAllLeafColumns().map((c) => (
            <col key={c.id} style={{ width: WIDTHS[c.id] }} />
          ))}
        </colgroup>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const sorted = header.column.getIsSorted();
                const label = flexRender(header.column.columnDef.header, header.getContext());
                return (
                  <th
                    key={header.id}
                    className={isNumeric(header.id) ? 'num' : undefined}
                    aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
                  >
                    {header.column.getCanSort() ? (
                      <button
                        type="button"
                        className="th-sort"
                        data-testid={`sort-${header.id}`}
                        onClick={header.column.getToggleSortingHandler()}
                      >
                        {label}
                        {sorted === 'asc' ? (
                          <ArrowUp size={12} aria-hidden="true" />
                        ) : sorted === 'desc' ? (
                          <ArrowDown size={12} aria-hidden="true" />
                        ) : (
                          <ArrowUpDown size={12} aria-hidden="true" className="th-sort__idle" />
                        )}
                      </button>
                    ) : (
                      label
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <ScrollingContext.Provider value={virtualizer.isScrolling}>
          <tbody>
            {padTop > 0 && (
              <tr aria-hidden="true" className="spacer-row">
                <td colSpan={columns.length} style={{ height: padTop }} />
              </tr>
            )}
            {items.map((item, k) => {
              const row = rows[k];
              if (!row) return null;
              const account = row.original;
              const selected = account
                ? selectedId != null
                  ? account.id === selectedId
                  : item.index === selectedIndex
                : false;
              return (
                <AccountTableRow
                  key={account ? String(account.id) : `pending-${item.index}`}
                  row={row}
                  index={item.index}
                  selected={selected}
                  onClick={handleClick}
                />
              );
            })}
            {padBottom > 0 && (
              <tr aria-hidden="true" className="spacer-row">
                <td colSpan={columns.length} style={{ height: padBottom }} />
              </tr>
            )}
          </tbody>
        </ScrollingContext.Provider>
      </table>
    </div>
  );
}
