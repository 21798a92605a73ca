// The Health table's keyboard model as a pure function, so it can be tested without a DOM:
// ↑/↓ move the selection (and the open panel follows), Enter opens the panel, Esc closes it.

export interface TableNavState {
  /** Index of the selected row, or -1 for none. */
  selected: number;
  panelOpen: boolean;
}

export type NavKey = 'ArrowUp' | 'ArrowDown' | 'Home' | 'End' | 'PageUp' | 'PageDown' | 'Enter' | 'Escape';

const PAGE = 10;

export function isNavKey(key: string): key is NavKey {
  return ['ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown', 'Enter', 'Escape'].includes(key);
}

/** The next state after a key, or null when the key does nothing here (so the event is left alone). */
export function navigate(state: TableNavState, key: NavKey, total: number): TableNavState | null {
  if (total <= 0) return key === 'Escape' && state.panelOpen ? { selected: -1, panelOpen: false } : null;
  const last = total - 1;
  const clamp = (i: number) => Math.min(last, Math.max(0, i));
  const move = (to: number) => (to === state.selected ? null : { ...state, selected: to });
  switch (key) {
    case 'ArrowDown':
      return move(state.selected < 0 ? 0 : clamp(state.selected + 1));
    case 'ArrowUp':
      return move(state.selected < 0 ? 0 : clamp(state.selected - 1));
    case 'PageDown':
      return move(clamp(Math.max(state.selected, 0) + PAGE));
    case 'PageUp':
      return move(clamp(Math.max(state.selected, 0) - PAGE));
    case 'Home':
      return move(0);
    case 'End':
      return move(last);
    case 'Enter':
      if (state.selected < 0 || state.panelOpen) return null;
      return { ...state, panelOpen: true };
    case 'Escape':
      return state.panelOpen ? { ...state, panelOpen: false } : null;
  }
}

/** Keys typed into a text field belong to the field, not to the table. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
}
