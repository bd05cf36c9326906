// Retarget tables applied to glTF characters on a real Babylon engine: a test face this spec builds, exports to
// GLB and loads back, and (when ../shared is present) the Ready Player Me avatar with all 52 ARKit targets.
import { Engine } from '@babylonjs/core/Engines/engine';
import { WebGPUEngine } from '@babylonjs/core/Engines/webgpuEngine';
import type { AbstractEngine } from '@babylonjs/core/Engines/abstractEngine';
import type { Effect } from '@babylonjs/core/Materials/effect';
import { Scene } from '@babylonjs/core/scene';
import { FreeCamera } from '@babylonjs/core/Cameras/freeCamera';
import { HemisphericLight } from '@babylonjs/core/Lights/hemisphericLight';
import { Vector3, Quaternion } from '@babylonjs/core/Maths/math.vector';
import { TransformNode } from '@babylonjs/core/Meshes/transformNode';
import { CreateBox } from '@babylonjs/core/Meshes/Builders/boxBuilder';
import { Bone } from '@babylonjs/core/Bones/bone.pure';
import { Skeleton } from '@babylonjs/core/Bones/skeleton';
import { Space } from '@babylonjs/core/Maths/math.axis';
import type { AbstractMesh } from '@babylonjs/core/Meshes/abstractMesh';
import { createNeutralFaceMotion, type FaceMotion } from '../../plugin/motion/face-motion.js';
import { expressionUnitIndex } from '../../plugin/units/expression-units.js';
import { isCpemError } from '../../plugin/errors/cpem-error.js';
import { RetargetApplier, type RetargetWarning } from '../../plugin/retarget/morph-target-applier.js';
import { autoMap } from '../../plugin/retarget/auto-map.js';
import { arkitRetargetTable, ARKIT_BLENDSHAPES } from '../../plugin/retarget/presets/arkit.js';
import { findMorphTargetManagers } from '../../plugin/retarget/character.js';
import type { RetargetTable } from '../../plugin/retarget/retarget-table.js';
import { exportTestFaceGlb, loadGlb } from '../support/arkit-test-face.js';

function motion(units: Record<string, number>, rotation: [number, number, number] = [0, 0, 0]): FaceMotion {
  const m = createNeutralFaceMotion();
  for (const [name, v] of Object.entries(units)) m.units[expressionUnitIndex(name)] = v;
  m.rotation.set(rotation);
  return m;
}

/** Influence of every target called `name` under `root` (one per primitive that has it). */
function influences(root: TransformNode, name: string): number[] {
  return findMorphTargetManagers(root)
    .map(({ manager }) => manager.getTargetByName(name)?.influence)
    .filter((v): v is number => v !== undefined);
}

async function newScene(engine: AbstractEngine): Promise<Scene> {
  const scene = new Scene(engine);
  const camera = new FreeCamera('camera', new Vector3(0, 0, -3), scene);
  camera.setTarget(Vector3.Zero());
  new HemisphericLight('light', new Vector3(0, 1, -1), scene);
  return scene;
}

/** Counts distinct effects the engine hands out, i.e. shader programs built or looked up. */
function trackEffects(engine: AbstractEngine): Set<Effect> {
  const seen = new Set<Effect>();
  const original = engine.createEffect.bind(engine);
  engine.createEffect = ((...args: Parameters<AbstractEngine['createEffect']>) => {
    const effect = original(...args);
    seen.add(effect);
    return effect;
  }) as AbstractEngine['createEffect'];
  return seen;
}

function makeCanvas(): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 64;
  document.body.appendChild(canvas);
  return canvas;
}

