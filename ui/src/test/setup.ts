// jsdom lacks layout, canvas and ResizeObserver: give components what they need to render,
// and replace uPlot (canvas drawing) with a recorder so chart inputs can still be checked.
import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach, vi } from 'vitest';

vi.mock('uplot', () => {
  class FakeUPlot {
    static paths = { bars: () => () => null };
    static instances: FakeUPlot[] = [];
    constructor(
      public opts: unknown,
      public data: unknown,
      public target: HTMLElement,
    ) {
      FakeUPlot.instances.push(this);
    }
    setSize() {}
    setData(data: unknown) {
      this.data = data;
    }
    destroy() {}
  }
  return { default: FakeUPlot };
});

class ResizeObserverStub {
  observe() {}
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver ??= ResizeObserverStub as unknown as typeof ResizeObserver;

if (!window.matchMedia) {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addEventListener: () => {},
      removeEventListener: () => {},
      addListener: () => {},
      removeListener: () => {},
      dispatchEvent: () => false,
    }) as MediaQueryList;
}

// A viewport for the virtualised table: jsdom reports every element as 0×0.
for (const [prop, value] of [
  ['clientHeight', 600],
  ['clientWidth', 1000],
  ['offsetHeight', 600],
  ['offsetWidth', 1000],
] as const) {
  Object.defineProperty(HTMLElement.prototype, prop, { configurable: true, get: () => value });
}
Element.prototype.scrollTo ??= function scrollTo() {};
HTMLElement.prototype.scrollIntoView ??= function scrollIntoView() {};
HTMLElement.prototype.hasPointerCapture ??= () => false;
HTMLElement.prototype.releasePointerCapture ??= () => {};

afterEach(() => {
  cleanup();
  delete document.body.dataset.ready;
});
