// Which screen is showing. A store rather than component state so the palette and shortcuts can switch it.
import type { AccountId } from '../api/commands';
import { createStore, useStore } from './store';

export type Screen = 'health' | 'imports' | 'playbooks' | 'activity' | 'settings';
export const SCREENS: readonly Screen[] = ['health', 'imports', 'playbooks', 'activity', 'settings'];

export const navStore = createStore<Screen>('health');
export const goTo = (screen: Screen) => navStore.set(screen);
export const useScreen = () => useStore(navStore);

/** An account whose panel should open on the Health tab (asked from outside it, e.g. the palette's Ask). */
export const panelRequestStore = createStore<{ id: AccountId; name: string } | null>(null);
export function openAccountPanel(id: AccountId, name: string) {
  goTo('health');
  panelRequestStore.set({ id, name });
}