async function glbRoundTrip(engine: AbstractEngine): Promise<void> {
  const scene = await newScene(engine);
  try {
    const glb = await exportTestFaceGlb(scene);
    expect(glb.byteLength).toBeGreaterThan(1000);
    const root = await loadGlb(glb, scene);
    const bindings = findMorphTargetManagers(root);
    expect(bindings.length).toBe(1);
    const { mesh, manager } = bindings[0];
    expect(manager.numTargets).toBe(7);
    manager.getTargetByName('customWobble')!.influence = 0.3;
    // Babylon's glTF loader pins the influencer count itself (useMaxMorphTargetInfluencers); undo that so the
    // applier's own handling is what is tested, as for a manager built in code.
    expect(manager.numMaxInfluencers).toBe(7);
    manager.optimizeInfluencers = true;
    manager.numMaxInfluencers = 0;

    const auto = autoMap(root);
    expect(auto.preset).toBe('arkit');
    expect(auto.mapped.map((m) => m.target).sort()).toEqual([
      'cheekPuff',
      'eyeBlinkLeft',
      'eyeBlinkRight',
      'jawOpen',
      'mouthSmileLeft',
      'mouthSmileRight',
    ]);
    expect(auto.unmapped).toEqual(['customWobble']);
    expect(auto.head).toBeNull();

    const applier = new RetargetApplier(root, auto.table);
    expect(applier.boundTargetCount).toBe(6);
    expect(manager.isUsingTextureForTargets).toBeTrue();
    expect(manager.numMaxInfluencers).toBe(7);

    const effects = trackEffects(engine);
    // Babylon re-checks the materials of a mesh whose set of active targets changed (a target crossing 0).
    let attributeResets = 0;
    const markDirty = mesh._markSubMeshesAsAttributesDirty.bind(mesh);
    mesh._markSubMeshesAsAttributesDirty = () => {
      attributeResets++;
      markDirty();
    };
    applier.apply(motion({}));
    await scene.whenReadyAsync();
    scene.render();
    const effect = mesh.subMeshes[0].effect;
    expect(effect).toBeTruthy();
    const effectsAfterFirstFrame = effects.size;
    const activeAfterFirstFrame = manager.numInfluencers;
    attributeResets = 0;

    // Frames whose units go to 0 and back, on every driven target.
    const frames: Array<Record<string, number>> = [
      { eyeClose_L: 1, jawOpen: 0.5 },
      {},
      { mouthSmile_L: 0.7, mouthSmile_R: 0.2, cheekPuff: 1 },
      { eyeClose_R: 0.4 },
      {},
    ];
    for (const units of frames) {
      applier.apply(motion(units));
      scene.render();
      expect(mesh.subMeshes[0].effect).withContext('same shader across frames').toBe(effect);
      expect(manager.numInfluencers).withContext('active target count is constant').toBe(activeAfterFirstFrame);
    }
    expect(effects.size).withContext('no new shader after the first frame').toBe(effectsAfterFirstFrame);
    expect(attributeResets).withContext('no active-set changes after the first frame').toBe(0);

    applier.apply(motion({ eyeClose_L: 1, jawOpen: 0.5, mouthSmile_R: 0.25 }));
    expect(manager.getTargetByName('eyeBlinkLeft')!.influence).toBeCloseTo(1, 6);
    expect(manager.getTargetByName('jawOpen')!.influence).toBeCloseTo(0.5, 6);
    expect(manager.getTargetByName('mouthSmileRight')!.influence).toBeCloseTo(0.25, 6);
    expect(manager.getTargetByName('eyeBlinkRight')!.influence).toBeLessThan(1e-4);
    expect(manager.getTargetByName('customWobble')!.influence)
      .withContext('a target the table does not name is left alone')
      .toBe(0.3);

    applier.dispose();
    expect(manager.getTargetByName('eyeBlinkLeft')!.influence).toBe(0);
    expect(manager.getTargetByName('customWobble')!.influence).toBe(0.3);
  } finally {
    scene.dispose();
  }
}

