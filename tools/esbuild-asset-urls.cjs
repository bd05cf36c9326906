// plugin/assets.ts finds the package's runtime files relative to its own module (new URL('../weights/…',
// import.meta.url)). A bundle moves that module elsewhere, so the bundles this repository builds for itself (Node
// specs and CLIs, karma, the served pages) give its import.meta.url the location plugin/assets.ts has in this
// checkout: an esbuild plugin that rewrites import.meta.url in that one file to `moduleUrl`, a JavaScript expression.
// (An installed package needs none of this: there the module sits in dist/, beside weights/.)
const fs = require('node:fs');
const { pathToFileURL } = require('node:url');

// plugin/face-model-asset.ts names the face model the same way, from the same folder.
const ASSETS_MODULE = /[\\/]plugin[\\/](assets|face-model-asset)\.ts$/;

/** `moduleUrl(file)`: the expression to use for import.meta.url in plugin/assets.ts, given its path. */
function assetModuleUrlPlugin(moduleUrl) {
  return {
    name: 'asset-module-url',
    setup(build) {
      build.onLoad({ filter: ASSETS_MODULE }, (args) => ({
        contents: fs.readFileSync(args.path, 'utf8').replaceAll('import.meta.url', moduleUrl(args.path)),
        loader: 'ts',
      }));
    },
  };
}

/** For Node bundles: the file's own file: URL. */
const nodeAssetUrls = () => assetModuleUrlPlugin((file) => JSON.stringify(pathToFileURL(file).href));

/** For pages served with the repository root at `prefix` (e.g. '/' for tools/server.mjs, '/base/' for karma). */
const servedAssetUrls = (prefix) =>
  assetModuleUrlPlugin(() => `new URL(${JSON.stringify(`${prefix}plugin/assets.ts`)}, globalThis.location.href).href`);

module.exports = { assetModuleUrlPlugin, nodeAssetUrls, servedAssetUrls };
