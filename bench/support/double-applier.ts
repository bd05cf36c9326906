// The character the browser benches drive: the face model's digital double in a small Babylon scene on its own
// 64 px canvas, with the retarget table of the CPEM units.
import { Engine } from '@babylonjs/core/Engines/engine';
import { Scene } from '@babylonjs/core/scene';
import { FaceModel } from '../../plugin/face-model/face-model.js';
import { packagedFaceModelUrl } from '../../plugin/face-model-asset.js';
import { RetargetApplier } from '../../plugin/retarget/morph-target-applier.js';
import { cpemUnitsRetargetTable } from '../../plugin/retarget/presets/cpem-units.js';
import { createDigitalDouble } from '../../sample-scene/digital-double.js';

export interface DoubleApplier {
  applier: RetargetApplier;
  /** Disposes the applier, the scene, the engine and removes the canvas. */
  dispose(): void;
}

export async function createDoubleApplier(): Promise<DoubleApplier> {
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 64;
  document.body.appendChild(canvas);
  const engine = new Engine(canvas, false);
  const scene = new Scene(engine);
  const applier = new RetargetApplier(
    createDigitalDouble(await FaceModel.load(packagedFaceModelUrl()), scene),
    cpemUnitsRetargetTable(),
  );
  return {
    applier,
    dispose() {
      applier.dispose();
      scene.dispose();
      engine.dispose();
      canvas.remove();
    },
  };
}
