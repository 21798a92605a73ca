// Which screen is showing. A store rather than component state so the palette and shortcuts can switch it.
import { createStore, useStore } from './store';

export type Screen = 'health' | 'imports' | 'playbooks' | 'activity' | 'settings';
export const SCREENS: readonly Screen[] = ['health', 'imports', 'playbooks', 'activity', 'settings'];

export const navStore = createStore<Screen>('health');
export const goTo = (screen: Screen) => navStore.set(screen);
export const useScreen = () => useStore(navStore);
