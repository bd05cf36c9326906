/**
 * The package's inference worker, started from its own module: `new Worker(new URL('./inference-worker.js',
 * import.meta.url), { type: 'module' })` is the form Vite and webpack 5 recognise, and a bundler copies the worker
 * into an app's build only when the app imports this module (babylon-cpem/worker), so a page that runs inference on
 * the main thread carries no worker.
 */
export function inferenceWorker(): Worker {
  return new Worker(new URL('./inference-worker.js', import.meta.url), {
    type: 'module',
    name: 'babylon-cpem inference',
  });
}
