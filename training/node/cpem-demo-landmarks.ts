// The CPEM authors' demo set in ../shared/cpem-demo (300w_lp, voxceleb2): each image with its 68-point landmarks
// (`landmarks/PERSON/CLIP/FRAME.txt`, one "x y" row per point, image pixels).
import fs from 'node:fs';
import path from 'node:path';

export interface AnnotatedImage {
  /** '300w_lp' or 'voxceleb2'. */
  set: string;
  /** The person (first folder level): the cross-validation group. */
  person: string;
  /** PERSON/CLIP/FRAME. */
  name: string;
  file: string;
  /** 68 × 2, image pixels. */
  truth: Float64Array;
}

const SETS = ['300w_lp', 'voxceleb2'];

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Every image of `demoDir` (../shared/cpem-demo) that has a 68-point landmark file, in a stable order. */
export function readCpemDemoLandmarks(demoDir: string): AnnotatedImage[] {
  const out: AnnotatedImage[] = [];
  for (const set of SETS) {
    const lmDir = path.join(demoDir, set, 'landmarks');
    if (!fs.existsSync(lmDir)) continue;
    for (const f of filesUnder(lmDir)
      .filter((x) => x.endsWith('.txt'))
      .sort()) {
      const name = path.relative(lmDir, f).slice(0, -4).split(path.sep).join('/');
      const file = ['.jpg', '.png'].map((e) => path.join(demoDir, set, 'data', name + e)).find((p) => fs.existsSync(p));
      if (!file) continue;
      const truth = Float64Array.from(fs.readFileSync(f, 'utf8').trim().split(/\s+/).map(Number));
      if (truth.length !== 136 || !truth.every(Number.isFinite)) throw new Error(`${f}: expected 68 rows of "x y"`);
      out.push({ set, person: name.split('/')[0], name, file, truth });
    }
  }
  return out;
}
