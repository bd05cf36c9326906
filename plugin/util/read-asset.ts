import { CpemError } from '../errors/cpem-error.js';
import { isNode, nodeImport } from './runtime.js';

/** A location as it appears in messages: data: URLs and other long ones cut short. */
export function describeLocation(location: string | URL): string {
  const text = String(location);
  return text.length <= 120 ? text : `${text.slice(0, 100)}… (${text.length} characters)`;
}

/** True for a location that is read from disk in Node: a plain path or a file: URL. */
function isDiskLocation(location: string): boolean {
  return isNode() && !/^(https?|blob|data):/i.test(location);
}

/**
 * Reads one of the runtime's files: by fetch for a URL (http(s):, blob:, data:, or relative to the page), and in
 * Node from disk for a plain path or a file: URL. A file that is not there (HTTP error, no such file, network
 * failure) raises WEIGHTS_MISSING naming it, followed by `hint` (what to do).
 */
export async function readAsset(location: string | URL, what: string, hint: string): Promise<Uint8Array> {
  const text = location instanceof URL ? location.href : location;
  const missing = (why: string, cause?: unknown): never => {
    throw new CpemError(
      'WEIGHTS_MISSING',
      `${what}: ${describeLocation(text)} ${why}. ${hint}`,
      cause === undefined ? undefined : { cause },
    );
  };
  if (isDiskLocation(text)) {
    const fs = await nodeImport<{ readFile(p: string): Promise<Uint8Array> }>('node:fs/promises');
    let file = text;
    if (/^file:/i.test(file))
      file = (await nodeImport<{ fileURLToPath(u: string): string }>('node:url')).fileURLToPath(file);
    try {
      return new Uint8Array(await fs.readFile(file));
    } catch (e) {
      return missing(`cannot be read (${(e as Error).message})`, e);
    }
  }
  let response: Response;
  try {
    response = await fetch(text);
  } catch (e) {
    return missing(`could not be fetched (${(e as Error).message})`, e);
  }
  if (!response.ok)
    return missing(`answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** `relative` resolved against the location of `base` (a URL, or in Node a path), as tf.io.http would. */
export function resolveBeside(base: string | URL, relative: string): string {
  const text = base instanceof URL ? base.href : base;
  if (/^[a-z][a-z0-9+.-]*:/i.test(relative)) return relative;
  if (isDiskLocation(text) && !/^file:/i.test(text)) {
    const cut = Math.max(text.lastIndexOf('/'), text.lastIndexOf('\\'));
    return cut >= 0 ? text.slice(0, cut + 1) + relative : relative;
  }
  const pageBase = (globalThis as { location?: { href?: string } }).location?.href;
  try {
    return new URL(relative, new URL(text, pageBase)).href;
  } catch {
    return relative; // nothing to resolve against (e.g. a data: URL): the caller names the file's own URL instead
  }
}
