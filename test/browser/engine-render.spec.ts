import { Engine } from '@babylonjs/core/Engines/engine';
import { WebGPUEngine } from '@babylonjs/core/Engines/webgpuEngine';
import type { AbstractEngine } from '@babylonjs/core/Engines/abstractEngine';
import { Scene } from '@babylonjs/core/scene';
import { FreeCamera } from '@babylonjs/core/Cameras/freeCamera';
import { DirectionalLight } from '@babylonjs/core/Lights/directionalLight';
import { Vector3, Color3, Color4 } from '@babylonjs/core/Maths/math';
import { CreateSphere } from '@babylonjs/core/Meshes/Builders/sphereBuilder';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial';

const SIZE = 64;

function makeCanvas(): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = SIZE;
  canvas.height = SIZE;
  document.body.appendChild(canvas);
  return canvas;
}

/** A red sphere lit from the camera side on a blue background; returns RGBA pixels after a few frames. */
async function renderLitSphere(engine: AbstractEngine): Promise<Uint8Array> {
  const scene = new Scene(engine);
  scene.clearColor = new Color4(0, 0, 1, 1);
  const camera = new FreeCamera('camera', new Vector3(0, 0, -3), scene);
  camera.setTarget(Vector3.Zero());
  new DirectionalLight('light', new Vector3(0, 0, 1), scene).intensity = 1;
  const sphere = CreateSphere('sphere', { diameter: 1.5, segments: 24 }, scene);
  const material = new StandardMaterial('red', scene);
  material.diffuseColor = new Color3(1, 0, 0);
  material.specularColor = new Color3(0, 0, 0);
  sphere.material = material;
  await scene.whenReadyAsync();
  for (let i = 0; i < 3; i++) scene.render();
  const pixels = new Uint8Array((await engine.readPixels(0, 0, SIZE, SIZE, true)).buffer);
  scene.dispose();
  return pixels;
}

function pixelAt(p: Uint8Array, x: number, y: number): number[] {
  const i = (y * SIZE + x) * 4;
  return [p[i], p[i + 1], p[i + 2], p[i + 3]];
}

function expectLitSphere(pixels: Uint8Array): void {
  const [r, g, b] = pixelAt(pixels, SIZE / 2, SIZE / 2);
  // Centre: lit red sphere (diffuse N·L ≈ 1 facing the light).
  expect(r).toBeGreaterThan(180);
  expect(g).toBeLessThan(40);
  expect(b).toBeLessThan(40);
  // Corner: the clear colour.
  const corner = pixelAt(pixels, 1, 1);
  expect(corner[0]).toBeLessThan(20);
  expect(corner[2]).toBeGreaterThan(230);
  // Shading: the rim is darker than the centre, so the light (not just the material colour) shows.
  let rimRed = 255;
  for (let x = 0; x < SIZE / 2; x++) {
    const [rr, , bb] = pixelAt(pixels, x, SIZE / 2);
    if (bb < 40) {
      rimRed = rr;
      break;
    }
  }
  expect(rimRed).toBeLessThan(r - 40);
}

describe('Babylon engines render in headless Chromium', () => {
  it('WebGL2 Engine renders a lit mesh', async () => {
    const canvas = makeCanvas();
    const engine = new Engine(canvas, false, { preserveDrawingBuffer: true });
    expect(engine.webGLVersion).toBe(2);
    expectLitSphere(await renderLitSphere(engine));
    engine.dispose();
    canvas.remove();
  });

  it('WebGPUEngine renders a lit mesh', async () => {
    expect(await WebGPUEngine.IsSupportedAsync).toBeTrue();
    const canvas = makeCanvas();
    const engine = new WebGPUEngine(canvas);
    await engine.initAsync();
    expect(engine.isWebGPU).toBeTrue();
    expectLitSphere(await renderLitSphere(engine));
    engine.dispose();
    canvas.remove();
  });
});
