// The README's "Using the package" page, as bench/browser/startup.bench.ts loads it in a frame: the same steps, with
// a mark after each of the page's own (the behavior marks its stages itself: plugin/util/marks.ts) and the clip in
// place of the webcam (the bench's Chromium has none).
import { Engine } from '@babylonjs/core/Engines/engine.js';
import { Scene } from '@babylonjs/core/scene.js';
import { ImportMeshAsync } from '@babylonjs/core/Loading/sceneLoader.js';
import '@babylonjs/loaders/glTF';
import { FaceRetargetBehavior, frameHead } from '../../../plugin/index.js';

// The bundle is fetched, parsed and its modules evaluated.
performance.mark('page:script');

const clip = new URLSearchParams(location.search).get('clip') ?? '/shared/videos/liveportrait_d3.mp4';
const avatar = new URLSearchParams(location.search).get('avatar') ?? '/shared/avatars/rpm_brunette-t.glb';
const video = document.createElement('video');
video.muted = true;
video.loop = true;
video.playsInline = true;
video.src = clip;
void video.play();

const engine = new Engine(document.getElementById('canvas') as HTMLCanvasElement, true);
const scene = new Scene(engine);
performance.mark('page:engine');
const { meshes } = await ImportMeshAsync(avatar, scene);
frameHead(scene, meshes[0]);
performance.mark('page:character');
const behavior = new FaceRetargetBehavior({ source: video });
meshes[0].addBehavior(behavior);
engine.runRenderLoop(() => scene.render());
const startup: { behavior: FaceRetargetBehavior; error: string | null } = { behavior, error: null };
behavior.onErrorObservable.add((e) => {
  startup.error = `${e.code}: ${e.message}`;
});
(window as unknown as { cpemStartup: unknown }).cpemStartup = startup;
