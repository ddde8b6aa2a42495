/**
 * The import graph of the product code (src/, adapters/, gateway/): imports counted between
 * folders, cycles between files and between folders, and imports that run from a lower layer to
 * a higher one. `npm run import-graph` prints it (`-- --json` for the raw figures);
 * test/scripts/import-graph.test.ts fails on a folder cycle or an upward import.
 *
 * A "unit" is a folder, except the files named in LAYERS (a package's entry barrel, the shared
 * error table, the CLI), which count apart from the folder they sit in.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The layering, lowest first: a unit may import from its own layer or a lower one, never from a
 * higher one. Within a layer marked `peers`, no unit imports another (adapters stand alone).
 * An entry ending in `/` is a folder with everything below it as one unit; other entries are
 * files or single folders.
 */
export const LAYERS: ReadonlyArray<{ name: string; units: readonly string[]; peers?: boolean }> = [
  { name: 'core', units: ['src'] },
  { name: 'core middleware', units: ['src/middleware'] },
  { name: 'core entry', units: ['src/index.ts'] },
  {
    name: 'adapters',
    units: ['adapters/aws-lambda/', 'adapters/cloudflare-workers/', 'adapters/hono/'],
    peers: true,
  },
  { name: 'gateway errors and limits', units: ['gateway/errors.ts', 'gateway/limits.ts'] },
  {
    name: 'gateway codecs, settings, logging',
    units: ['gateway/uwsgi', 'gateway/websocket', 'gateway/config', 'gateway/logging'],
  },
  {
    name: 'gateway app loading and extensions',
    units: ['gateway/app', 'gateway/extensions'],
  },
  { name: 'gateway request serving', units: ['gateway/server', 'gateway/http'] },
  { name: 'gateway stats', units: ['gateway/stats'] },
  { name: 'gateway worker', units: ['gateway/worker'] },
  { name: 'gateway master', units: ['gateway/master'] },
  { name: 'gateway entry', units: ['gateway/cli.ts', 'gateway/index.ts'] },
];

export const ROOTS = ['src', 'adapters', 'gateway'] as const;

export interface Edge {
  from: string;
  to: string;
}

export interface ImportGraph {
  files: number;
  /** File → files it imports (inside the product code). */
  imports: Map<string, Set<string>>;
  /** "unitA → unitB" → number of file imports (unitA ≠ unitB). */
  between: Map<string, number>;
  /** Strongly connected groups of two or more files. */
  fileCycles: string[][];
  /** Strongly connected groups of two or more units. */
  unitCycles: string[][];
  /** Imports from a lower layer to a higher one, or between peers. */
  upward: Array<Edge & { why: string }>;
  /** Files that belong to no layer. */
  unlayered: string[];
}

/**
 * The unit a file belongs to: a file named in LAYERS; the folder of a `folder/` entry for
 * everything below it (an adapter is one package, whatever its inner folders); else its folder.
 */
export function unitOf(file: string): string {
  let tree = '';
  for (const layer of LAYERS) {
    for (const u of layer.units) {
      if (u === file) return file;
      if (u.endsWith('/') && file.startsWith(u) && u.length > tree.length) tree = u;
    }
  }
  return tree ? tree.slice(0, -1) : dirname(file);
}

/** The layer index of a unit (-1: none). */
export function layerOf(unit: string): number {
  return LAYERS.findIndex((layer) => layer.units.some((u) => u === unit || u === `${unit}/`));
}

const STATIC_IMPORT = /^[ \t]*(?:import|export)\b[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]/gm;
const BARE_IMPORT = /^[ \t]*import\s*['"]([^'"]+)['"]/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Relative specifiers of a module's imports (static, side-effect and literal dynamic ones). */
export function specifiers(source: string): string[] {
  const out: string[] = [];
  for (const re of [STATIC_IMPORT, BARE_IMPORT, DYNAMIC_IMPORT]) {
    for (const m of source.matchAll(re)) if (m[1]!.startsWith('.')) out.push(m[1]!);
  }
  return out;
}

/** The file a relative specifier names: `./x.js` is `x.ts` in source, a folder its index.ts. */
function resolveSpecifier(from: string, spec: string, known: ReadonlySet<string>): string | null {
  const base = normalize(join(dirname(from), spec));
  const candidates = [
    base,
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.mjs$/, '.mts'),
    `${base}.ts`,
    join(base, 'index.ts'),
  ];
  return candidates.find((c) => known.has(c)) ?? null;
}

