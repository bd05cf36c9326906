// Browser module for tools/retarget-preview.mjs: renders a character neutral and with a few FaceMotions applied
// through a retarget table, and returns the frames as PNG data URLs.
import { Engine } from '@babylonjs/core/Engines/engine';
import { Scene } from '@babylonjs/core/scene';
import { ArcRotateCamera } from '@babylonjs/core/Cameras/arcRotateCamera';
import { HemisphericLight } from '@babylonjs/core/Lights/hemisphericLight';
import { Vector3 } from '@babylonjs/core/Maths/math.vector';
import { Color4 } from '@babylonjs/core/Maths/math.color';
import { createNeutralFaceMotion, type FaceMotion } from '../../plugin/motion/face-motion.js';
import { expressionUnitIndex } from '../../plugin/units/expression-units.js';
import { autoMap } from '../../plugin/retarget/auto-map.js';
import { RetargetApplier } from '../../plugin/retarget/morph-target-applier.js';
import { findMorphTargetManagers } from '../../plugin/retarget/character.js';
import { exportTestFaceGlb, loadGlb } from './arkit-test-face.js';

export const POSES: Record<string, { units: Record<string, number>; rotation?: [number, number, number] }> = {
  neutral: { units: {} },
  eyeClose_L: { units: { eyeClose_L: 1 } },
  'jawOpen+smile': { units: { jawOpen: 0.6, mouthSmile_L: 1, mouthSmile_R: 1 } },
  'head yaw 0.4': { units: { jawOpen: 0.3 }, rotation: [0, 0.4, 0] },
  'head pitch 0.4': { units: {}, rotation: [0.4, 0, 0] },
  'head roll 0.4': { units: {}, rotation: [0, 0, 0.4] },
};

function motion(units: Record<string, number>, rotation: [number, number, number] = [0, 0, 0]): FaceMotion {
  const m = createNeutralFaceMotion();
  for (const [name, v] of Object.entries(units)) m.units[expressionUnitIndex(name)] = v;
  m.rotation.set(rotation);
  return m;
}

/** Renders `which` ('test-face' or a GLB URL) for each pose; returns { pose: dataURL }. */
export default async function render(which: string, mirror = false): Promise<Record<string, string>> {
  const canvas = document.createElement('canvas');
  canvas.width = 320;
  canvas.height = 320;
  document.body.appendChild(canvas);
  const engine = new Engine(canvas, true, { preserveDrawingBuffer: true });
  const scene = new Scene(engine);
  scene.clearColor = new Color4(0.16, 0.18, 0.22, 1);
  new HemisphericLight('light', new Vector3(-0.6, 0.8, 0.5), scene);
  const root = await loadGlb(which === 'test-face' ? await exportTestFaceGlb(scene) : which, scene);
  // Frame the meshes with morph targets (the face).
  const meshes = findMorphTargetManagers(root).map((b) => b.mesh);
  let min = new Vector3(Infinity, Infinity, Infinity);
  let max = new Vector3(-Infinity, -Infinity, -Infinity);
  for (const m of meshes) {
    m.computeWorldMatrix(true);
    const box = m.getBoundingInfo().boundingBox;
    min = Vector3.Minimize(min, box.minimumWorld);
    max = Vector3.Maximize(max, box.maximumWorld);
  }
  const centre = min.add(max).scale(0.5);
  const size = max.subtract(min).length();
  // A glTF character looks along +z once loaded (the loader's __root__ turns it round): put the camera there.
  const camera = new ArcRotateCamera('camera', Math.PI / 2, Math.PI / 2, size * 1.6, centre, scene);
  camera.minZ = size * 0.01;
  const applier = new RetargetApplier(root, { ...autoMap(root).table, mirror });
  await scene.whenReadyAsync();
  const out: Record<string, string> = {};
  for (const [name, pose] of Object.entries(POSES)) {
    applier.apply(motion(pose.units, pose.rotation));
    scene.render();
    scene.render();
    out[name] = canvas.toDataURL('image/png');
  }
  applier.dispose();
  scene.dispose();
  engine.dispose();
  return out;
}
