// Ctrl+K: every screen and action one keystroke away. Type to filter, ↑/↓ to choose, Enter to run.
// Whatever is typed can also be asked ("Ask: …"): the palette then shows the answer in place.
import * as RadixDialog from '@radix-ui/react-dialog';
import { Command } from 'lucide-react';
import { useState, type ReactNode } from 'react';

export interface PaletteAction {
  id: string;
  label: string;
  hint?: string;
  run: () => void;
}

export function filterActions(actions: PaletteAction[], text: string): PaletteAction[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  return actions.filter((a) => words.every((w) => a.label.toLowerCase().includes(w)));
}

/** Shows the answer to a question typed in the palette; `close` closes the palette. */
export type RenderAsk = (question: string, close: () => void) => ReactNode;

function PaletteBody({ actions, onDone, renderAsk }: { actions: PaletteAction[]; onDone: () => void; renderAsk?: RenderAsk }) {
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const [asking, setAsking] = useState<string | null>(null);
  const question = text.trim();
  const shown = filterActions(actions, text);
  // Last, so Enter still runs a matching command; alone when nothing matches.
  if (renderAsk && question) shown.push({ id: 'ask', label: `Ask: ${question}`, run: () => setAsking(question) });
  const current = Math.min(active, Math.max(0, shown.length - 1));
  const run = (a: PaletteAction | undefined) => {
    if (!a) return;
    if (a.id !== 'ask') onDone();
    a.run();
  };
  if (asking != null && renderAsk) {
    return (
      <div className="palette__ask" data-testid="palette-ask">
        {renderAsk(asking, onDone)}
      </div>
    );
  }
  return (
    <>
      <div className="palette__search">
        <Command size={14} aria-hidden="true" />
        <input
          className="palette__input"
          autoFocus
          placeholder="Type a command"
          aria-label="Command"
          aria-controls="palette-list"
          aria-activedescendant={shown[current] ? `palette-${shown[current].id}` : undefined}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setActive(Math.min(current + 1, shown.length - 1));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive(Math.max(current - 1, 0));
            } else if (e.key === 'Enter') {
              e.preventDefault();
              run(shown[current]);
            }
          }}
        />
      </div>
      <ul id="palette-list" className="palette__list" role="listbox" aria-label="Commands">
        {shown.length === 0 && <li className="palette__empty muted">No command matches.</li>}
        {shown.map((a, i) => (
          <li
            key={a.id}
            id={`palette-${a.id}`}
            role="option"
            aria-selected={i === current}
            className="palette__item"
            onMouseEnter={() => setActive(i)}
            onClick={() => run(a)}
          >
            {a.label}
            {a.hint && <kbd className="palette__hint">{a.hint}</kbd>}
          </li>
        ))}
      </ul>
    </>
  );
}

export function CommandPalette({
  open,
  onOpenChange,
  actions,
  renderAsk,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  actions: PaletteAction[];
  renderAsk?: RenderAsk;
}) {
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="dialog-overlay" />
        <RadixDialog.Content className="palette" data-testid="command-palette" aria-describedby={undefined}>
          <RadixDialog.Title className="visually-hidden">Command palette</RadixDialog.Title>
          {open && <PaletteBody actions={actions} onDone={() => onOpenChange(false)} renderAsk={renderAsk} />}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}
