// frameHead (plugin/retarget/frame-head.ts) on the avatar of ../shared in a NullEngine scene: the camera looks at the
// face from the side its morph targets move (not at the back of the head), level with it, and the face's box fills
// about half the view.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
// The whole of Babylon first, as an app imports it (the glTF loader's bones and skeletons included).
import { NullEngine, Ray } from '@babylonjs/core';
import { loadCharacter } from '../../plugin/bake/bake-video.node.js';
import { frameHead, headBox } from '../../plugin/retarget/frame-head.js';
import { sharedPath } from '../../training/node/shared-data.js';

const AVATAR = path.resolve(sharedPath('avatars', 'rpm_brunette-t.glb'));

describe('frameHead', () => {
  it("puts the camera in front of an ARKit avatar's face, the face filling half the view", async (t) => {
    if (!fs.existsSync(AVATAR)) return t.skip('../shared/avatars is not present');
    const engine = new NullEngine({
      renderWidth: 1280,
      renderHeight: 720,
      textureSize: 512,
      deterministicLockstep: false,
      lockstepMaxSteps: 1,
    });
    try {
      const { scene, character } = await loadCharacter(engine, fs.readFileSync(AVATAR), 'avatar.glb');
      const camera = frameHead(scene, character, { attachControl: false });
      assert.equal(scene.activeCamera, camera);
      assert.ok(scene.lights.length > 0, 'a light');
      const box = headBox(character)!;
      const center = box.min.add(box.max).scale(0.5);
      // What the camera sees at the face's centre is a face mesh (the head, eyes or teeth), not the hair behind it.
      const toFace = center.subtract(camera.position);
      const hit = scene.pickWithRay(new Ray(camera.position, toFace.normalize(), toFace.length() * 2));
      t.diagnostic(
        `camera at ${camera.position.toString()}, face centre ${center.toString()}; ${hit?.pickedMesh?.name} seen first`,
      );
      assert.match(hit?.pickedMesh?.name ?? 'nothing', /head|eye|teeth/i);
      const height = box.max.y - box.min.y;
      const viewHeight = 2 * Math.tan(camera.fov / 2) * toFace.length();
      assert.ok(
        height / viewHeight > 0.35 && height / viewHeight < 0.7,
        `the face takes ${((100 * height) / viewHeight).toFixed(0)} % of the view's height`,
      );
    } finally {
      engine.dispose();
    }
  });
});