describe('retargeting onto a glTF character', () => {
  let engine: Engine;
  let canvas: HTMLCanvasElement;
  beforeAll(() => {
    canvas = makeCanvas();
    engine = new Engine(canvas, false, { preserveDrawingBuffer: true });
  });
  afterAll(() => {
    engine.dispose();
    canvas.remove();
  });

  it('drives a GLB exported with @babylonjs/serializers and loaded back (WebGL2), without shader changes', async () => {
    expect(engine.webGLVersion).toBe(2);
    await glbRoundTrip(engine);
  });

  it('does the same on WebGPU', async () => {
    const gpuCanvas = makeCanvas();
    const gpu = new WebGPUEngine(gpuCanvas);
    await gpu.initAsync();
    try {
      await glbRoundTrip(gpu);
    } finally {
      gpu.dispose();
      gpuCanvas.remove();
    }
  });

  it('reports a character without morph targets and a table naming targets it lacks', async () => {
    const scene = await newScene(engine);
    try {
      const box = CreateBox('crate', {}, scene);
      expect(() => autoMap(box)).toThrowMatching(
        (e) => isCpemError(e, 'NO_MORPH_TARGETS') && /"crate"/.test(e.message),
      );
      expect(() => new RetargetApplier(box, arkitRetargetTable())).toThrowMatching((e) =>
        isCpemError(e, 'NO_MORPH_TARGETS'),
      );
      const root = await loadGlb(await exportTestFaceGlb(scene), scene);
      // The full ARKit preset names 46 targets this face lacks: an error listing them, unless allowed.
      expect(() => new RetargetApplier(root, arkitRetargetTable())).toThrowMatching(
        (e) =>
          isCpemError(e, 'RETARGET_TABLE_INVALID') &&
          /46 problems/.test(e.message) &&
          /targets\[\d+\]\.target: the character has no morph target "tongueOut"/.test(e.message),
      );
      const lenient = new RetargetApplier(root, arkitRetargetTable(), { allowMissingTargets: true });
      expect(lenient.boundTargetCount).toBe(6);
      expect(
        () =>
          new RetargetApplier(root, {
            version: 1,
            targets: [{ target: 'jawOpen', units: { jawOpn: 1 } }],
            head: { node: 'Neck' },
          }),
      ).toThrowMatching(
        (e) =>
          isCpemError(e, 'RETARGET_TABLE_INVALID') &&
          /targets\[0\]\.units\.jawOpn/.test(e.message) &&
          /head\.node/.test(e.message),
      );
    } finally {
      scene.dispose();
    }
  });

  it('survives targets removed at run time and clamps bad unit values, reporting each once', async () => {
    const scene = await newScene(engine);
    try {
      const root = await loadGlb(await exportTestFaceGlb(scene), scene);
      const warnings: RetargetWarning[] = [];
      const applier = new RetargetApplier(root, autoMap(root).table, { onWarning: (w) => warnings.push(w) });
      const { manager } = findMorphTargetManagers(root)[0];

      const bad = motion({ jawOpen: 1.7, eyeClose_L: -3 });
      bad.units[expressionUnitIndex('mouthSmile_L')] = Number.NaN;
      applier.apply(bad);
      applier.apply(bad);
      expect(manager.getTargetByName('jawOpen')!.influence).toBe(1);
      expect(manager.getTargetByName('eyeBlinkLeft')!.influence).toBeLessThan(1e-4);
      expect(manager.getTargetByName('mouthSmileLeft')!.influence).toBeLessThan(1e-4);
      expect(warnings.map((w) => w.code)).toEqual(['UNIT_NAN', 'UNIT_OUT_OF_RANGE']);
      expect(warnings[0].message).toContain('mouthSmile_L');

      manager.removeTarget(manager.getTargetByName('jawOpen')!);
      applier.apply(motion({ eyeClose_R: 0.6 }));
      applier.apply(motion({ eyeClose_R: 0.8 }));
      expect(manager.getTargetByName('eyeBlinkRight')!.influence).toBeCloseTo(0.8, 6);
      expect(warnings.map((w) => w.code)).toEqual(['UNIT_NAN', 'UNIT_OUT_OF_RANGE', 'TARGETS_CHANGED', 'TARGET_LOST']);
      expect(warnings[3].message).toContain('jawOpen');
      expect(applier.boundTargetCount).toBe(5);
      applier.dispose();
    } finally {
      scene.dispose();
    }
  });

  it('turns the head node by the FaceMotion rotation, mirrored for a selfie view', async () => {
    const scene = await newScene(engine);
    try {
      const root = await loadGlb(await exportTestFaceGlb(scene), scene);
      const neck = new TransformNode('Neck', scene);
      neck.parent = root;
      neck.rotationQuaternion = Quaternion.RotationAxis(Vector3.Right(), 0.3);
      const rest = neck.rotationQuaternion.clone();
      const table: RetargetTable = {
        version: 1,
        targets: [{ target: 'jawOpen', units: { jawOpen: 1 } }],
        head: { node: 'Neck', signs: [1, -1, 1], scale: 0.5 },
      };
      // Default order 'ZYX': q(roll about z) · q(yaw about y) · q(pitch about x), on top of the rest rotation.
      const axis = (v: Vector3, a: number) => Quaternion.RotationAxis(v, a);
      const expected = (pitch: number, yaw: number, roll: number) =>
        rest.multiply(
          axis(Vector3.Forward(), roll).multiply(axis(Vector3.Up(), yaw)).multiply(axis(Vector3.Right(), pitch)),
        );
      const close = (a: Quaternion, b: Quaternion) => Math.abs(Quaternion.Dot(a, b)) > 1 - 1e-6;

      const applier = new RetargetApplier(root, table);
      applier.apply(motion({}, [0.2, 0.4, -0.1]));
      expect(close(neck.rotationQuaternion, expected(0.1, -0.2, -0.05))).toBeTrue();
      applier.dispose();
      expect(close(neck.rotationQuaternion, rest)).toBeTrue();

      const mirrored = new RetargetApplier(root, { ...table, mirror: true });
      mirrored.apply(motion({}, [0.2, 0.4, -0.1]));
      expect(close(neck.rotationQuaternion, expected(0.1, 0.2, 0.05))).toBeTrue();
      mirrored.dispose();

      // A bone without a TransformNode (a skeleton built in code), with axes remapped for a Z-up rig.
      const skeleton = new Skeleton('rig', 'rig', scene);
      const bone = new Bone('HeadBone', skeleton);
      findMorphTargetManagers(root)[0].mesh.skeleton = skeleton;
      const boneApplier = new RetargetApplier(root, {
        version: 1,
        targets: [],
        head: { node: 'HeadBone', axes: ['x', 'z', 'y'], order: 'ZXY' },
      });
      boneApplier.apply(motion({}, [0.3, 0.5, 0]));
      const q = bone.getRotationQuaternion(Space.LOCAL);
      expect(
        close(
          q,
          Quaternion.RotationAxis(Vector3.Forward(), 0.5).multiply(Quaternion.RotationAxis(Vector3.Right(), 0.3)),
        ),
      ).toBeTrue();
      boneApplier.dispose();
      expect(close(bone.getRotationQuaternion(Space.LOCAL), Quaternion.Identity())).toBeTrue();
    } finally {
      scene.dispose();
    }
  });
});

