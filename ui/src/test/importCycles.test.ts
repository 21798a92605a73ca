// The UI half of the module-cycle check: no two source files import each other, directly or in a ring.
import { describe, expect, it } from 'vitest';
import { buildGraph, findCycles, relativeImports } from './importGraph';

// Every source file's text, read by Vite at test time (paths come as `/src/...`).
const raw = import.meta.glob<string>(['/src/**/*.ts', '/src/**/*.tsx'], {
  query: '?raw',
  import: 'default',
  eager: true,
});
const sources = Object.fromEntries(Object.entries(raw).map(([path, text]) => [path.replace(/^\/src\//, ''), text]));

describe('UI import graph', () => {
  it('reads the whole source tree', () => {
    expect(Object.keys(sources)).toContain('App.tsx');
    expect(Object.keys(sources)).toContain('api/commands.ts');
    expect(buildGraph(sources).get('App.tsx')?.size).toBeGreaterThan(3);
  });

  it('has no cycle', () => {
    expect(findCycles(buildGraph(sources))).toEqual([]);
  });
});

describe('the cycle finder', () => {
  it('finds a two-file cycle and a longer ring, and names their files', () => {
    const graph = buildGraph({
      'a.ts': "import { b } from './b';\nexport const a = 1;",
      'b.ts': "import type { A } from './a';\nexport const b = 2;",
      'x/one.tsx': "export { two } from '../x/two';",
      'x/two.ts': "import { three } from './three.ts';",
      'x/three.ts': "import('./one').then(() => {});",
      'leaf.ts': "import { a } from './a';\nimport './styles.css';\nimport React from 'react';",
    });
    expect(findCycles(graph)).toEqual(['a.ts <-> b.ts', 'x/one.tsx <-> x/three.ts <-> x/two.ts']);
  });

  it('accepts a tree, and ignores imports named in comments and packages', () => {
    const graph = buildGraph({
      'index.ts': "import { api } from './api';\n// import { x } from './leaf';",
      'api/index.ts': "import { leaf } from '../leaf';\n/* import { y } from '../index'; */",
      'leaf.ts': "import { useState } from 'react';",
    });
    expect(findCycles(graph)).toEqual([]);
    expect(relativeImports("import { a } from './a'; // from './b'")).toEqual(['./a']);
  });
});
