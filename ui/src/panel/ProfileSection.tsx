// The account's profile: the known fields, then every custom column the workbook carried.
import type { Profile } from '../api/bindings/Profile';
import { currencyOf } from '../components/AccountTable';
import { EmptyState } from '../components/States';
import { formatDate, formatMoney, formatNumber } from '../lib/format';

export function profileFields(profile: Profile): { label: string; value: string }[] {
  const known: [string, string | undefined][] = [
    ['Industry', profile.industry],
    ['Region', profile.region],
    ['Segment', profile.segment],
    ['ARR', profile.arr == null ? undefined : formatMoney(profile.arr, currencyOf(profile))],
    ['Contract start', profile.contract_start && formatDate(profile.contract_start)],
    ['Renewal date', profile.renewal_date && formatDate(profile.renewal_date)],
    ['Owner', profile.owner],
    ['Employees', profile.employees == null ? undefined : formatNumber(profile.employees, 0)],
    ['Website', profile.website],
    ['Notes', profile.notes],
  ];
  return known.filter((f): f is [string, string] => f[1] != null && f[1] !== '').map(([label, value]) => ({ label, value }));
}

export function ProfileSection({ profile }: { profile: Profile }) {
  const fields = profileFields(profile);
  const custom = Object.entries(profile.custom ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (fields.length === 0 && custom.length === 0) {
    return <EmptyState title="No profile yet">Drop a customer-profile workbook to fill in industry, ARR, renewal and more.</EmptyState>;
  }
  return (
    <dl className="profile">
      {fields.map((f) => (
        <div key={f.label} className="profile__field" data-testid="profile-field" data-field={f.label}>
          <dt>{f.label}</dt>
          <dd className={f.label === 'Notes' ? 'profile__notes' : undefined}>{f.value}</dd>
        </div>
      ))}
      {custom.length > 0 && <div className="profile__divider">Custom fields</div>}
      {custom.map(([k, v]) => (
        <div key={`custom-${k}`} className="profile__field" data-testid="profile-custom-field" data-field={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
