#!/usr/bin/env node
// `npm start`: builds the sample scene (and the other pages) and serves them on 127.0.0.1, rebuilding on change.
//   node tools/serve.mjs [--port N]   (PORT env also works; 0 picks a free port)
import { startServer } from './server.mjs';
import { readCliArgs } from '../training/node/cli-args.mjs';
import { copyRuntimeAssets } from './copy-runtime-assets.mjs';

copyRuntimeAssets();
const port = Number(
  readCliArgs({ port: 'string' }, { usage: 'usage: npm start [-- --port N]' }).port ?? process.env.PORT ?? 8080,
);
startServer({ port, watch: true })
  .then(({ url }) => {
    console.log(`babylon-cpem sample scene: ${url}`);
    console.log('Press Ctrl+C to stop.');
  })
  .catch((e) => {
    console.error(e.code === 'EADDRINUSE' ? `Port ${port} is in use: pass --port N (or PORT=N).` : e);
    process.exit(1);
  });