/** Tarjan's strongly connected components; only groups of two or more nodes are returned. */
export function cycles(
  nodes: Iterable<string>,
  next: (node: string) => Iterable<string>,
): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) out.push(group.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return out.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** Builds the graph from source texts keyed by repository-relative path. */
export function analyze(sources: ReadonlyMap<string, string>): ImportGraph {
  const known = new Set(sources.keys());
  const imports = new Map<string, Set<string>>();
  for (const [file, text] of sources) {
    const targets = new Set<string>();
    for (const spec of specifiers(text)) {
      const target = resolveSpecifier(file, spec, known);
      if (target && target !== file) targets.add(target);
    }
    imports.set(file, targets);
  }
  const between = new Map<string, number>();
  const unitEdges = new Map<string, Set<string>>();
  const upward: ImportGraph['upward'] = [];
  for (const [file, targets] of imports) {
    const from = unitOf(file);
    if (!unitEdges.has(from)) unitEdges.set(from, new Set());
    for (const target of targets) {
      const to = unitOf(target);
      if (to === from) continue;
      const key = `${from} → ${to}`;
      between.set(key, (between.get(key) ?? 0) + 1);
      unitEdges.get(from)!.add(to);
      const [a, b] = [layerOf(from), layerOf(to)];
      if (a >= 0 && b >= 0 && b > a) {
        upward.push({
          from: file,
          to: target,
          why: `${LAYERS[a]!.name} imports ${LAYERS[b]!.name}`,
        });
      } else if (a >= 0 && a === b && LAYERS[a]!.peers) {
        upward.push({ from: file, to: target, why: `${LAYERS[a]!.name} import each other` });
      }
    }
  }
  const units = [...new Set([...imports.keys()].map(unitOf))];
  return {
    files: sources.size,
    imports,
    between,
    fileCycles: cycles(imports.keys(), (f) => imports.get(f) ?? []),
    unitCycles: cycles(units, (u) => unitEdges.get(u) ?? []),
    upward,
    unlayered: [...imports.keys()].filter((f) => layerOf(unitOf(f)) < 0).sort(),
  };
}

/** The product's TypeScript sources under `root` (declaration files and node_modules left out). */
export function readSources(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(root, dir)).sort()) {
      if (name === 'node_modules') continue;
      const path = join(dir, name);
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (/\.(ts|mts|cts)$/.test(name) && !/\.d\.[mc]?ts$/.test(name)) {
        out.set(path, readFileSync(join(root, path), 'utf8'));
      }
    }
  };
  for (const r of ROOTS) walk(r);
  return out;
}

export function report(graph: ImportGraph): string {
  let edges = 0;
  for (const t of graph.imports.values()) edges += t.size;
  let crossing = 0;
  for (const n of graph.between.values()) crossing += n;
  const lines = [
    `${graph.files} files, ${edges} imports, ${crossing} of them between units (${graph.between.size} unit pairs)`,
    `file cycles: ${graph.fileCycles.length}, unit (folder) cycles: ${graph.unitCycles.length}, upward imports: ${graph.upward.length}`,
    '',
    'imports between units:',
    ...[...graph.between]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([pair, n]) => `  ${String(n).padStart(3)}  ${pair}`),
  ];
  if (graph.unitCycles.length > 0) {
    lines.push('', 'unit (folder) cycles:', ...graph.unitCycles.map((c) => `  ${c.join(' ⇄ ')}`));
  }
  if (graph.fileCycles.length > 0) {
    lines.push('', 'file cycles:', ...graph.fileCycles.map((c) => `  ${c.join(' ⇄ ')}`));
  }
  if (graph.upward.length > 0) {
    lines.push(
      '',
      'upward imports:',
      ...graph.upward.map((u) => `  ${u.from} → ${u.to} (${u.why})`),
    );
  }
  if (graph.unlayered.length > 0) {
    lines.push(
      '',
      'files in no layer (add their folder to LAYERS):',
      ...graph.unlayered.map((f) => `  ${f}`),
    );
  }
  return lines.join('\n');
}

function main(argv: string[]): void {
  const root =
    argv.find((a) => !a.startsWith('--')) ?? fileURLToPath(new URL('..', import.meta.url));
  const graph = analyze(readSources(root));
  if (argv.includes('--json')) {
    let edges = 0;
    for (const t of graph.imports.values()) edges += t.size;
    console.log(
      JSON.stringify(
        {
          root: relative(process.cwd(), root) || '.',
          files: graph.files,
          imports: edges,
          between: Object.fromEntries(graph.between),
          fileCycles: graph.fileCycles,
          unitCycles: graph.unitCycles,
          upward: graph.upward,
          unlayered: graph.unlayered,
        },
        null,
        2,
      ),
    );
  } else console.log(report(graph));
}

if (realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url))) {
  main(process.argv.slice(2));
}
