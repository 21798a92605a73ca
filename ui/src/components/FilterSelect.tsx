// A compact filter menu (Radix dropdown with a radio group); '' means "no filter".
// (Radix Select is avoided on purpose: its viewport injects an inline <style>, which the strict CSP refuses.)
import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { Check, ChevronDown } from 'lucide-react';

const ALL = '__all__';

export interface FilterOption {
  value: string;
  label: string;
}

export function FilterSelect({
  label,
  allLabel,
  value,
  options,
  onChange,
  testId,
}: {
  label: string;
  allLabel: string;
  value: string;
  options: FilterOption[];
  onChange: (value: string) => void;
  testId?: string;
}) {
  const all = [{ value: ALL, label: allLabel }, ...options];
  const current = all.find((o) => o.value === (value === '' ? ALL : value)) ?? all[0]!;
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger className="select-trigger" aria-label={`${label}: ${current.label}`} data-testid={testId} data-active={value !== ''}>
        <span>{current.label}</span>
        <ChevronDown size={14} aria-hidden="true" />
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className="select-content" sideOffset={4} align="start">
          <DropdownMenu.RadioGroup value={current.value} onValueChange={(v) => onChange(v === ALL ? '' : v)}>
            {all.map((o) => (
              <DropdownMenu.RadioItem key={o.value} value={o.value} className="select-item">
                {o.label}
                <DropdownMenu.ItemIndicator className="select-item__check">
                  <Check size={12} aria-hidden="true" />
                </DropdownMenu.ItemIndicator>
              </DropdownMenu.RadioItem>
            ))}
          </DropdownMenu.RadioGroup>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
