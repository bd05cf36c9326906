// The sample scene served by `npm start`: a webcam (or a video file) drives a digital double built from the face
// model and a stylised head with its own table; a live table editor, an overlay of the landmarks and the
// reconstructed face on the video, frame rate and per-stage latency, and your own GLB, auto-mapped.
//   ?engine=webgl|webgpu   ?backend=auto|webgpu|webgl|wasm|cpu   ?weights=sandbox (PE-Net from the training sandbox)
//   ?video=URL (start on that video instead of the webcam)   ?source=none (start nothing)
//   ?inference=worker (tracker and PE-Net in a Web Worker; the shipped weights only)
import * as tf from '@tensorflow/tfjs-core';
import { Engine } from '@babylonjs/core/Engines/engine';
import { WebGPUEngine } from '@babylonjs/core/Engines/webgpuEngine';
import type { AbstractEngine } from '@babylonjs/core/Engines/abstractEngine';
import { Scene } from '@babylonjs/core/scene';
import { ArcRotateCamera } from '@babylonjs/core/Cameras/arcRotateCamera';
import { HemisphericLight } from '@babylonjs/core/Lights/hemisphericLight';
import { DirectionalLight } from '@babylonjs/core/Lights/directionalLight';
import { Vector3, Quaternion } from '@babylonjs/core/Maths/math.vector';
import { Color3, Color4 } from '@babylonjs/core/Maths/math.color';
import { TransformNode } from '@babylonjs/core/Meshes/transformNode';
import type { Node } from '@babylonjs/core/node';
import { LoadAssetContainerAsync } from '@babylonjs/core/Loading/sceneLoader';
import type { AssetContainer } from '@babylonjs/core/assetContainer';
import { Bone } from '@babylonjs/core/Bones/bone.pure';
import { Skeleton } from '@babylonjs/core/Bones/skeleton';
import '@babylonjs/loaders/glTF/2.0';
import {
  FaceRetargetBehavior,
  RetargetApplier,
  autoMap,
  cpemUnitsRetargetTable,
  formatRetargetIssues,
  isCpemError,
  validateRetargetTable,
  ROW_DEFAULTS,
  type EstimatedFaceMotion,
  type FaceMotion,
  type RetargetTable,
} from '../plugin/index.js';
import { findHeadNode, collectMorphTargetNames, collectNodeNames } from '../plugin/retarget/index.js';
import { FaceModel, packagedFaceModelUrl } from '../plugin/face-model/index.js';
import { inferenceWorker } from '../plugin/worker/index.js';
import type { TrackerBackend } from '../plugin/tracker/backend.js';
import type { FrameAccess } from '../plugin/tracker/frame-access.js';
import { createDigitalDouble } from './digital-double.js';
import { createToonHead } from './toon-head.js';
import { createRecordingPanel } from './recording-panel.js';
import { createCalibrationPanel, storedProfile } from './calibration-panel.js';
import toonTable from './toon-head.table.json';

const params = new URLSearchParams(location.search);
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $('status');
const message = $('message');
const SANDBOX_KEY = 'indexeddb://babylon-cpem-sandbox-pe-net';
/** Which weights the page runs on, when not the shipped ones: shown again whenever old errors are cleared. */
let weightsNote = '';

/** One character on stage and the table that drives it. */
interface Character {
  label: string;
  root: Node;
  table: RetargetTable;
  /** Applies the table; the double's goes through the behavior, the others through their own applier. */
  applier: RetargetApplier | null;
}

async function createEngine(canvas: HTMLCanvasElement): Promise<AbstractEngine> {
  if (params.get('engine') === 'webgpu' && (await WebGPUEngine.IsSupportedAsync)) {
    const engine = new WebGPUEngine(canvas, { antialias: true });
    await engine.initAsync();
    return engine;
  }
  return new Engine(canvas, true, { preserveDrawingBuffer: true, stencil: true });
}

