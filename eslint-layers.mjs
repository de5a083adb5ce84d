// The layering of the source tree as a lint rule: dependencies point one way,
// renderer/electron/cli → notebooks → analysis → gpu. A production file may import only from its
// own top-level folder and the folders its layer lists; tests (and bench, test/) sit above every
// layer. Relative imports are resolved against the importing file, so the rule sees where an
// import lands, not how its path is spelled; a `#name` import is checked against every target
// package.json's `imports` map gives it (one per host condition).
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Top-level folder → the folders its production files may import from (besides itself). */
export const LAYERS = {
  gpu: [],
  analysis: ['gpu'],
  notebooks: ['analysis', 'gpu'],
  renderer: ['notebooks', 'analysis', 'gpu'],
  electron: ['notebooks', 'analysis', 'gpu'],
  cli: ['notebooks', 'analysis', 'gpu'],
};

/** Type-only imports allowed across the top: the page reads the desktop bridge's types from electron/preload. */
const TYPE_ONLY = { renderer: ['electron/preload/'] };

/** Files a peer may import: Electron serves the renderer with the renderer's one Content-Security-Policy. */
const SHARED = { electron: ['renderer/build/csp.ts'] };

const TEST_FILE = /\.(test|spec)\.[cm]?[jt]sx?$/;

function topFolder(root, file) {
  const rel = path.relative(root, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return { top: rel.split(path.sep)[0], rel: rel.split(path.sep).join('/') };
}

/** Every file package.json's `imports` maps `specifier` to, under any condition, absolute. */
function importTargets(root, specifier) {
  let map;
  try {
    map = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).imports ?? {};
  } catch {
    return [];
  }
  if (!Object.hasOwn(map, specifier)) return [];
  const targets = [];
  const walk = (v) => {
    if (typeof v === 'string') targets.push(path.resolve(root, v));
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(map[specifier]);
  return targets;
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'imports follow the layers renderer/electron/cli → notebooks → analysis → gpu' },
    schema: [],
    messages: {
      upward: '{{from}}/ may import only from {{allowed}}; "{{source}}" reaches {{to}}/ (layers: renderer/electron/cli → notebooks → analysis → gpu)',
    },
  },
  create(context) {
    const root = context.cwd;
    const file = context.filename;
    const here = topFolder(root, file);
    if (!here || !Object.hasOwn(LAYERS, here.top) || TEST_FILE.test(file)) return {};
    const allowed = [here.top, ...LAYERS[here.top]];
    const check = (node, source, typeOnly) => {
      if (typeof source !== 'string') return;
      // One report per import, however many of its targets break the rule.
      if (source.startsWith('#')) return void importTargets(root, source).some((t) => checkTarget(node, source, typeOnly, t));
      if (source.startsWith('.')) checkTarget(node, source, typeOnly, path.resolve(path.dirname(file), source));
    };
    /** Reports an import of `resolved` that breaks the layering; true when it did. */
    const checkTarget = (node, source, typeOnly, resolved) => {
      const target = topFolder(root, resolved);
      if (!target || !Object.hasOwn(LAYERS, target.top) || allowed.includes(target.top)) return false;
      if (typeOnly && (TYPE_ONLY[here.top] ?? []).some((prefix) => target.rel.startsWith(prefix))) return false;
      if ((SHARED[here.top] ?? []).includes(target.rel)) return false;
      context.report({ node, messageId: 'upward', data: { from: here.top, allowed: allowed.map((a) => `${a}/`).join(', '), source, to: target.top } });
      return true;
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value, node.importKind === 'type'),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value, node.exportKind === 'type'),
      ExportAllDeclaration: (node) => check(node.source, node.source.value, node.exportKind === 'type'),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value, false),
    };
  },
};

export default { rules: { imports: rule } };
