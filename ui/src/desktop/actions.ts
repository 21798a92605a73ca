// What the native menu, the palette and the shortcuts do, as plain functions: each goes through the same commands
// the buttons use. The Rust side sends menu items as `tideline://menu` events carrying the item's id, and files
// handed to the app from outside (its command line, a second start, "Open with") as `tideline://open-files`.
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { commands } from '../api/commands';
import { toErrorPayload } from '../api/errors';
import { invalidateData, keys, queryClient } from '../api/queryClient';
import { pushToast } from '../components/toastStore';
import { chooseFiles, handleDroppedPaths } from '../imports/dropFlow';
import { formatNumber } from '../lib/format';
import { goTo, SCREENS, type Screen } from '../lib/nav';
import { createStore } from '../lib/store';
import { resolveTheme } from '../lib/theme';

export const EVENT_MENU = 'tideline://menu';
export const EVENT_OPEN_FILES = 'tideline://open-files';

/** Which of the Help dialogs is open. */
export const helpDialogStore = createStore<'about' | 'shortcuts' | null>(null);

export async function loadSampleData(): Promise<void> {
  try {
    const reports = await commands.loadSample();
    const rows = reports.reduce((n, r) => n + r.rows_imported, 0);
    pushToast({
      title: 'Sample data loaded',
      description: `${formatNumber(rows, 0)} rows from ${String(reports.length)} workbooks`,
      tone: 'success',
    });
    await invalidateData();
  } catch (err) {
    const e = toErrorPayload(err);
    pushToast({ title: 'Could not load the sample data', description: `${e.message} (${e.code})`, tone: 'error' });
  }
}

/** Light ↔ dark from whatever shows now (the system's choice included), saved like the Settings screen saves it. */
export async function toggleTheme(): Promise<void> {
  try {
    const current = await commands.getSettings();
    const saved = await commands.saveSettings({ ...current, theme: resolveTheme() === 'dark' ? 'light' : 'dark' });
    queryClient.setQueryData(keys.settings(), saved);
  } catch (err) {
    const e = toErrorPayload(err);
    pushToast({ title: 'Could not change the theme', description: `${e.message} (${e.code})`, tone: 'error' });
  }
}

/** Previews the files waiting in the shell (each is handed out once). */
export async function openWaitingFiles(): Promise<void> {
  try {
    const paths = await commands.takeOpenedFiles();
    if (paths.length > 0) await handleDroppedPaths(paths);
  } catch (err) {
    console.warn('could not take the opened files', err);
  }
}

/** Once per run: a damaged settings file was moved aside and the defaults are in use; say so and where it went. */
export async function showSettingsNotice(): Promise<void> {
  try {
    const moved = await commands.settingsNotice();
    if (moved) {
      pushToast({
        title: 'Settings were reset to the defaults',
        description: `The settings file was damaged (for example by a crash while saving). It was kept as ${moved}. Your data is not affected; choose your settings again in Settings.`,
        tone: 'error',
      });
    }
  } catch (err) {
    console.warn('could not read the settings notice', err);
  }
}

/** Runs a menu item; returns false for an id it does not know. */
export function runMenuAction(id: string): boolean {
  if (id.startsWith('view:')) {
    const screen = id.slice('view:'.length) as Screen;
    if (!SCREENS.includes(screen)) return false;
    goTo(screen);
    return true;
  }
  switch (id) {
    case 'open':
      void chooseFiles(null);
      return true;
    case 'sample':
      void loadSampleData();
      return true;
    case 'theme':
      void toggleTheme();
      return true;
    case 'shortcuts':
    case 'about':
      helpDialogStore.set(id);
      return true;
    default:
      return false;
  }
}

/** Ctrl+1…5 switch screens (the View menu shows the same keys). */
export function screenForKey(key: string): Screen | null {
  const n = Number.parseInt(key, 10);
  return Number.isInteger(n) && n >= 1 && n <= SCREENS.length && String(n) === key ? SCREENS[n - 1] : null;
}

/** Listens to the menu and to files handed over from outside; takes the files given at start. */
export async function startDesktopBridge(): Promise<() => void> {
  const unlisten: UnlistenFn[] = [];
  try {
    unlisten.push(
      await listen<string>(EVENT_MENU, (e) => {
        if (!runMenuAction(e.payload)) console.warn('unknown menu item', e.payload);
      }),
      await listen(EVENT_OPEN_FILES, () => void openWaitingFiles()),
    );
  } catch (err) {
    // Outside the Tauri window (plain browser, unit tests) there is no menu and no command line.
    console.warn('desktop events unavailable', err);
    return () => undefined;
  }
  await Promise.all([openWaitingFiles(), showSettingsNotice()]);
  return () => {
    for (const fn of unlisten) fn();
  };
}
