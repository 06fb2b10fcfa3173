// The import graph between the app's parts (folders), from the production sources' relative
// imports: what docs/architecture.md's picture must show (test/architecture.test.ts checks it).
// Run `node scripts/importGraph.mjs` to print the edges in the doc's notation.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The part a source file belongs to: src/<area>/<folder> for main and server, src/<area> otherwise. */
export function partOf(file) {
  const parts = relative(join(root, 'src'), file).split(sep);
  if ((parts[0] === 'main' || parts[0] === 'server') && parts.length > 2) return `${parts[0]}/${parts[1]}`;
  if (parts[0] === 'main' || parts[0] === 'server') return `${parts[0]}`;
  return parts[0];
}

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name === 'testing') continue;
      yield* sources(path);
    } else if (/\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

/** Sorted "from --> to" lines, one per pair of parts with at least one import between them. */
export function importEdges() {
  const edges = new Set();
  for (const file of sources(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = resolve(dirname(file), m[1]);
      const from = partOf(file);
      const to = partOf(target);
      if (from !== to) edges.add(`${from} --> ${to}`);
    }
  }
  return [...edges].sort();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const e of importEdges()) console.log(`  ${e.replace(/[/]/g, '_').replace(' --> ', ' --> ')}`);
}
