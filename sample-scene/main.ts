import { Engine } from '@babylonjs/core/Engines/engine';
import { WebGPUEngine } from '@babylonjs/core/Engines/webgpuEngine';
import type { AbstractEngine } from '@babylonjs/core/Engines/abstractEngine';
import { Scene } from '@babylonjs/core/scene';
import { ArcRotateCamera } from '@babylonjs/core/Cameras/arcRotateCamera';
import { HemisphericLight } from '@babylonjs/core/Lights/hemisphericLight';
import { DirectionalLight } from '@babylonjs/core/Lights/directionalLight';
import { Vector3, Color3, Color4 } from '@babylonjs/core/Maths/math';
import { CreateSphere } from '@babylonjs/core/Meshes/Builders/sphereBuilder';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial';
import { EXPRESSION_UNITS } from '../plugin/index.js';

/** Engine from the `?engine=` query (webgl | webgpu); WebGPU falls back to WebGL2 where unavailable. */
async function createEngine(canvas: HTMLCanvasElement): Promise<AbstractEngine> {
  const wanted = new URLSearchParams(location.search).get('engine') ?? 'webgl';
  if (wanted === 'webgpu' && (await WebGPUEngine.IsSupportedAsync)) {
    const engine = new WebGPUEngine(canvas, { antialias: true });
    await engine.initAsync();
    return engine;
  }
  return new Engine(canvas, true, { preserveDrawingBuffer: true, stencil: true });
}

function createScene(engine: AbstractEngine, canvas: HTMLCanvasElement): Scene {
  const scene = new Scene(engine);
  scene.clearColor = new Color4(0.08, 0.09, 0.11, 1);
  const camera = new ArcRotateCamera('camera', -Math.PI / 2, Math.PI / 2.2, 4, Vector3.Zero(), scene);
  camera.attachControl(canvas, true);
  new HemisphericLight('sky', new Vector3(0, 1, 0), scene).intensity = 0.6;
  const key = new DirectionalLight('key', new Vector3(-0.5, -0.6, 1), scene);
  key.intensity = 0.9;
  const head = CreateSphere('head', { diameterX: 1.5, diameterY: 1.9, diameterZ: 1.6, segments: 48 }, scene);
  const skin = new StandardMaterial('skin', scene);
  skin.diffuseColor = new Color3(0.85, 0.66, 0.55);
  skin.specularColor = new Color3(0.15, 0.15, 0.15);
  head.material = skin;
  return scene;
}

async function main(): Promise<void> {
  const canvas = document.getElementById('renderCanvas') as HTMLCanvasElement;
  const status = document.getElementById('status')!;
  const engine = await createEngine(canvas);
  const scene = createScene(engine, canvas);
  let frames = 0;
  engine.runRenderLoop(() => {
    scene.render();
    if (++frames === 2) {
      document.body.dataset.ready = 'true';
      status.textContent = `${engine.isWebGPU ? 'WebGPU' : 'WebGL2'} · ${EXPRESSION_UNITS.length} expression units`;
    }
  });
  addEventListener('resize', () => engine.resize());
}

main().catch((e: unknown) => {
  document.getElementById('status')!.textContent = `error: ${e instanceof Error ? e.message : String(e)}`;
  document.body.dataset.error = 'true';
  console.error(e);
});
