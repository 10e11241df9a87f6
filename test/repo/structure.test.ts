/**
 * The shape of the code: no source file does several jobs (over MAX_LINES lines), and imports between
 * modules (src/<module>, lib/<module>, lambdas/<function>, and lib/'s composition files) run one way.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SOURCE_DIRS = ['src', 'lib', 'lambdas', 'bin'];
/** Longest source file, in lines. */
const MAX_LINES = 400;

function sourceFiles(): string[] {
  return SOURCE_DIRS.flatMap((dir) =>
    (readdirSync(join(ROOT, dir), { recursive: true }) as string[])
      .filter((f) => /\.(ts|mjs)$/.test(f))
      .map((f) => join(ROOT, dir, f)),
  );
}

/** The module a file belongs to: its first two path segments (lib's own files are the module `lib`). */
function moduleOf(file: string): string {
  const parts = relative(ROOT, file).split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : parts[0];
}

/** Module -> the modules its files import (relative imports only). */
function moduleGraph(files: readonly string[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of files) {
    const from = moduleOf(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)) {
      const to = moduleOf(resolve(dirname(file), m[1]));
      if (to === from) continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)?.add(to);
    }
  }
  return graph;
}

/** Every cycle's modules, found by depth-first search (each cycle reported once, from its first node). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const found = new Map<string, string[]>();
  const visit = (node: string, path: string[]) => {
    const at = path.indexOf(node);
    if (at >= 0) {
      const cycle = path.slice(at);
      found.set([...cycle].sort().join(' '), [...cycle, node]);
      return;
    }
    for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
  };
  for (const node of graph.keys()) visit(node, []);
  return [...found.values()];
}

describe('the source tree', () => {
  const files = sourceFiles();

  it(`has no source file over ${MAX_LINES} lines`, () => {
    const long = files
      .map((f) => ({ file: relative(ROOT, f), lines: readFileSync(f, 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it('has no import cycle between modules', () => {
    const graph = moduleGraph(files);
    // The check sees the graph: the stack's composition imports its constructs, the Lambda imports src.
    expect(graph.get('lib')).toContain('lib/storage');
    expect(graph.get('lambdas/transformer')).toContain('src/ingest');
    expect(cycles(graph).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
  });
});
