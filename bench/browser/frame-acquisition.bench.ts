// Ways of getting a playing video's pixels into JS memory, per frame, in headless Chromium: the whole frame
// (drawImage + getImageData, what the tracker did before it read crops), a face-sized region at full and at face-mesh
// resolution, the whole frame at the detector's resolution, through createImageBitmap with a crop, and through
// VideoFrame.copyTo of a rectangle. Alternating methods frame by frame on one clip, so load on the machine hits all
// of them alike. Then the two ways the tracker reads a face's rectangle (frame-access.ts: copyTo and the 2D canvas)
// again while a WebGL canvas in the page renders every animation frame, as a game's scene does: a read of a frame the
// browser keeps in GPU memory waits behind that rendering in the GPU process.
import { summarize } from '../support/stats.js';
import type { BenchFunction, BenchRow } from '../support/bench-types.js';

const CLIP = 'videos/liveportrait_d3.mp4';
const ROUNDS = 40;

/**
 * Keeps a 1280 × 720 WebGL2 canvas rendering a full-screen shader every animation frame (about what a small scene
 * costs on a software renderer); returns a function that stops it.
 */
function renderLoad(): () => void {
  const canvas = document.createElement('canvas');
  canvas.width = 1280;
  canvas.height = 720;
  document.body.appendChild(canvas);
  const gl = canvas.getContext('webgl2')!;
  const shader = (type: number, src: string) => {
    const sh = gl.createShader(type)!;
    gl.shaderSource(sh, src);
    gl.compileShader(sh);
    return sh;
  };
  const program = gl.createProgram()!;
  gl.attachShader(
    program,
    shader(
      gl.VERTEX_SHADER,
      '#version 300 es\nvoid main(){vec2 p=vec2((gl_VertexID<<1)&2,gl_VertexID&2);gl_Position=vec4(p*2.0-1.0,0,1);}',
    ),
  );
  gl.attachShader(
    program,
    shader(
      gl.FRAGMENT_SHADER,
      '#version 300 es\nprecision highp float;uniform float t;out vec4 c;void main(){vec2 u=gl_FragCoord.xy/720.0;float v=0.0;for(int i=0;i<24;i++){v+=sin(u.x*float(i)+t)*cos(u.y*float(i)-t);}c=vec4(v,u,1);}',
    ),
  );
  gl.linkProgram(program);
  gl.useProgram(program);
  const t = gl.getUniformLocation(program, 't');
  let running = true;
  const frame = (now: number) => {
    if (!running) return;
    gl.uniform1f(t, now / 1000);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  return () => {
    running = false;
    canvas.remove();
  };
}

type VideoWithCallback = HTMLVideoElement & { requestVideoFrameCallback(cb: () => void): number };

const run: BenchFunction = async ({ sharedDir, log }) => {
  const url = sharedDir ? `${sharedDir}/${CLIP}` : null;
  if (!url || !(await fetch(url, { method: 'HEAD' })).ok)
    return [{ bench: 'frame-acquisition', case: 'all', unit: 'ms', note: `skipped: no ../shared/${CLIP}` }];
  const video = document.createElement('video') as VideoWithCallback;
  video.muted = true;
  video.loop = true;
  video.src = url;
  await video.play();
  const W = video.videoWidth,
    H = video.videoHeight;
  const side = Math.round(Math.min(W, H) * 0.6);
  const sx = Math.round((W - side) / 2),
    sy = Math.round((H - side) / 2);
  const canvas = new OffscreenCanvas(W, H);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const small = new OffscreenCanvas(192, 192);
  const sctx = small.getContext('2d', { willReadFrequently: true })!;
  const mid = new OffscreenCanvas(side, side);
  const mctx = mid.getContext('2d', { willReadFrequently: true })!;
  const det = new OffscreenCanvas(256, 256);
  const dctx = det.getContext('2d', { willReadFrequently: true })!;
  let sink = 0;
  const methods: Record<string, () => Promise<void> | void> = {
    [`whole frame ${W}×${H}: drawImage + getImageData`]: () => {
      ctx.drawImage(video, 0, 0, W, H);
      sink += ctx.getImageData(0, 0, W, H).data[0];
    },
    [`region ${side}×${side} at 1:1: drawImage + getImageData`]: () => {
      mctx.drawImage(video, sx, sy, side, side, 0, 0, side, side);
      sink += mctx.getImageData(0, 0, side, side).data[0];
    },
    [`region ${side}×${side} → 192×192: drawImage + getImageData`]: () => {
      sctx.drawImage(video, sx, sy, side, side, 0, 0, 192, 192);
      sink += sctx.getImageData(0, 0, 192, 192).data[0];
    },
    'whole frame → 256×256: drawImage + getImageData': () => {
      dctx.drawImage(video, 0, 0, W, H, 0, 0, 256, 256);
      sink += dctx.getImageData(0, 0, 256, 256).data[0];
    },
    'region → 192×192: createImageBitmap(crop, resize) + getImageData': async () => {
      const b = await createImageBitmap(video, sx, sy, side, side, { resizeWidth: 192, resizeHeight: 192 });
      sctx.drawImage(b, 0, 0);
      b.close();
      sink += sctx.getImageData(0, 0, 192, 192).data[0];
    },
    'whole frame: createImageBitmap(video)': async () => {
      const b = await createImageBitmap(video);
      sink += b.width;
      b.close();
    },
    'whole frame: createImageBitmap(video), then region → 192×192 drawImage + getImageData': async () => {
      const b = await createImageBitmap(video);
      sctx.drawImage(b, sx, sy, side, side, 0, 0, 192, 192);
      b.close();
      sink += sctx.getImageData(0, 0, 192, 192).data[0];
    },
    [`region ${side}×${side}: VideoFrame.copyTo(rect, RGBA)`]: async () => {
      const f = new VideoFrame(video);
      try {
        const rect = { x: sx & ~1, y: sy & ~1, width: side & ~1, height: side & ~1 };
        const opts = { rect, format: 'RGBA' } as VideoFrameCopyToOptions;
        const buf = new Uint8Array(f.allocationSize(opts));
        await f.copyTo(buf, opts);
        sink += buf[0];
      } finally {
        f.close();
      }
    },
    [`region ${side}×${side}: VideoFrame.copyTo(rect)`]: async () => {
      const f = new VideoFrame(video);
      try {
        const rect = { x: sx & ~1, y: sy & ~1, width: side & ~1, height: side & ~1 };
        const buf = new Uint8Array(f.allocationSize({ rect }));
        await f.copyTo(buf, { rect });
        sink += buf[0];
      } finally {
        f.close();
      }
    },
  };
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(methods).map((k) => [k, []]));
  let format = '';
  {
    const f = new VideoFrame(video);
    format = String(f.format);
    f.close();
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, fn] of Object.entries(methods)) {
      await new Promise((res) => video.requestVideoFrameCallback(res));
      const t0 = performance.now();
      try {
        await fn();
      } catch (e) {
        log(`${name}: ${(e as Error).message}`);
      }
      samples[name].push(performance.now() - t0);
    }
  }
  const rows = Object.entries(samples).map(
    ([name, s]): BenchRow => ({
      bench: 'frame-acquisition',
      case: name,
      unit: 'ms',
      ...summarize(s.slice(2)),
      note: `${CLIP}, playing; VideoFrame format ${format}`,
    }),
  );

  // The tracker's two ways, while the page renders.
  const underLoad = [
    `region ${side}×${side} at 1:1: drawImage + getImageData`,
    `region ${side}×${side}: VideoFrame.copyTo(rect)`,
  ];
  const loaded: Record<string, number[]> = Object.fromEntries(underLoad.map((k) => [k, []]));
  const stop = renderLoad();
  try {
    for (let r = 0; r < ROUNDS / 2; r++) {
      for (const name of underLoad) {
        await new Promise((res) => video.requestVideoFrameCallback(res));
        const t0 = performance.now();
        await methods[name]();
        loaded[name].push(performance.now() - t0);
      }
    }
  } finally {
    stop();
  }
  video.pause();
  log(`frame-acquisition: ${W}×${H}, VideoFrame format ${format}, sink ${sink}`);
  for (const [name, s] of Object.entries(loaded)) {
    rows.push({
      bench: 'frame-acquisition',
      case: `${name}, while a WebGL canvas renders`,
      unit: 'ms',
      ...summarize(s.slice(2)),
      note: `${CLIP}, playing; a 1280×720 WebGL2 canvas drawing a full-screen shader every animation frame`,
    });
  }
  return rows;
};

export default run;