function createStage(engine: AbstractEngine, canvas: HTMLCanvasElement): Scene {
  const scene = new Scene(engine);
  scene.clearColor = new Color4(0.08, 0.09, 0.11, 1);
  const camera = new ArcRotateCamera('camera', -Math.PI / 2, Math.PI / 2.1, 6.2, new Vector3(0, 0.1, 0), scene);
  camera.minZ = 0.05;
  camera.wheelPrecision = 40;
  camera.attachControl(canvas, true);
  const sky = new HemisphericLight('sky', new Vector3(0, 1, -0.4), scene);
  sky.intensity = 0.55;
  sky.groundColor = new Color3(0.25, 0.22, 0.2);
  const key = new DirectionalLight('key', new Vector3(0.4, -0.5, 1), scene);
  key.intensity = 1.15;
  return scene;
}

/** PE-Net weights: the shipped ones (undefined), or (with ?weights=sandbox) what the training sandbox stored in IndexedDB. */
async function chooseWeights(): Promise<tf.io.IOHandler | undefined> {
  if (params.get('weights') !== 'sandbox') return undefined;
  const stored = await tf.io.listModels().catch(() => ({}) as Record<string, unknown>);
  if (!(SANDBOX_KEY in stored)) {
    weightsNote =
      'No sandbox weights in this browser (IndexedDB babylon-cpem-sandbox-pe-net): train on /training and ' +
      'send them here. Using the shipped weights.';
    message.textContent = weightsNote;
    return undefined;
  }
  weightsNote = 'Using the PE-Net weights from the training sandbox.';
  message.textContent = weightsNote;
  // Loaded by the behavior once the tracker has picked the TF.js backend.
  return tf.io.getLoadHandlers(SANDBOX_KEY)[0];
}

function showError(e: unknown): void {
  const text = isCpemError(e) ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
  // An error (say, no camera) does not hide which weights are in use.
  message.textContent = weightsNote ? `${text}\n${weightsNote}` : text;
  document.body.dataset.lastError = isCpemError(e) ? e.code : 'error';
  console.error(e);
}

/** Draws the tracked landmarks (green) and the reconstructed face's projected points (magenta) over the video. */
function drawOverlay(canvas: HTMLCanvasElement, behavior: FaceRetargetBehavior, m: EstimatedFaceMotion | null): void {
  const g = canvas.getContext('2d')!;
  if (!m) {
    g.clearRect(0, 0, canvas.width, canvas.height);
    return;
  }
  if (canvas.width !== m.imageWidth || canvas.height !== m.imageHeight) {
    canvas.width = m.imageWidth;
    canvas.height = m.imageHeight;
  }
  g.clearRect(0, 0, canvas.width, canvas.height);
  const dot = Math.max(1.5, m.imageWidth / 320);
  const recon = behavior.reconstruct(m);
  if (recon) {
    g.fillStyle = 'rgba(224, 64, 251, 0.8)';
    for (let i = 0; i < recon.length; i += 2) g.fillRect(recon[i] - dot / 2, recon[i + 1] - dot / 2, dot, dot);
  }
  g.fillStyle = 'rgba(76, 175, 80, 0.9)';
  for (let i = 0; i < m.landmarks.length; i += 3)
    g.fillRect(m.landmarks[i] - dot / 2, m.landmarks[i + 1] - dot / 2, dot, dot);
}

