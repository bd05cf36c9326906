// Caches are keyed by a video's content, not its name: a re-recorded clip under an old name never reads the old
// track or teacher scores.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { contentKey } from '../../training/node/content-key.mjs';
import { trackFileFor } from '../../training/node/track-cache.js';
import { teacherFileFor } from '../../training/node/real-clips.js';

describe('content-keyed cache files', () => {
  it('give a different file to different bytes under the same name, and the same key to the same bytes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpem-key-'));
    try {
      const a = path.join(dir, 'a', 'me.mp4');
      const b = path.join(dir, 'b', 'me.mp4');
      const c = path.join(dir, 'c', 'other.mp4');
      for (const f of [a, b, c]) fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(a, Buffer.alloc(3 << 20, 7));
      const changed = Buffer.alloc(3 << 20, 7);
      changed[(3 << 20) - 1] = 8; // one byte differs, past the first megabytes
      fs.writeFileSync(b, changed);
      fs.writeFileSync(c, Buffer.alloc(3 << 20, 7));
      assert.notEqual(trackFileFor(a), trackFileFor(b));
      assert.notEqual(teacherFileFor(a), teacherFileFor(b));
      assert.equal(contentKey(a), contentKey(c));
      assert.match(path.basename(trackFileFor(a)), /^me\.[0-9a-f]{16}\.lmtrack$/);
      assert.match(path.basename(teacherFileFor(c)), /^other\.[0-9a-f]{16}\.teacher$/);
      // The options that make a cache are part of its key.
      assert.notEqual(contentKey(a, 'x'), contentKey(a, 'y'));
      assert.equal(path.dirname(trackFileFor(a)), path.join('.cache', 'tracks'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
