// A stylised head built here from spheres: its morph targets have names of its own (LidsDown_Left, MouthOpen,
// Grin, ...), which no preset knows, so it is driven through its own table (toon-head.table.json).
import type { Mesh } from '@babylonjs/core/Meshes/mesh';
import { TransformNode } from '@babylonjs/core/Meshes/transformNode';
import { CreateSphere } from '@babylonjs/core/Meshes/Builders/sphereBuilder';
import { VertexBuffer } from '@babylonjs/core/Buffers/buffer';
import { MorphTarget } from '@babylonjs/core/Morph/morphTarget';
import { MorphTargetManager } from '@babylonjs/core/Morph/morphTargetManager';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial';
import { Color3 } from '@babylonjs/core/Maths/math.color';
import { Vector3 } from '@babylonjs/core/Maths/math.vector';
import type { Scene } from '@babylonjs/core/scene';

type Shape = (x: number, y: number, z: number) => [number, number, number];

function material(scene: Scene, name: string, color: Color3, specular = 0.1): StandardMaterial {
  const m = new StandardMaterial(name, scene);
  m.diffuseColor = color;
  m.specularColor = new Color3(specular, specular, specular);
  return m;
}

/** A sphere whose rest shape and morph targets are functions of each vertex's position on the sphere. */
function shapedSphere(
  scene: Scene,
  name: string,
  diameter: number,
  rest: Shape,
  targets: Record<string, Shape>,
  segments = 24,
): Mesh {
  const mesh = CreateSphere(name, { diameter, segments, updatable: true }, scene);
  const base = mesh.getVerticesData(VertexBuffer.PositionKind)!;
  const apply = (shape: Shape) => {
    const out = new Float32Array(base.length);
    for (let i = 0; i < base.length; i += 3) out.set(shape(base[i], base[i + 1], base[i + 2]), i);
    return out;
  };
  mesh.setVerticesData(VertexBuffer.PositionKind, apply(rest), true);
  mesh.createNormals(true);
  const names = Object.keys(targets);
  if (names.length > 0) {
    const manager = new MorphTargetManager(scene);
    for (const t of names) {
      const target = new MorphTarget(t, 0, scene);
      target.setPositions(apply(targets[t]));
      manager.addTarget(target);
    }
    mesh.morphTargetManager = manager;
  }
  return mesh;
}

/** Root node 'toonHead' (the head rotation drives it), facing −z. */
export function createToonHead(scene: Scene): TransformNode {
  const root = new TransformNode('toonHead', scene);
  const skin = material(scene, 'toonSkin', new Color3(0.96, 0.72, 0.35));
  const dark = material(scene, 'toonDark', new Color3(0.25, 0.05, 0.08));
  const white = material(scene, 'toonWhite', new Color3(0.97, 0.97, 0.95), 0.4);
  const ink = material(scene, 'toonInk', new Color3(0.05, 0.05, 0.1), 0.6);
  const brow = material(scene, 'toonBrow', new Color3(0.35, 0.2, 0.1));

  const skull = shapedSphere(
    scene,
    'toonSkull',
    2,
    (x, y, z) => [x * 0.95, y * 1.05, z * 0.9],
    {
      CheeksOut: (x, y, z) => [x * (0.95 + 0.12 * Math.max(0, -y + 0.1) * Math.max(0, -z)), y * 1.05, z * 0.9],
    },
    32,
  );
  skull.material = skin;
  skull.parent = root;

  // Eyes: whites, pupils, and lids that slide down over them (a sphere flattened onto a cutting plane).
  const r = 0.2;
  for (const [side, sx] of [
    ['Left', 1],
    ['Right', -1],
  ] as const) {
    const centre = new Vector3(0.33 * sx, 0.2, -0.78);
    const eye = CreateSphere(`toonEye${side}`, { diameter: 2 * r, segments: 16 }, scene);
    eye.material = white;
    eye.position = centre;
    eye.parent = root;
    const pupil = CreateSphere(`toonPupil${side}`, { diameter: 0.9 * r, segments: 12 }, scene);
    pupil.material = ink;
    pupil.position = centre.add(new Vector3(0, 0, -0.72 * r));
    pupil.scaling.z = 0.4;
    pupil.parent = root;
    const cut =
      (h: number): Shape =>
      (x, y, z) => [x, Math.max(y, h), z];
    const lid = shapedSphere(
      scene,
      `toonLid${side}`,
      2.2 * r,
      cut(0.92 * r),
      { [`LidsDown_${side}`]: cut(-1.0 * r) },
      20,
    );
    lid.material = skin;
    lid.position = centre;
    lid.parent = root;
    // Brows: flattened spheres that rise (BrowsUp) or tilt inwards and down (Scowl).
    const b = shapedSphere(
      scene,
      `toonBrow${side}`,
      0.5,
      (x, y, z) => [x * 0.9, y * 0.18, z * 0.25],
      {
        BrowsUp: (x, y, z) => [x * 0.9, y * 0.18 + 0.14, z * 0.25],
        Scowl: (x, y, z) => [x * 0.9, y * 0.18 - 0.09 - 0.16 * Math.max(0, -x * sx), z * 0.25],
      },
      12,
    );
    b.material = brow;
    b.position = centre.add(new Vector3(0, 0.33, 0.05));
    b.parent = root;
  }

  // Mouth: a dark lens that opens, grins (corners up and out) and pouts (narrow, forward).
  const mouth = shapedSphere(
    scene,
    'toonMouth',
    1,
    (x, y, z) => [x * 0.55, y * 0.06, z * 0.2],
    {
      MouthOpen: (x, y, z) => [x * 0.48, y * 0.5 - 0.15, z * 0.25],
      Grin: (x, y, z) => [x * 0.75, y * 0.12 + 0.35 * x * x, z * 0.2],
      Pout: (x, y, z) => [x * 0.25, y * 0.14, z * 0.2 - 0.12],
    },
    20,
  );
  mouth.material = dark;
  mouth.position = new Vector3(0, -0.42, -0.82);
  mouth.parent = root;
  return root;
}
