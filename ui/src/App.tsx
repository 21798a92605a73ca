// The window: navigation rail, the current screen, the status bar; plus the drop overlay, the import flow,
// toasts and the command palette. Sets <body data-ready="true"> once the first overview has rendered.
import { QueryClientProvider, useMutation } from '@tanstack/react-query';
import * as RadixTooltip from '@radix-ui/react-tooltip';
import { useEffect, useMemo, useState } from 'react';
import { commands } from './api/commands';
import { startEventBridge } from './api/events';
import { useDefaultSettings, useExecutions, useOverview, useSettings } from './api/queries';
import { invalidateData, queryClient } from './api/queryClient';
import { paletteAsk } from './components/AskPortfolio';
import { CommandPalette, type PaletteAction } from './components/CommandPalette';
import { DropOverlay } from './components/DropOverlay';
import { helpDialogStore, loadSampleData, screenForKey, startDesktopBridge, toggleTheme } from './desktop/actions';
import { HelpDialogs } from './desktop/HelpDialogs';
import { NavRail } from './components/NavRail';
import { ErrorState, Skeleton } from './components/States';
import { StatusBar } from './components/StatusBar';
import { Toaster } from './components/Toaster';
import { pushToast } from './components/toastStore';
import { chooseFiles } from './imports/dropFlow';
import { ImportFlow } from './imports/ImportFlow';
import type { Thresholds } from './lib/bands';
import { goTo, useScreen } from './lib/nav';
import { applyTheme } from './lib/theme';
import { Activity } from './screens/Activity';
import { FirstRun } from './screens/FirstRun';
import { Health } from './screens/Health';
import { Imports } from './screens/Imports';
import { Playbooks } from './screens/Playbooks';
import { Settings } from './screens/Settings';

function useActions(): PaletteAction[] {
  const calculate = useMutation({
    mutationFn: () => commands.calculateHealth(null),
    onSuccess: () => {
      pushToast({ title: 'Health scores calculated', tone: 'success' });
      void invalidateData();
    },
  });
  return [
    { id: 'go-health', label: 'Go to Health', run: () => goTo('health') },
    { id: 'go-imports', label: 'Go to Imports', run: () => goTo('imports') },
    { id: 'go-playbooks', label: 'Go to Playbooks', run: () => goTo('playbooks') },
    { id: 'go-activity', label: 'Go to Activity', run: () => goTo('activity') },
    { id: 'go-settings', label: 'Go to Settings', run: () => goTo('settings') },
    { id: 'choose-file', label: 'Choose file to import…', hint: 'Ctrl O', run: () => void chooseFiles(null) },
    { id: 'choose-kpi', label: 'Choose KPI file…', run: () => void chooseFiles('kpi') },
    { id: 'choose-profile', label: 'Choose profile file…', run: () => void chooseFiles('profile') },
    { id: 'calculate', label: 'Calculate health scores', run: () => calculate.mutate() },
    { id: 'load-sample', label: 'Load sample data', run: () => void loadSampleData() },
    { id: 'toggle-theme', label: 'Toggle theme', run: () => void toggleTheme() },
    { id: 'shortcuts', label: 'Keyboard shortcuts', run: () => helpDialogStore.set('shortcuts') },
    { id: 'about', label: 'About Tideline', run: () => helpDialogStore.set('about') },
    {
      id: 'search',
      label: 'Search accounts',
      hint: '/',
      run: () => {
        goTo('health');
        // After the palette has closed and Health has rendered.
        setTimeout(() => document.querySelector<HTMLInputElement>('[data-testid="account-search"]')?.focus(), 50);
      },
    },
  ];
}

function Page({ thresholds }: { thresholds: Thresholds | undefined }) {
  const screen = useScreen();
  const overview = useOverview();
  if (overview.isPending || (screen === 'health' && !thresholds)) {
    return (
      <div className="page__inner">
        <Skeleton lines={3} />
        <Skeleton lines={10} width="100%" />
      </div>
    );
  }
  if (overview.error) {
    return (
      <div className="page__inner">
        <ErrorState error={overview.error} title="Tideline could not read its data" onRetry={() => void overview.refetch()} />
      </div>
    );
  }
  switch (screen) {
    case 'health':
      if (overview.data.accounts === 0) return <FirstRun />;
      // Checked above; repeated so the type narrows.
      return thresholds ? <Health overview={overview.data} thresholds={thresholds} /> : null;
    case 'imports':
      return <Imports />;
    case 'playbooks':
      return <Playbooks />;
    case 'activity':
      return <Activity />;
    case 'settings':
      return <Settings dataDir={overview.data.data_dir} />;
  }
}

function Shell() {
  const screen = useScreen();
  const overview = useOverview();
  const settings = useSettings();
  const defaults = useDefaultSettings();
  const executions = useExecutions(null);
  const [paletteOpen, setPaletteOpen] = useState(false);
  const actions = useActions();

  useEffect(() => {
    let stop: (() => void) | null = null;
    let disposed = false;
    void startEventBridge(queryClient).then((fn) => {
      if (disposed) fn();
      else stop = fn;
    });
    return () => {
      disposed = true;
      stop?.();
    };
  }, []);

  // The native menu, and workbooks handed to the app from outside (double-click, "Open with", a second start).
  // Started once the first data has rendered, so a file given at launch previews over a ready window.
  const started = overview.data != null;
  useEffect(() => {
    if (!started) return;
    let stop: (() => void) | null = null;
    let disposed = false;
    void startDesktopBridge().then((fn) => {
      if (disposed) fn();
      else stop = fn;
    });
    return () => {
      disposed = true;
      stop?.();
    };
  }, [started]);

  useEffect(() => applyTheme(settings.data?.theme), [settings.data?.theme]);

  const ready = overview.data != null;
  useEffect(() => {
    if (ready) document.body.dataset.ready = 'true';
  }, [ready]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      const key = e.key.toLowerCase();
      if (key === 'o') {
        e.preventDefault();
        void chooseFiles(null);
      } else if (key === 'k') {
        e.preventDefault();
        setPaletteOpen((o) => !o);
      } else {
        const target = screenForKey(key);
        if (target) {
          e.preventDefault();
          goTo(target);
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // The saved thresholds, else the core's defaults (e.g. while the saved ones load); never the UI's own.
  const source = settings.data ?? defaults.data;
  const thresholds = useMemo<Thresholds | undefined>(
    () => (source ? { healthy_min: source.healthy_min, at_risk_min: source.at_risk_min } : undefined),
    [source],
  );
  const inProgress = executions.data?.filter((x) => x.status === 'in_progress').length;

  return (
    <div className="app">
      <NavRail
        current={screen}
        counts={{ health: overview.data?.accounts, playbooks: inProgress, activity: overview.data?.pending_events }}
      />
      <main className={`page page--${screen}`} aria-label={screen}>
        <Page thresholds={thresholds} />
      </main>
      <StatusBar overview={overview.data} />
      <DropOverlay />
      <ImportFlow />
      <HelpDialogs />
      <CommandPalette open={paletteOpen} onOpenChange={setPaletteOpen} actions={actions} renderAsk={paletteAsk} />
    </div>
  );
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <RadixTooltip.Provider delayDuration={400}>
        <Shell />
        <Toaster />
      </RadixTooltip.Provider>
    </QueryClientProvider>
  );
}
