// The account's profile: the known fields, then every custom column the workbook carried.
import type { Profile } from '../api/bindings/Profile';
import { currencyOf } from '../components/AccountTable';
import { EmptyState } from '../components/States';
import { formatDate, formatMoney, formatNumber } from '../lib/format';
import { citedProps, useCitedAnchor } from './cited';

export function profileFields(profile: Profile): { key: string; label: string; value: string }[] {
  const known: [string, string, string | undefined][] = [
    ['industry', 'Industry', profile.industry],
    ['region', 'Region', profile.region],
    ['segment', 'Segment', profile.segment],
    ['arr', 'ARR', profile.arr == null ? undefined : formatMoney(profile.arr, currencyOf(profile))],
    ['contract_start', 'Contract start', profile.contract_start && formatDate(profile.contract_start)],
    ['renewal_date', 'Renewal date', profile.renewal_date && formatDate(profile.renewal_date)],
    ['owner', 'Owner', profile.owner],
    ['employees', 'Employees', profile.employees == null ? undefined : formatNumber(profile.employees, 0)],
    ['website', 'Website', profile.website],
    ['notes', 'Notes', profile.notes],
  ];
  return known
    .filter((f): f is [string, string, string] => f[2] != null && f[2] !== '')
    .map(([key, label, value]) => ({ key, label, value }));
}

export function ProfileSection({ profile }: { profile: Profile }) {
  const anchor = useCitedAnchor();
  const fields = profileFields(profile);
  const custom = Object.entries(profile.custom ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (fields.length === 0 && custom.length === 0) {
    return <EmptyState title="No profile yet">Drop a customer-profile workbook to fill in industry, ARR, renewal and more.</EmptyState>;
  }
  return (
    <dl className="profile">
      {fields.map((f) => (
        <div key={f.label} className="profile__field" data-testid="profile-field" data-field={f.label} {...citedProps(anchor, `$.profile.${f.key}`)}>
          <dt>{f.label}</dt>
          <dd className={f.label === 'Notes' ? 'profile__notes' : undefined}>{f.value}</dd>
        </div>
      ))}
      {custom.length > 0 && <div className="profile__divider">Custom fields</div>}
      {custom.map(([k, v]) => (
        <div key={`custom-${k}`} className="profile__field" data-testid="profile-custom-field" data-field={k} {...citedProps(anchor, `$.profile.custom."${k}"`)}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
