/** True in Node (no DOM): files are read from disk there and only the wasm and cpu TF.js backends run. */
export function isNode(): boolean {
  return (
    !!(globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node &&
    typeof (globalThis as { document?: unknown }).document === 'undefined'
  );
}

/**
 * Imports a Node built-in at run time. The specifier is not a literal, so browser bundlers leave it alone and never
 * pull node: modules into a browser bundle.
 */
export async function nodeImport<T>(specifier: string): Promise<T> {
  return (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as T;
}
