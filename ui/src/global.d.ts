// The hook end-to-end tests use to run exactly what dropping files on the window runs.
interface Window {
  __tideline?: {
    dropPaths: (paths: string[]) => Promise<void>;
  };
}
