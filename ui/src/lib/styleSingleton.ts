// A drop-in for `react-style-singleton` (used by Radix dialogs and menus to lock page scroll while open).
// The original adds a <style> tag at run time, which the app's CSP (style-src 'self') refuses; this puts the same
// rules into a constructed stylesheet instead, which CSP does not govern. Wired in by an alias in vite.config.ts.
import { useEffect } from 'react';

function canAdopt(): boolean {
  return (
    typeof document !== 'undefined' &&
    'adoptedStyleSheets' in document &&
    typeof CSSStyleSheet !== 'undefined' &&
    'replaceSync' in CSSStyleSheet.prototype
  );
}

export function stylesheetSingleton() {
  let counter = 0;
  let sheet: CSSStyleSheet | null = null;
  return {
    add(style: string) {
      if (counter === 0 && canAdopt()) {
        try {
          sheet = new CSSStyleSheet();
          sheet.replaceSync(style);
          document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
        } catch {
          sheet = null;
        }
      }
      counter++;
    },
    remove() {
      counter--;
      if (counter === 0 && sheet) {
        const done = sheet;
        document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== done);
        sheet = null;
      }
    },
  };
}

export function styleHookSingleton() {
  const sheet = stylesheetSingleton();
  return function useStyle(styles: string, isDynamic?: boolean) {
    // Like the original: styles are fixed at mount unless `dynamic` is set.
    const key = isDynamic ? styles : '';
    useEffect(() => {
      sheet.add(styles);
      return () => sheet.remove();
      // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [key]);
  };
}

export function styleSingleton() {
  const useStyle = styleHookSingleton();
  function Sheet({ styles, dynamic }: { styles: string; dynamic?: boolean }) {
    useStyle(styles, dynamic);
    return null;
  }
  return Sheet;
}
