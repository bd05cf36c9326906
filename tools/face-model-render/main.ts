// Renders the face model with Babylon: a contact sheet of the neutral face and each of the 46 units at 1.0, and
// the 478 face-mesh points on the neutral face. `npm run render:face-model` drives this page and saves the PNGs.
import { Engine } from '@babylonjs/core/Engines/engine';
import { Scene } from '@babylonjs/core/scene';
import { FreeCamera } from '@babylonjs/core/Cameras/freeCamera';
import { HemisphericLight } from '@babylonjs/core/Lights/hemisphericLight';
import { DirectionalLight } from '@babylonjs/core/Lights/directionalLight';
import { Vector3, Color3, Color4, Matrix } from '@babylonjs/core/Maths/math';
import { Mesh } from '@babylonjs/core/Meshes/mesh';
import { VertexData } from '@babylonjs/core/Meshes/mesh.vertexData';
import { VertexBuffer } from '@babylonjs/core/Buffers/buffer';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial';
import { FaceModel } from '../../plugin/face-model/face-model.js';
import { packagedFaceModelUrl } from '../../plugin/face-model-asset.js';
import { EXPRESSION_UNITS } from '../../plugin/units/expression-units.js';
import { NUM_FACE_LANDMARKS, NUM_MESH_POINTS } from '../../plugin/constants.js';

declare global {
  interface Window {
    faceModelPictures?: Promise<Record<string, string>>;
  }
}

// Model axes (x to the subject's left, y up, z towards the viewer) into Babylon's left-handed frame: z flips, and
// a camera on −z looking at +z sees the subject's left on the right of the picture, as a viewer facing them would.
function toBabylon(v: Float32Array): Float32Array {
  const out = Float32Array.from(v);
  for (let i = 2; i < out.length; i += 3) out[i] = -out[i];
  return out;
}

