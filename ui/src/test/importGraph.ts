// The UI's import graph and its cycles: which source files import which (relative imports only, type-only ones
// included, since a cycle of types still ties two files together), and the groups of files that import each other.
// Used by importCycles.test.ts, which `.ci/run` runs as the UI half of the module-cycle check.

/** File (path from `src/`, e.g. `screens/Health.tsx`) -> the source files it imports. */
export type ImportGraph = Map<string, Set<string>>;

const IMPORT_RE =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** The relative module specifiers a file imports or re-exports from, comments removed first. */
export function relativeImports(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const out: string[] = [];
  for (const m of code.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2];
    if (spec) out.push(spec);
  }
  return out;
}

function normalise(parts: string[]): string {
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return out.join('/');
}

/** The file a specifier names from `from`, among `files` (extension and `/index` optional); undefined for assets. */
export function resolveImport(from: string, spec: string, files: ReadonlySet<string>): string | undefined {
  const dir = from.split('/').slice(0, -1);
  const base = normalise([...dir, ...spec.split('/')]);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`]) {
    if (files.has(candidate)) return candidate;
  }
  return undefined;
}

/** The graph of the given sources (path from `src/` -> text). */
export function buildGraph(sources: Record<string, string>): ImportGraph {
  const files = new Set(Object.keys(sources));
  const graph: ImportGraph = new Map();
  for (const [file, text] of Object.entries(sources)) {
    const edges = new Set<string>();
    for (const spec of relativeImports(text)) {
      const target = resolveImport(file, spec, files);
      if (target && target !== file) edges.add(target);
    }
    graph.set(file, edges);
  }
  return graph;
}

/** Each group of files that import each other, directly or through others: its files sorted, joined by " <-> ". */
export function findCycles(graph: ImportGraph): string[] {
  // Tarjan's strongly connected components.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      for (;;) {
        const w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
        if (w === v) break;
      }
      if (group.length > 1) found.push(group.sort().join(' <-> '));
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found.sort();
}