/** The table editor: JSON text and per-row gain sliders, validated against the character on every edit. */
function createTableEditor(characters: Character[], apply: (c: Character, table: RetargetTable) => void) {
  const select = $<HTMLSelectElement>('tableCharacter');
  const text = $<HTMLTextAreaElement>('tableJson');
  const errors = $('tableErrors');
  const sliders = $('sliders');
  let current = characters[0];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const refreshSelect = () => {
    select.innerHTML = '';
    for (const c of characters) select.add(new Option(c.label, c.label, false, c === current));
  };
  const renderSliders = (table: RetargetTable) => {
    sliders.innerHTML = '';
    table.targets.slice(0, 60).forEach((row, i) => {
      const label = document.createElement('span');
      label.textContent = row.target;
      const input = document.createElement('input');
      input.type = 'range';
      input.min = '0';
      input.max = '3';
      input.step = '0.05';
      input.value = String(row.gain ?? ROW_DEFAULTS.gain);
      const value = document.createElement('span');
      value.textContent = Number(input.value).toFixed(2);
      input.addEventListener('input', () => {
        value.textContent = Number(input.value).toFixed(2);
        const next: RetargetTable = JSON.parse(JSON.stringify(current.table));
        next.targets[i].gain = Number(input.value);
        text.value = JSON.stringify(next, null, 2);
        tryApply(false);
      });
      sliders.append(label, input, value);
    });
  };
  const show = (c: Character) => {
    current = c;
    text.value = JSON.stringify(c.table, null, 2);
    $('tableName').textContent = `${c.table.targets.length} rows`;
    errors.textContent = '';
    renderSliders(c.table);
  };
  const tryApply = (rebuildSliders: boolean) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text.value);
    } catch (e) {
      errors.className = '';
      errors.textContent = `JSON: ${(e as Error).message}`;
      return;
    }
    const issues = validateRetargetTable(parsed, {
      targetNames: collectMorphTargetNames(current.root),
      nodeNames: collectNodeNames(current.root),
    });
    if (issues.length > 0) {
      errors.className = '';
      errors.textContent = `${issues.length} problem${issues.length > 1 ? 's' : ''}:\n${formatRetargetIssues(issues)}`;
      return;
    }
    try {
      apply(current, parsed as RetargetTable);
      current.table = parsed as RetargetTable;
      errors.className = 'ok';
      errors.textContent = 'applied';
      $('tableName').textContent = `${current.table.targets.length} rows`;
      if (rebuildSliders) renderSliders(current.table);
    } catch (e) {
      errors.className = '';
      errors.textContent = isCpemError(e) ? e.message : String(e);
    }
  };
  text.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => tryApply(true), 300);
  });
  select.addEventListener('change', () => show(characters.find((c) => c.label === select.value)!));
  refreshSelect();
  show(current);
  return {
    add(c: Character) {
      const i = characters.findIndex((x) => x.label === c.label);
      if (i >= 0) characters.splice(i, 1, c);
      else characters.push(c);
      current = c;
      refreshSelect();
      show(c);
    },
  };
}

