// The import flow for dropped or picked files, one file at a time:
//   probe → (kind unknown? ask) → (KPI file without an Account column? ask which account) → dry-run preview
//   → Import (run it, show the report) or Cancel → next file.
// It lives outside React so the window's drop handler, Ctrl+O, the Imports buttons and end-to-end tests
// (window.__tideline.dropPaths) all drive exactly the same code.
import type { FileProbe } from '../api/bindings/FileProbe';
import type { ImportKind } from '../api/bindings/ImportKind';
import type { ImportReport } from '../api/bindings/ImportReport';
import { commands } from '../api/commands';
import { toErrorPayload, type ShownError } from '../api/errors';
import { invalidateData, queryClient } from '../api/queryClient';
import { pushToast } from '../components/toastStore';
import { createStore } from '../lib/store';

export type FlowState =
  | { step: 'idle' }
  | { step: 'probing'; path: string }
  | { step: 'ask-kind'; path: string; probe: FileProbe }
  | { step: 'ask-account'; path: string; kind: ImportKind; probe: FileProbe }
  | { step: 'previewing'; path: string; kind: ImportKind; account: string | null }
  | { step: 'preview'; path: string; kind: ImportKind; account: string | null; report: ImportReport }
  | { step: 'importing'; path: string; kind: ImportKind; account: string | null }
  | { step: 'report'; path: string; report: ImportReport }
  | { step: 'error'; path: string; error: ShownError };

interface QueuedFile {
  path: string;
  /** Known when the user chose "Choose KPI file…" / "Choose profile file…". */
  kind: ImportKind | null;
}

export interface Flow {
  current: FlowState;
  /** Files still waiting, in order. */
  queue: QueuedFile[];
}

const IDLE: FlowState = { step: 'idle' };
export const flowStore = createStore<Flow>({ current: IDLE, queue: [] });

/** Bumped on every step so a late answer for a file the user already left is ignored. */
let generation = 0;

function show(current: FlowState): number {
  generation += 1;
  flowStore.set((f) => ({ ...f, current }));
  return generation;
}

function failed(path: string, err: unknown): void {
  show({ step: 'error', path, error: toErrorPayload(err) });
}

export function fileName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

async function preview(path: string, kind: ImportKind, account: string | null): Promise<void> {
  const gen = show({ step: 'previewing', path, kind, account });
  try {
    const report = await commands.previewImport(path, kind, account);
    if (gen === generation) show({ step: 'preview', path, kind, account, report });
  } catch (err) {
    if (gen === generation) failed(path, err);
  }
}

/** What to do once a file's kind is settled: ask for an account if the file has none, else preview. */
function afterKind(path: string, kind: ImportKind, probe: FileProbe): Promise<void> {
  if (kind === 'kpi' && probe.needs_account) {
    show({ step: 'ask-account', path, kind, probe });
    return Promise.resolve();
  }
  return preview(path, kind, null);
}

async function startFile(file: QueuedFile): Promise<void> {
  const gen = show({ step: 'probing', path: file.path });
  let probe: FileProbe;
  try {
    probe = await commands.probeFile(file.path);
  } catch (err) {
    if (gen === generation) failed(file.path, err);
    return;
  }
  if (gen !== generation) return;
  const kind = file.kind ?? probe.kind;
  if (kind == null) {
    show({ step: 'ask-kind', path: file.path, probe });
    return;
  }
  await afterKind(file.path, kind, probe);
}

/** Moves on to the next queued file, or back to idle. */
function next(): Promise<void> {
  const { queue } = flowStore.get();
  const [head, ...rest] = queue;
  flowStore.set((f) => ({ ...f, queue: rest }));
  if (!head) {
    show(IDLE);
    return Promise.resolve();
  }
  return startFile(head);
}

function enqueue(paths: readonly string[], kind: ImportKind | null): Promise<void> {
  const files = paths.filter((p) => typeof p === 'string' && p.length > 0).map((path) => ({ path, kind }));
  if (files.length === 0) return Promise.resolve();
  flowStore.set((f) => ({ ...f, queue: [...f.queue, ...files] }));
  return flowStore.get().current.step === 'idle' ? next() : Promise.resolve();
}

/** Exactly what dropping files on the window does. */
export function handleDroppedPaths(paths: string[]): Promise<void> {
  return enqueue(paths, null);
}

/** Files chosen in the native dialog for a known (or unknown) kind. */
export function startImportFlow(paths: string[], kind: ImportKind | null): Promise<void> {
  return enqueue(paths, kind);
}

/** "Choose KPI file…", "Choose profile file…", Ctrl+O (kind unknown). Cancelling the dialog does nothing. */
let picking = false;

export async function chooseFiles(kind: ImportKind | null): Promise<void> {
  // One dialog at a time (the menu's Ctrl+O and the window's must not open two).
  if (picking) return;
  picking = true;
  let paths: string[];
  try {
    paths = await commands.pickFiles(kind);
  } catch (err) {
    const e = toErrorPayload(err);
    pushToast({ title: 'Could not open the file dialog', description: `${e.message} (${e.code})`, tone: 'error' });
    return;
  } finally {
    picking = false;
  }
  await startImportFlow(paths, kind);
}

export function chooseKind(kind: ImportKind): Promise<void> {
  const s = flowStore.get().current;
  if (s.step !== 'ask-kind') return Promise.resolve();
  return afterKind(s.path, kind, s.probe);
}

export function chooseAccount(name: string): Promise<void> {
  const s = flowStore.get().current;
  const account = name.trim().replace(/\s+/g, ' ');
  if (s.step !== 'ask-account' || account === '') return Promise.resolve();
  return preview(s.path, s.kind, account);
}

export async function confirmImport(): Promise<void> {
  const s = flowStore.get().current;
  if (s.step !== 'preview') return;
  const gen = show({ step: 'importing', path: s.path, kind: s.kind, account: s.account });
  try {
    const report = await commands.runImport(s.path, s.kind, s.account);
    void invalidateData(queryClient);
    if (gen === generation) show({ step: 'report', path: s.path, report });
  } catch (err) {
    if (gen === generation) failed(s.path, err);
  }
}

/** Stops the import (or preview) running now: the core rolls it back and it ends as an `import_cancelled`
 * error, which this flow shows like any other error ("nothing was changed"). */
export async function cancelRunning(): Promise<void> {
  try {
    await commands.cancelImport();
  } catch (err) {
    const e = toErrorPayload(err);
    pushToast({ title: 'Could not cancel the import', description: `${e.message} (${e.code})`, tone: 'error' });
  }
}

/** Cancel (or close) the current file and go on with the next one. An import already running is stopped with
 * `cancelRunning` instead. */
export function cancelCurrent(): Promise<void> {
  if (flowStore.get().current.step === 'importing') return Promise.resolve();
  return next();
}

/** Cancel the current file and every file still waiting. */
export function cancelAll(): void {
  if (flowStore.get().current.step === 'importing') return;
  flowStore.set((f) => ({ ...f, queue: [] }));
  show(IDLE);
}

/** End-to-end tests can't synthesise an OS file drop: `window.__tideline.dropPaths` runs exactly what a drop runs. */
export function installDropHook(target: Window = window): void {
  target.__tideline = { ...target.__tideline, dropPaths: handleDroppedPaths };
}

/** Tests only: back to a clean idle flow. */
export function resetFlow(): void {
  generation += 1;
  flowStore.set({ current: IDLE, queue: [] });
}
