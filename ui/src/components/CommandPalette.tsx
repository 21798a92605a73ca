// Ctrl+K: every screen and action one keystroke away. Type to filter, ↑/↓ to choose, Enter to run.
import * as RadixDialog from '@radix-ui/react-dialog';
import { Command } from 'lucide-react';
import { useState } from 'react';

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

function PaletteBody({ actions, onDone }: { actions: PaletteAction[]; onDone: () => void }) {
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const shown = filterActions(actions, text);
  const current = Math.min(active, Math.max(0, shown.length - 1));
  const run = (a: PaletteAction | undefined) => {
    if (!a) return;
    onDone();
    a.run();
  };
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
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  actions: PaletteAction[];
}) {
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="dialog-overlay" />
        <RadixDialog.Content className="palette" data-testid="command-palette" aria-describedby={undefined}>
          <RadixDialog.Title className="visually-hidden">Command palette</RadixDialog.Title>
          {open && <PaletteBody actions={actions} onDone={() => onOpenChange(false)} />}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}