async function main(): Promise<void> {
  const canvas = $<HTMLCanvasElement>('renderCanvas');
  const engine = await createEngine(canvas);
  const scene = createStage(engine, canvas);

  status.textContent = 'loading the face model…';
  const faceModel = await FaceModel.load(packagedFaceModelUrl());
  const doubleRoot = new TransformNode('doubleHead', scene);
  doubleRoot.position.set(-1.35, 0, 0);
  const doubleMesh = createDigitalDouble(faceModel, scene);
  doubleMesh.parent = doubleRoot;
  // Centre the face on its node, so that head rotation turns it about its middle.
  const bounds = doubleMesh.getBoundingInfo().boundingBox;
  doubleMesh.position.copyFrom(bounds.center.scale(-1));

  const toon = createToonHead(scene);
  toon.position.set(1.35, 0, 0);
  toon.scaling.setAll(0.85);

  const doubleTable: RetargetTable = {
    ...cpemUnitsRetargetTable(),
    name: 'digital double (cpem-units)',
    head: { node: 'doubleHead', signs: [-1, -1, 1] },
  };
  const characters: Character[] = [
    { label: 'digital double', root: doubleRoot, table: doubleTable, applier: null },
    {
      label: 'toon head',
      root: toon,
      table: toonTable as RetargetTable,
      applier: new RetargetApplier(toon, toonTable),
    },
  ];

  status.textContent = 'loading the tracker and PE-Net…';
  const backend = (params.get('backend') ?? 'auto') as TrackerBackend | 'auto';
  const inference = params.get('inference') === 'worker' ? 'worker' : 'main';
  const weights = inference === 'main' ? await chooseWeights() : undefined;
  // ?frameAccess=copy|canvas forces how the tracker reads frames (the default measures which is cheaper).
  const frameAccess = (params.get('frameAccess') ?? undefined) as FrameAccess | undefined;
  // The range profile of an earlier "Calibrate" in this browser, applied from the start.
  const stored = storedProfile();
  if (stored.problem) message.textContent = `${stored.problem}\nCalibrate again.`;
  const behavior = new FaceRetargetBehavior({
    source: 'webcam',
    table: doubleTable,
    weights,
    backend,
    inference,
    worker: inference === 'worker' ? inferenceWorker : undefined,
    frameAccess,
    autoStart: false,
    calibrationProfile: stored.profile,
    faceModelUrl: packagedFaceModelUrl(),
  });
  // On the double's root node, the head the table turns (the mesh is its child).
  doubleRoot.addBehavior(behavior);

  // The other characters follow the same motion through their own tables, once per rendered frame.
  let latest: FaceMotion | null = null;
  scene.onBeforeRenderObservable.add(() => {
    latest = behavior.latestMotion;
    if (!latest) return;
    for (const c of characters) c.applier?.apply(latest);
  });

  const editor = createTableEditor(characters, (c, table) => {
    if (!c.applier) {
      behavior.setTable(table);
    } else {
      const next = new RetargetApplier(c.root, table);
      c.applier.dispose();
      c.applier = next;
    }
  });

  // Record / Stop / Play / Download: takes of the double.
  const recording = createRecordingPanel(behavior);
  // Calibrate: a thirty-second guided capture → the person's range profile, applied and stored.
  const calibrationPanel = createCalibrationPanel(behavior, faceModel, params);

  // Overlay, stats.
  const overlay = $<HTMLCanvasElement>('overlay');
  const videoBox = $('videoBox');
  let lastMotion: EstimatedFaceMotion | null = null;
  behavior.onFaceMotionObservable.add((m) => {
    lastMotion = m;
    drawOverlay(overlay, behavior, m);
  });
  behavior.onFaceLostObservable.add(() => {
    lastMotion = null;
    drawOverlay(overlay, behavior, null);
    status.textContent = 'no face';
  });
  behavior.onFaceFoundObservable.add(() => {
    status.textContent = 'tracking';
  });
  behavior.onErrorObservable.add(showError);
  const statsBox = $('stats');
  setInterval(() => {
    const s = behavior.stats;
    const calib = lastMotion ? lastMotion.calibration : '–';
    statsBox.textContent = [
      `render    ${engine.getFps().toFixed(0).padStart(4)} fps   (${engine.isWebGPU ? 'WebGPU' : 'WebGL2'})`,
      `estimate  ${String(s.estimatesPerSecond).padStart(4)} /s    (TF.js ${behavior.estimator ? tf.getBackend() : behavior.modelsLoaded ? 'in a worker' : '…'})`,
      `main thread ${s.mainThread.toFixed(1).padStart(4)} ms / frame`,
      `tracker   ${s.tracker.toFixed(1).padStart(6)} ms  (frame read ${s.read.toFixed(1)} ms)`,
      `estimator ${s.estimator.toFixed(1).padStart(6)} ms`,
      `filter    ${s.filter.toFixed(2).padStart(6)} ms`,
      `apply     ${s.apply.toFixed(2).padStart(6)} ms`,
      `calibration ${calib}`,
    ].join('\n');
  }, 250);
  const showVideo = () => {
    const v = behavior.video;
    videoBox.querySelectorAll('video').forEach((el) => {
      if (el !== v) el.remove();
    });
    if (v && v.parentElement !== videoBox) videoBox.insertBefore(v, overlay);
  };

  // Source switch: webcam, or a video file.
  const fileInput = $<HTMLInputElement>('videoFile');
  let fileVideo: HTMLVideoElement | null = null;
  const useSource = async (kind: string, url?: string) => {
    message.textContent = weightsNote;
    try {
      if (kind === 'file') {
        const file = fileInput.files?.[0];
        if (!file && !url) {
          message.textContent = 'Pick a video file.';
          return;
        }
        if (fileVideo?.src.startsWith('blob:')) URL.revokeObjectURL(fileVideo.src);
        fileVideo = document.createElement('video');
        fileVideo.muted = true;
        fileVideo.loop = true;
        fileVideo.playsInline = true;
        fileVideo.src = url ?? URL.createObjectURL(file!);
        await behavior.setSource(fileVideo);
      } else {
        await behavior.setSource('webcam');
      }
      if (behavior.state !== 'running') await behavior.start();
      showVideo();
    } catch {
      showVideo(); // reported through onError
    }
  };
  document
    .querySelectorAll<HTMLInputElement>('input[name=source]')
    .forEach((r) => r.addEventListener('change', () => useSource(r.value)));
  fileInput.addEventListener('change', () => {
    (document.querySelector('input[name=source][value=file]') as HTMLInputElement).checked = true;
    void useSource('file');
  });
  $('pauseButton').addEventListener('click', () => {
    if (behavior.state === 'running') {
      behavior.pause();
      $('pauseButton').textContent = 'resume';
    } else {
      void behavior.start().then(showVideo, () => {});
      $('pauseButton').textContent = 'pause';
    }
  });
  $('calibrateButton').addEventListener('click', () => behavior.recalibrate());

  // Your own GLB: auto-mapped, with the list of what could not be mapped.
  let glb: AssetContainer | null = null;
  $<HTMLInputElement>('glbFile').addEventListener('change', async (ev) => {
    const file = (ev.target as HTMLInputElement).files?.[0];
    if (!file) return;
    const list = $('unmapped');
    list.textContent = 'loading…';
    try {
      if (typeof Bone !== 'function' || typeof Skeleton !== 'function')
        throw new Error('Babylon skinning classes did not load');
      const old = characters.find((c) => c.label === 'your GLB');
      old?.applier?.dispose();
      glb?.removeAllFromScene();
      glb?.dispose();
      glb = await LoadAssetContainerAsync(file, scene, {
        pluginExtension: file.name.endsWith('.gltf') ? '.gltf' : '.glb',
      });
      glb.addAllToScene();
      const root = glb.rootNodes[0] as TransformNode;
      // Fit it into the middle of the stage, facing the camera (glTF characters face +z in Babylon).
      const { min, max } = root.getHierarchyBoundingVectors(true);
      const size = Math.max(max.y - min.y, 1e-3);
      const scale = 2.2 / size;
      const holder = new TransformNode('glbHolder', scene);
      root.parent = holder;
      holder.scaling.setAll(scale);
      holder.rotationQuaternion = Quaternion.RotationAxis(Vector3.Up(), Math.PI);
      holder.position.set(0, -((min.y + max.y) / 2) * scale, 1.5);
      const auto = autoMap(root);
      // A full-body character: frame its head (about 1/7.5 of its height) beside the two heads instead.
      const headNode = auto.head ? findHeadNode(root, auto.head) : null;
      if (headNode instanceof TransformNode && size > 0) {
        const headScale = (1.5 * 7.5) / size;
        holder.scaling.setAll(headScale);
        holder.position.set(0, 0, 0);
        holder.computeWorldMatrix(true);
        root.computeWorldMatrix(true);
        headNode.computeWorldMatrix(true);
        const head = headNode.getAbsolutePosition();
        holder.position.set(-head.x, -head.y + 0.1, 2.5 - head.z);
      }
      const applier = new RetargetApplier(root, auto.table, { allowMissingTargets: true });
      editor.add({ label: 'your GLB', root, table: auto.table, applier });
      list.textContent =
        `${auto.preset}: ${auto.mapped.length} targets mapped${auto.head ? `, head ${auto.head}` : ''}. ` +
        (auto.unmapped.length > 0
          ? `Not mapped (${auto.unmapped.length}): ${auto.unmapped.join(', ')}`
          : 'Every morph target was mapped.');
    } catch (e) {
      list.textContent = isCpemError(e) ? `${e.code}: ${e.message}` : String(e);
    }
  });

  let frames = 0;
  engine.runRenderLoop(() => {
    scene.render();
    if (++frames === 2) {
      document.body.dataset.ready = 'true';
      if (status.textContent!.startsWith('loading'))
        status.textContent = `${engine.isWebGPU ? 'WebGPU' : 'WebGL2'} · starting…`;
    }
  });
  addEventListener('resize', () => engine.resize());
  // For specs and the console.
  (window as unknown as Record<string, unknown>).cpemSample = {
    behavior,
    scene,
    engine,
    characters,
    doubleMesh,
    toon,
    tf,
    recording,
    calibrationPanel,
  };

  const videoUrl = params.get('video');
  if (videoUrl) {
    (document.querySelector('input[name=source][value=file]') as HTMLInputElement).checked = true;
    await useSource('file', videoUrl);
  } else if (params.get('source') !== 'none') {
    await useSource('webcam');
  }
  if (behavior.state === 'running') status.textContent = 'waiting for a face…';
  else if (behavior.state === 'idle')
    status.textContent = `${engine.isWebGPU ? 'WebGPU' : 'WebGL2'} · pick a source: webcam or video file`;
  document.body.dataset.started = behavior.state;
}

main().catch((e: unknown) => {
  status.textContent = `error: ${e instanceof Error ? e.message : String(e)}`;
  document.body.dataset.error = 'true';
  console.error(e);
});
