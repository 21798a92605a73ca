// Tauri events from the core: activity (snapshot created/skipped), import progress, and "data changed".
// Each one invalidates the queries it affects; activity also raises a toast and reaches listeners (the panel).
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { QueryClient } from '@tanstack/react-query';
import type { ActivityItem } from './bindings/ActivityItem';
import type { AskDelta } from './bindings/AskDelta';
import type { ImportProgress } from './bindings/ImportProgress';
import { invalidateData } from './queryClient';
import { createStore } from '../lib/store';
import { pushToast } from '../components/toastStore';
import { formatCountdown } from '../lib/format';

export const EVENT_ACTIVITY = 'tideline://activity';
export const EVENT_IMPORT_PROGRESS = 'tideline://import-progress';
export const EVENT_DATA_CHANGED = 'tideline://data-changed';
export const EVENT_ASK_DELTA = 'tideline://ask-delta';

let lastAskStream = 0;
/** A fresh id for one question's streamed reply. */
export function newAskStream(): number {
  lastAskStream += 1;
  return lastAskStream;
}

/** Hands `onText` each piece of the local model's reply streamed under `stream`; resolves to an unsubscribe.
 * Outside Tauri nothing streams. */
export async function listenAskDelta(stream: number, onText: (text: string) => void): Promise<() => void> {
  try {
    return await listen<AskDelta>(EVENT_ASK_DELTA, (e) => {
      if (e.payload.stream === stream) onText(e.payload.text);
    });
  } catch {
    return () => {};
  }
}

/** The latest progress report of the import in flight (null when none). */
export const importProgressStore = createStore<ImportProgress | null>(null);

type ActivityListener = (item: ActivityItem) => void;
const activityListeners = new Set<ActivityListener>();

export function onActivity(listener: ActivityListener): () => void {
  activityListeners.add(listener);
  return () => activityListeners.delete(listener);
}

export function activityToast(item: ActivityItem): { title: string; description: string; tone: 'success' | 'info' } {
  if (item.outcome === 'created' && item.snapshot_id != null) {
    return {
      title: `Snapshot ${String(item.snapshot_id)} created`,
      description: `${item.account_name} · ${item.trigger_event}`,
      tone: 'success',
    };
  }
  const remaining = item.cooldown_remaining_seconds;
  return {
    title: `Snapshot skipped for ${item.account_name}`,
    description:
      remaining != null ? `Cooldown: ${formatCountdown(remaining)} remaining · ${item.trigger_event}` : item.trigger_event,
    tone: 'info',
  };
}

export function handleActivity(client: QueryClient, item: ActivityItem): void {
  if (item.outcome !== 'pending') pushToast(activityToast(item));
  for (const l of [...activityListeners]) l(item);
  void invalidateData(client);
}

/** Subscribes to the core's events; resolves to a function that unsubscribes. Outside Tauri it does nothing. */
export async function startEventBridge(client: QueryClient): Promise<() => void> {
  const unlisten: UnlistenFn[] = [];
  try {
    unlisten.push(
      await listen<ActivityItem>(EVENT_ACTIVITY, (e) => handleActivity(client, e.payload)),
      await listen<ImportProgress>(EVENT_IMPORT_PROGRESS, (e) => {
        importProgressStore.set(e.payload.stage === 'done' ? null : e.payload);
      }),
      await listen(EVENT_DATA_CHANGED, () => void invalidateData(client)),
    );
  } catch (err) {
    console.warn('Tauri events are unavailable (not running inside the app?)', err);
  }
  return () => unlisten.forEach((u) => u());
}
