import { describe, expect, it } from 'vitest';
import { isTypingTarget, navigate } from './keyboard';

describe('table keyboard navigation', () => {
  const closed = (selected: number) => ({ selected, panelOpen: false });
  const open = (selected: number) => ({ selected, panelOpen: true });

  it('↓ from nothing selects the first row; ↑/↓ move by one and stop at the ends', () => {
    expect(navigate(closed(-1), 'ArrowDown', 5)).toEqual(closed(0));
    expect(navigate(closed(2), 'ArrowDown', 5)).toEqual(closed(3));
    expect(navigate(closed(2), 'ArrowUp', 5)).toEqual(closed(1));
    expect(navigate(closed(4), 'ArrowDown', 5)).toBeNull();
    expect(navigate(closed(0), 'ArrowUp', 5)).toBeNull();
  });

  it('keeps the panel open while moving, so it follows the selection', () => {
    expect(navigate(open(1), 'ArrowDown', 5)).toEqual(open(2));
    expect(navigate(open(1), 'ArrowUp', 5)).toEqual(open(0));
  });

  it('Enter opens the selected row, and does nothing without a selection', () => {
    expect(navigate(closed(3), 'Enter', 5)).toEqual(open(3));
    expect(navigate(closed(-1), 'Enter', 5)).toBeNull();
  });

  it('Esc closes the panel and keeps the selection; with no panel it does nothing', () => {
    expect(navigate(open(3), 'Escape', 5)).toEqual(closed(3));
    expect(navigate(closed(3), 'Escape', 5)).toBeNull();
  });

  it('Home, End and page keys jump within the rows', () => {
    expect(navigate(closed(500), 'Home', 10_000)).toEqual(closed(0));
    expect(navigate(closed(0), 'End', 10_000)).toEqual(closed(9_999));
    expect(navigate(closed(5), 'PageDown', 10_000)).toEqual(closed(15));
    expect(navigate(closed(5), 'PageUp', 10_000)).toEqual(closed(0));
  });

  it('does nothing on an empty table', () => {
    expect(navigate(closed(-1), 'ArrowDown', 0)).toBeNull();
  });

  it('leaves keys typed in text fields to the field', () => {
    expect(isTypingTarget(document.createElement('input'))).toBe(true);
    expect(isTypingTarget(document.createElement('textarea'))).toBe(true);
    expect(isTypingTarget(document.createElement('div'))).toBe(false);
  });
});
