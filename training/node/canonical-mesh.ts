// MediaPipe's canonical face mesh (../shared/face-data/mediapipe-canonical/canonical_face_model.obj): vertex k is
// face-mesh landmark k.
import fs from 'node:fs';
import path from 'node:path';

/** The 468 canonical vertex positions (468 × 3, the OBJ's centimetres, as parsed) from the folder holding the OBJ. */
export function readCanonicalFaceMesh(dir: string): Float64Array {
  const obj = fs.readFileSync(path.join(dir, 'canonical_face_model.obj'), 'utf8');
  return Float64Array.from(
    obj
      .split('\n')
      .filter((l) => l.startsWith('v '))
      .flatMap((l) => l.trim().split(/\s+/).slice(1, 4).map(Number)),
  );
}
