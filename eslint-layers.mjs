// The layering of the source tree as a lint rule: dependencies point one way,
// renderer/electron/cli → notebooks → analysis → gpu. A production file may import only from its
// own top-level folder and the folders its layer lists; tests (and bench, test/) sit above every
// layer. Relative imports are resolved against the importing file, so the rule sees where an
// import lands, not how its path is spelled.
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
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = topFolder(root, path.resolve(path.dirname(file), source));
      if (!target || !Object.hasOwn(LAYERS, target.top) || allowed.includes(target.top)) return;
      if (typeOnly && (TYPE_ONLY[here.top] ?? []).some((prefix) => target.rel.startsWith(prefix))) return;
      if ((SHARED[here.top] ?? []).includes(target.rel)) return;
      context.report({ node, messageId: 'upward', data: { from: here.top, allowed: allowed.map((a) => `${a}/`).join(', '), source, to: target.top } });
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
