// Cache keys from a file's content: a cached track or teacher track belongs to the bytes it was made from, not to a
// file name, so a re-recorded `me.mp4` or another clip under a known name never picks up an old cache. Plain
// JavaScript so that the Node tools (tools/frame-sheet.mjs) find the same cache files as the TypeScript CLIs.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const CHUNK = 1 << 20;

/**
 * A 16-hex-digit key of a file's whole content and of `variant` (the options that make the cached result). Reads
 * the file in 1 MiB chunks, so a large video costs the memory of one chunk.
 * @param {string} file
 * @param {string} [variant]
 * @returns {string}
 */
export function contentKey(file, variant = '') {
  const hash = createHash('sha256');
  hash.update(`${variant}\0`);
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(CHUNK);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK, null);
      if (n <= 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * `<dir>/<video's stem>.<content key>.<ext>`: the cache file of a video, named so a person can still find it.
 * @param {string} video
 * @param {string} dir
 * @param {string} ext
 * @param {string} [variant]
 * @returns {string}
 */
export function contentKeyedFile(video, dir, ext, variant = '') {
  return path.join(dir, `${path.basename(video, path.extname(video))}.${contentKey(video, variant)}.${ext}`);
}

/** What the cached landmark tracks are made with (the track CLI's defaults); part of their key. */
export const TRACK_CACHE_VARIANT = 'track-cli-defaults-v1';
