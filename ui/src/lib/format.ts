// How numbers, money and times read everywhere in the app: English wording, thousands separators,
// at most one decimal for percentages, relative times with the exact local time kept for tooltips.
const LOCALE = 'en-US';

const numberFormats = new Map<number, Intl.NumberFormat>();
function numberFormat(maxDecimals: number): Intl.NumberFormat {
  let f = numberFormats.get(maxDecimals);
  if (!f) {
    f = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: maxDecimals, minimumFractionDigits: 0 });
    numberFormats.set(maxDecimals, f);
  }
  return f;
}

export const DASH = '—';

/** 1234567.891 → "1,234,567.9" */
export function formatNumber(value: number | bigint | null | undefined, maxDecimals = 1): string {
  if (value == null) return DASH;
  const n = Number(value);
  if (!Number.isFinite(n)) return DASH;
  return numberFormat(maxDecimals).format(n);
}

/** A health score: always one decimal, e.g. 72.4. */
export function formatScore(score: number | null | undefined): string {
  if (score == null || !Number.isFinite(score)) return DASH;
  return (Math.round(score * 10) / 10).toFixed(1);
}

/** A value already in percent units: 12.345 → "12.3%", 40 → "40%". */
export function formatPercent(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return DASH;
  return `${numberFormat(1).format(value)}%`;
}

/** A fraction: 0.3 → "30%". */
export function formatShare(fraction: number | null | undefined): string {
  if (fraction == null || !Number.isFinite(fraction)) return DASH;
  return formatPercent(fraction * 100);
}

const ISO_CURRENCY = /^[A-Z]{3}$/;
// Building an Intl formatter is far slower than using one: keep one per currency.
const moneyFormats = new Map<string, Intl.NumberFormat | null>();
function moneyFormat(code: string): Intl.NumberFormat | null {
  if (!moneyFormats.has(code)) {
    let f: Intl.NumberFormat | null = null;
    try {
      f = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: code, maximumFractionDigits: 0, minimumFractionDigits: 0 });
    } catch {
      f = null;
    }
    moneyFormats.set(code, f);
  }
  return moneyFormats.get(code) ?? null;
}

/** Money with its currency and thousands separators, whole units: 1200000 → "$1,200,000". */
export function formatMoney(amount: number | null | undefined, currency = 'USD'): string {
  if (amount == null || !Number.isFinite(amount)) return DASH;
  const code = ISO_CURRENCY.test(currency.toUpperCase()) ? currency.toUpperCase() : 'USD';
  const f = moneyFormat(code);
  return f ? f.format(amount) : `${code} ${numberFormat(0).format(amount)}`;
}

/** A KPI value with its unit: "85%", "$1,200", "4.2 days". */
export function formatKpiValue(value: number | null | undefined, unit: string | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return DASH;
  const u = (unit ?? '').trim();
  if (u === '%' || u.toLowerCase() === 'percent') return formatPercent(value);
  if (u === '$' || u.toUpperCase() === 'USD') return formatMoney(value, 'USD');
  if (u === '€' || u.toUpperCase() === 'EUR') return formatMoney(value, 'EUR');
  if (u === '£' || u.toUpperCase() === 'GBP') return formatMoney(value, 'GBP');
  return u ? `${formatNumber(value)} ${u}` : formatNumber(value);
}

/** Seconds as a countdown: 192 → "3:12", 3723 → "1:02:03". */
export function formatCountdown(totalSeconds: number): string {
  const s = Math.max(0, Math.ceil(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}

/** A duration in milliseconds: 340 → "340 ms", 1234 → "1.2 s". */
export function formatDuration(ms: number | bigint): string {
  const n = Number(ms);
  if (!Number.isFinite(n)) return DASH;
  if (n < 1000) return `${Math.round(n)} ms`;
  if (n < 60_000) return `${numberFormat(1).format(n / 1000)} s`;
  return formatCountdown(n / 1000);
}

function parseTime(value: string | number | Date): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  return Date.parse(value);
}

/** "just now", "3 min ago", "2 h ago", "yesterday", "5 days ago", then a date; future times read "in 3 min". */
export function formatRelative(value: string | null | undefined, now: number = Date.now()): string {
  if (!value) return 'never';
  const t = parseTime(value);
  if (Number.isNaN(t)) return DASH;
  const diff = Math.round((now - t) / 1000);
  const future = diff < 0;
  const s = Math.abs(diff);
  const say = (text: string) => (future ? `in ${text}` : `${text} ago`);
  if (s < 45) return future ? 'in a moment' : 'just now';
  if (s < 90) return say('1 min');
  if (s < 3600) return say(`${Math.round(s / 60)} min`);
  if (s < 86_400) return say(`${Math.round(s / 3600)} h`);
  const days = Math.round(s / 86_400);
  if (days === 1) return future ? 'tomorrow' : 'yesterday';
  if (days < 30) return say(`${days} days`);
  return formatDate(new Date(t).toISOString().slice(0, 10));
}

const exactFormat = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'medium' });
const exactCache = new Map<string, string>();
/** The exact local time, for tooltips: "Mar 12, 2025, 10:02:13 AM". */
export function formatExact(value: string | null | undefined): string {
  if (!value) return DASH;
  let text = exactCache.get(value);
  if (text === undefined) {
    const t = parseTime(value);
    text = Number.isNaN(t) ? value : exactFormat.format(new Date(t));
    if (exactCache.size > 20_000) exactCache.clear();
    exactCache.set(value, text);
  }
  return text;
}

const dateFormat = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeZone: 'UTC' });
/** A calendar date (`YYYY-MM-DD`), read as the date it names whatever the time zone: "Mar 12, 2025". */
export function formatDate(value: string | null | undefined): string {
  if (!value) return DASH;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!m) return value;
  return dateFormat.format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
}

const monthFormat = new Intl.DateTimeFormat(LOCALE, { month: 'short', year: 'numeric', timeZone: 'UTC' });
/** A health period `YYYY-MM` → "Mar 2025". */
export function formatPeriod(period: string): string {
  const m = /^(\d{4})-(\d{2})/.exec(period);
  if (!m) return period;
  return monthFormat.format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)));
}

/** `YYYY-MM` (or a date) → Unix seconds at the start of that month, UTC (for chart axes). */
export function periodToSeconds(period: string): number | null {
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(period);
  if (!m) return null;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, m[3] ? Number(m[3]) : 1) / 1000;
}

/** "1 change" / "2 changes". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${formatNumber(count, 0)} ${count === 1 ? one : many}`;
}
