// The full-window overlay while files are dragged over the window; a drop hands the paths to the import flow.
import { getCurrentWebview } from '@tauri-apps/api/webview';
import { FileUp } from 'lucide-react';
import { useEffect, useState } from 'react';
import { handleDroppedPaths } from '../imports/dropFlow';

export function DropOverlay() {
  const [active, setActive] = useState(false);

  useEffect(() => {
    let unlisten: (() => void) | null = null;
    let disposed = false;
    try {
      getCurrentWebview()
        .onDragDropEvent((event) => {
          const p = event.payload;
          if (p.type === 'enter' || p.type === 'over') setActive(true);
          else if (p.type === 'leave') setActive(false);
          else if (p.type === 'drop') {
            setActive(false);
            void handleDroppedPaths(p.paths);
          }
        })
        .then((fn) => {
          if (disposed) fn();
          else unlisten = fn;
        })
        .catch((err: unknown) => console.warn('drag and drop unavailable', err));
    } catch (err) {
      // Outside the Tauri window (plain browser, unit tests) there is no webview to listen to.
      console.warn('drag and drop unavailable', err);
    }
    return () => {
      disposed = true;
      unlisten?.();
    };
  }, []);

  if (!active) return null;
  return (
    <div className="drop-overlay" role="presentation">
      <div className="drop-overlay__box">
        <FileUp size={40} aria-hidden="true" />
        <div className="drop-overlay__title">Drop KPI or profile workbooks</div>
        <div className="muted">.xlsx, .xlsm, .xlsb, .xls or .ods — each file is previewed before anything is imported</div>
      </div>
    </div>
  );
}