/** URL of a served ../shared file (karma serves files outside basePath under /absolute/...), or null. */
function sharedFileUrl(suffix: string): string | null {
  const files = (window as unknown as { __karma__?: { files?: Record<string, string> } }).__karma__?.files ?? {};
  return Object.keys(files).find((f) => f.endsWith(suffix)) ?? null;
}

describe('retargeting onto the Ready Player Me avatar (../shared/avatars)', () => {
  let engine: Engine;
  let canvas: HTMLCanvasElement;
  let scene: Scene;
  let root: TransformNode | null = null;

  beforeAll(async () => {
    const url = sharedFileUrl('/avatars/rpm_brunette-t.glb');
    if (!url || !(await fetch(url, { method: 'HEAD' })).ok) return;
    canvas = makeCanvas();
    engine = new Engine(canvas, false, { preserveDrawingBuffer: true });
    scene = await newScene(engine);
    root = await loadGlb(url, scene);
  });
  afterAll(() => {
    scene?.dispose();
    engine?.dispose();
    canvas?.remove();
  });
  const needAvatar = () => {
    if (!root) pending('../shared/avatars/rpm_brunette-t.glb is not present');
    return root!;
  };
  const eyeTargets = (r: TransformNode) =>
    [
      ...new Set(
        findMorphTargetManagers(r).flatMap(({ manager }) =>
          Array.from({ length: manager.numTargets }, (_, i) => manager.getTarget(i).name),
        ),
      ),
    ].filter((n) => n.startsWith('eye'));

  it('the ARKit preset maps every one of its 52 ARKit targets', () => {
    const avatar = needAvatar();
    const names = new Set(
      findMorphTargetManagers(avatar).flatMap(({ manager }) =>
        Array.from({ length: manager.numTargets }, (_, i) => manager.getTarget(i).name),
      ),
    );
    const arkitOnAvatar = [...names].filter((n) => !n.startsWith('viseme_'));
    expect(arkitOnAvatar.length).toBe(52);
    const preset = new Set(arkitRetargetTable().targets.map((r) => r.target));
    expect(arkitOnAvatar.filter((n) => !preset.has(n))).toEqual([]);
    expect(ARKIT_BLENDSHAPES.filter((n) => !names.has(n))).toEqual([]);
    const auto = autoMap(avatar);
    expect(auto.preset).toBe('arkit');
    expect(auto.mapped.length).toBe(52);
    expect(auto.missing).toEqual([]);
  });

  it('eyeClose_L = 1 drives eyeBlinkLeft and no other eye target; mirroring swaps the two', () => {
    const avatar = needAvatar();
    const eyes = eyeTargets(avatar);
    expect(eyes.length).toBe(14);
    const visemesBefore = influences(avatar, 'viseme_aa');

    const applier = new RetargetApplier(avatar, arkitRetargetTable());
    expect(applier.boundManagers.length).toBe(4); // head, teeth and both eyes carry the ARKit targets
    applier.apply(motion({ eyeClose_L: 1 }));
    for (const name of eyes) {
      const values = influences(avatar, name);
      expect(values.length).withContext(name).toBe(4);
      for (const v of values) {
        if (name === 'eyeBlinkLeft') expect(v).withContext(name).toBeCloseTo(1, 6);
        else expect(v).withContext(name).toBeLessThan(1e-4);
      }
    }
    expect(influences(avatar, 'viseme_aa')).withContext('visemes are left alone').toEqual(visemesBefore);
    applier.dispose();

    const mirrored = new RetargetApplier(avatar, { ...arkitRetargetTable(), mirror: true });
    mirrored.apply(motion({ eyeClose_L: 1 }));
    for (const name of eyes) {
      for (const v of influences(avatar, name)) {
        if (name === 'eyeBlinkRight') expect(v).withContext(name).toBeCloseTo(1, 6);
        else expect(v).withContext(name).toBeLessThan(1e-4);
      }
    }
    mirrored.dispose();
  });

  it('autoMap drives the Head bone so the avatar follows the FaceMotion head pose convention', () => {
    const avatar = needAvatar();
    const auto = autoMap(avatar);
    expect(auto.head).toBe('Head');
    const node = (n: string) => scene.getTransformNodeByName(n)!;
    const at = (n: string) => {
      avatar.computeWorldMatrix(true);
      for (const name of ['Hips', 'Spine', 'Spine1', 'Spine2', 'Neck', 'Head', n]) node(name).computeWorldMatrix(true);
      return node(n).getAbsolutePosition().clone();
    };
    // Loaded glTF characters face +z; the subject's left is −x (the left eye's side).
    expect(at('LeftEye').x).toBeLessThan(-0.02);
    const top0 = at('HeadTop_End');
    const eyes0 = at('LeftEye').add(at('RightEye')).scale(0.5);
    const applier = new RetargetApplier(avatar, auto.table);
    applier.apply(motion({}, [0.4, 0, 0]));
    expect(at('LeftEye').add(at('RightEye')).scale(0.5).y)
      .withContext('pitch > 0 looks down')
      .toBeLessThan(eyes0.y - 0.02);
    applier.apply(motion({}, [0, 0.4, 0]));
    expect(at('LeftEye').add(at('RightEye')).scale(0.5).x)
      .withContext("yaw > 0 turns to the subject's left")
      .toBeLessThan(eyes0.x - 0.015);
    applier.apply(motion({}, [0, 0, 0.4]));
    expect(at('HeadTop_End').x)
      .withContext("roll > 0 tilts the top of the head to the subject's right")
      .toBeGreaterThan(top0.x + 0.04);
    applier.dispose();
    expect(Vector3.Distance(at('HeadTop_End'), top0)).toBeLessThan(1e-6);
  });

  it('renders the driven avatar with one shader per material across frames', async () => {
    const avatar = needAvatar();
    for (const { manager } of findMorphTargetManagers(avatar)) {
      manager.optimizeInfluencers = true;
      manager.numMaxInfluencers = 0;
    }
    const applier = new RetargetApplier(avatar, arkitRetargetTable());
    const effects = trackEffects(engine);
    applier.apply(motion({ jawOpen: 0.6, mouthSmile_L: 0.5 }));
    await scene.whenReadyAsync();
    scene.render();
    const head = findMorphTargetManagers(avatar).find(({ mesh }) => mesh.name.includes('Head'))!.mesh as AbstractMesh;
    const effect = head.subMeshes[0].effect;
    const count = effects.size;
    for (let i = 0; i < 4; i++) {
      applier.apply(motion(i % 2 ? {} : { eyeClose_L: 1, jawOpen: 0.3 }));
      scene.render();
    }
    expect(head.subMeshes[0].effect).toBe(effect);
    expect(effects.size).toBe(count);
    for (const b of applier.boundManagers) expect(b.manager.numMaxInfluencers).toBe(67);
    applier.dispose();
  });
});