async function pictures(): Promise<Record<string, string>> {
  const model = await FaceModel.load(packagedFaceModelUrl());
  const canvas = document.getElementById('renderCanvas') as HTMLCanvasElement;
  const engine = new Engine(canvas, true, { preserveDrawingBuffer: true, stencil: true });
  const scene = new Scene(engine);
  scene.clearColor = new Color4(0.16, 0.16, 0.18, 1); // dark: the mouth and eye openings read as openings
  const camera = new FreeCamera('camera', new Vector3(0, 0, -600), scene);
  camera.setTarget(new Vector3(0, 0, 0));
  camera.fov = 0.33;
  new HemisphericLight('sky', new Vector3(0, 1, -0.3), scene).intensity = 0.55;
  const key = new DirectionalLight('key', new Vector3(0.4, -0.5, 1), scene);
  key.intensity = 0.75;

  // Eyeball vertices near the front pole (within the 5.9 mm iris radius) are painted dark: the iris shows gaze.
  const V = model.vertexCount;
  const mean = model.decode();
  const fm = model.faceMeshLandmarksOf(mean);
  const colors = new Float32Array(V * 4);
  for (let v = 0; v < V; v++) {
    let c = [0.87, 0.68, 0.58];
    const eye = v >= model.regions.eyeballRight[0] ? 468 : v >= model.regions.eyeballLeft[0] ? 473 : -1;
    if (eye >= 0) {
      const d = Math.hypot(mean[v * 3] - fm[eye * 3], mean[v * 3 + 1] - fm[eye * 3 + 1]);
      c =
        mean[v * 3 + 2] > fm[eye * 3 + 2] - 6 && d < 5.9
          ? d < 2.2
            ? [0.05, 0.05, 0.05]
            : [0.25, 0.4, 0.55]
          : [0.96, 0.96, 0.94];
    }
    colors.set([...c, 1], v * 4);
  }
  const mesh = new Mesh('face', scene);
  const data = new VertexData();
  data.positions = toBabylon(mean);
  data.normals = toBabylon(model.vertexNormals(mean));
  data.indices = Array.from(model.triangles);
  data.colors = colors;
  data.applyToMesh(mesh, true);
  const mat = new StandardMaterial('skin', scene);
  mat.backFaceCulling = false;
  mat.specularColor = new Color3(0.08, 0.08, 0.08);
  mesh.material = mat;
  await scene.whenReadyAsync(); // shaders compile asynchronously; a render before that draws nothing

  let alpha: Float32Array | undefined;
  const show = (beta?: Float32Array) => {
    const s = model.decode(alpha, beta);
    mesh.updateVerticesData(VertexBuffer.PositionKind, toBabylon(s));
    mesh.updateVerticesData(VertexBuffer.NormalKind, toBabylon(model.vertexNormals(s)));
    scene.render();
  };

  // Contact sheet: 8 columns, tiles of the engine canvas with a label under each.
  const contactSheet = (names: string[], cols: number, target: Vector3, fov: number): HTMLCanvasElement => {
    camera.position = new Vector3(target.x, target.y, -600);
    camera.setTarget(target);
    camera.fov = fov;
    const tileW = canvas.width,
      tileH = canvas.height,
      labelH = 24;
    const rows = Math.ceil(names.length / cols);
    const sheet = document.createElement('canvas');
    sheet.width = cols * tileW;
    sheet.height = rows * (tileH + labelH);
    const g = sheet.getContext('2d')!;
    g.fillStyle = '#fff';
    g.fillRect(0, 0, sheet.width, sheet.height);
    g.font = '17px sans-serif';
    g.textAlign = 'center';
    names.forEach((name, i) => {
      const beta = new Float32Array(EXPRESSION_UNITS.length);
      const u = EXPRESSION_UNITS.indexOf(name as never);
      if (u >= 0) beta[u] = 1;
      show(beta);
      const x = (i % cols) * tileW,
        y = Math.floor(i / cols) * (tileH + labelH);
      g.drawImage(canvas, x, y);
      g.fillStyle = '#222';
      g.fillText(name, x + tileW / 2, y + tileH + 17);
    });
    return sheet;
  };
  const sheet = contactSheet(['neutral', ...EXPRESSION_UNITS], 8, new Vector3(0, 0, 0), 0.33);
  // Close-ups: the eye and brow units around the eyes, the lower-face units around the mouth.
  engine.setSize(420, 170);
  await scene.whenReadyAsync();
  const eyes = contactSheet(['neutral', ...EXPRESSION_UNITS.slice(0, 19)], 4, new Vector3(0, 38, 0), 0.15);
  engine.setSize(300, 220);
  await scene.whenReadyAsync();
  const mouth = contactSheet(['neutral', ...EXPRESSION_UNITS.slice(19)], 7, new Vector3(0, -45, 0), 0.15);

  // Identities: α drawn from N(0, 1) (fixed seed), neutral expression and a smile with the jaw a little open.
  let seed = 2024;
  const rand = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  engine.setSize(260, 300);
  await scene.whenReadyAsync();
  camera.position = new Vector3(0, 0, -600);
  camera.setTarget(Vector3.Zero());
  camera.fov = 0.33;
  const identities = document.createElement('canvas');
  identities.width = 8 * 260;
  identities.height = 2 * 300;
  const gi = identities.getContext('2d')!;
  const smile = new Float32Array(EXPRESSION_UNITS.length);
  for (const [u, w] of [
    ['mouthSmile_L', 0.8],
    ['mouthSmile_R', 0.8],
    ['jawOpen', 0.25],
    ['cheekUp_L', 0.5],
    ['cheekUp_R', 0.5],
  ] as const)
    smile[EXPRESSION_UNITS.indexOf(u)] = w;
  for (let i = 0; i < 8; i++) {
    alpha = Float32Array.from({ length: model.identityCount }, gauss);
    show();
    gi.drawImage(canvas, i * 260, 0);
    show(smile);
    gi.drawImage(canvas, i * 260, 300);
  }
  alpha = undefined;

  // Correspondences: the neutral face, large, with the 478 points projected on it.
  engine.setSize(800, 960);
  await scene.whenReadyAsync();
  camera.position = new Vector3(0, 0, -600);
  camera.setTarget(Vector3.Zero());
  camera.fov = 0.33;
  show();
  const big = document.createElement('canvas');
  big.width = 800;
  big.height = 960;
  const b = big.getContext('2d')!;
  b.drawImage(canvas, 0, 0);
  const transform = scene.getTransformMatrix();
  const viewport = camera.viewport.toGlobal(800, 960);
  const project = (k: number, pts: Float32Array) =>
    Vector3.Project(new Vector3(pts[k * 3], pts[k * 3 + 1], -pts[k * 3 + 2]), Matrix.Identity(), transform, viewport);
  const contour = new Set([
    33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173, 263, 249, 390, 373, 374, 380, 381, 382,
    362, 466, 388, 387, 386, 385, 384, 398, 78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 191, 80, 81, 82, 13, 312,
    311, 310, 415,
  ]);
  for (let k = 0; k < NUM_FACE_LANDMARKS; k++) {
    const p = project(k, fm);
    b.fillStyle = k >= NUM_MESH_POINTS ? '#1565c0' : contour.has(k) ? '#d50000' : '#00a000';
    b.beginPath();
    b.arc(p.x, p.y, k >= NUM_MESH_POINTS ? 3.5 : 2.6, 0, 2 * Math.PI);
    b.fill();
  }
  const lm = model.landmarks68Of(mean);
  b.strokeStyle = '#ff9800';
  b.lineWidth = 2;
  for (let i = 0; i < 68; i++) {
    const p = project(i, lm);
    b.beginPath();
    b.moveTo(p.x - 5, p.y - 5);
    b.lineTo(p.x + 5, p.y + 5);
    b.moveTo(p.x + 5, p.y - 5);
    b.lineTo(p.x - 5, p.y + 5);
    b.stroke();
  }
  b.fillStyle = 'rgba(255, 255, 255, 0.85)';
  b.fillRect(0, 0, 800, 50);
  b.fillStyle = '#222';
  b.font = '16px sans-serif';
  b.fillText(
    '478 face-mesh points on the neutral model: green surface points, red eye and inner-lip contours (on the',
    10,
    20,
  );
  b.fillText(
    'lid and mouth boundary loops, inside the lips), blue iris points; orange crosses: the 68 iBUG landmark vertices',
    10,
    40,
  );
  engine.dispose();
  return {
    'contact-sheet': sheet.toDataURL('image/png'),
    'eye-units': eyes.toDataURL('image/png'),
    'mouth-units': mouth.toDataURL('image/png'),
    identities: identities.toDataURL('image/png'),
    correspondences: big.toDataURL('image/png'),
  };
}

window.faceModelPictures = pictures();
