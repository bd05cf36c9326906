// Node side of the teacher (npm run teacher): a loopback HTTP server that serves the teacher page
// (training/teacher/page.ts, bundled here with esbuild), the tasks-vision wasm fileset from node_modules, the
// teacher model from ../shared, and every frame of a clip as raw RGBA bytes decoded by the project's own
// decodeVideo; Debian's Chromium (playwright-core, training/node/chromium.cjs) runs the page, which posts one
// teacher-track record per frame back. Every request that is not for the loopback server is aborted (the wasm
// tries to post telemetry to a remote host and would otherwise stall).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../node/chromium.cjs';
import { CpemError } from '../../plugin/errors/cpem-error.js';
import { decodeVideo, probeVideo, type VideoInfo } from '../../plugin/node/ffmpeg-frames.js';
import {
  MEDIAPIPE_BLENDSHAPES,
  TEACHER_MATRIX_FLOATS,
  TEACHER_SCALARS,
  teacherRecordFloats,
  type TeacherFrame,
} from '../lib/data/teacher-track.js';
import type { TeacherClipSummary } from './page.js';
import { NUM_FACE_LANDMARKS } from '../../plugin/constants.js';

const WASM_DIR = path.join('node_modules', '@mediapipe', 'tasks-vision', 'wasm');
const PAGE_ENTRY = path.join('training', 'teacher', 'page.ts');
const RECORD_FLOATS = teacherRecordFloats(MEDIAPIPE_BLENDSHAPES.length);
/** Where a record's landmarks start. */
const LANDMARKS_AT = TEACHER_SCALARS + MEDIAPIPE_BLENDSHAPES.length;
const PAGE_HTML =
  '<!doctype html><html><head><meta charset="utf-8"><title>teacher</title></head><body><script type="module" src="/teacher-page.js"></script></body></html>';

/** The tasks-vision version the page runs (from its package.json), for the cache header. */
export function tasksVisionVersion(): string {
  return (
    JSON.parse(fs.readFileSync(path.join('node_modules', '@mediapipe', 'tasks-vision', 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
}

interface RgbaFrame {
  rgba: Buffer;
  width: number;
  height: number;
  timestampMs: number;
}

/** Frames decoded and converted ahead of the page's requests, so that decoding overlaps detection. */
const READ_AHEAD = 4;

/** One clip being fed to the page: the decoder's RGBA frames in order, read a few ahead of the page; the records coming back. */
class ClipFeed {
  readonly records: (Float32Array | undefined)[] = [];
  private readonly frames: AsyncGenerator<{ index: number; data: Uint8Array; width: number; height: number }>;
  private readonly ready: RgbaFrame[] = [];
  private ended = false;
  private failure: Error | null = null;
  private closed = false;
  /** Called when the pump adds a frame, ends or fails; and when the page takes a frame. */
  private wakeReader: (() => void) | null = null;
  private wakePump: (() => void) | null = null;
  /** Frames handed to the page so far. */
  served = 0;
  /** Width of the decoded frames (the video's own, or smaller under maxSide). */
  private frameWidth = 0;

  constructor(
    readonly video: string,
    readonly info: VideoInfo,
    maxFrames: number | undefined,
    private readonly onRecord: (k: number) => void,
    maxSide?: number,
  ) {
    // RGBA from ffmpeg itself: the same RGB values as the tracker's rgb24 frames, without a per-pixel copy in JS
    // (which cost more than detection on large frames); large frames scaled down by ffmpeg to `maxSide`.
    this.frames = decodeVideo(video, { maxFrames, pixelFormat: 'rgba', maxSide });
    void this.pump();
  }

  private async pump(): Promise<void> {
    try {
      for (let k = 0; ; k++) {
        while (this.ready.length >= READ_AHEAD && !this.closed)
          await new Promise<void>((r) => {
            this.wakePump = r;
          });
        if (this.closed) return;
        const r = await this.frames.next();
        if (r.done) break;
        const { data, width, height, index } = r.value;
        if (index !== k) throw new Error(`the decoder yielded frame ${index} where frame ${k} was next`);
        if (data.length !== width * height * 4)
          throw new Error(`frame ${k}: ${data.length} bytes for a ${width}×${height} RGBA frame`);
        const rgba = Buffer.from(data.buffer, data.byteOffset, data.length);
        this.frameWidth = width;
        this.ready.push({ rgba, width, height, timestampMs: (k * 1000) / this.info.fps });
        this.wakeReader?.();
      }
    } catch (e) {
      this.failure = e as Error;
    }
    this.ended = true;
    this.wakeReader?.();
  }

  /** Frame k as RGBA with its timestamp, or null after the last frame. The page asks for frames in order. */
  async frame(k: number): Promise<RgbaFrame | null> {
    if (k !== this.served)
      throw new Error(`frame ${k} asked for where frame ${this.served} is next (frames go in order)`);
    while (this.ready.length === 0 && !this.ended)
      await new Promise<void>((r) => {
        this.wakeReader = r;
      });
    if (this.failure) throw this.failure;
    const f = this.ready.shift();
    if (!f) return null;
    this.served++;
    this.wakePump?.();
    return f;
  }

  record(k: number, body: Buffer): void {
    if (body.length !== RECORD_FLOATS * 4)
      throw new Error(`record ${k}: ${body.length} bytes, expected ${RECORD_FLOATS * 4}`);
    const rec = new Float32Array(RECORD_FLOATS);
    new Uint8Array(rec.buffer).set(body);
    if (rec[0] !== k) throw new Error(`record posted for frame ${k} holds frame ${rec[0]}`);
    // Landmarks come back in the pixels of the frame the page saw: scale them to the video's own pixels.
    const scale = this.info.width / (this.frameWidth || this.info.width);
    if (scale !== 1) for (let i = LANDMARKS_AT; i < LANDMARKS_AT + NUM_FACE_LANDMARKS * 3; i++) rec[i] *= scale;
    this.records[k] = rec;
    this.onRecord(k);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakePump?.();
    await this.frames.return(undefined);
  }
}

export interface TeacherClipResult {
  frames: TeacherFrame[];
  /** Frames with a face. */
  faces: number;
  /** detectForVideo time per frame in the page, ms. */
  detectMs: number[];
  /** Time the page waited for each frame's bytes, ms. */
  waitMs: number[];
  /** Landmarker creation in the page, ms. */
  createMs: number;
  /** Wall time for the clip, ms (decode, transfer, detection, results). */
  wallMs: number;
  info: VideoInfo;
}

/** A running teacher: server, Chromium and page with the model loaded. Run clips one after another, then close(). */
export class TeacherSession {
  private clips = 0;

  private constructor(
    private readonly server: http.Server,
    /** The clips being fed, by the id in their frame and result URLs. */
    private readonly feeds: Map<string, ClipFeed>,
    private readonly browser: Browser,
    private readonly page: Page,
    /** Wasm fileset and model load time in the page, ms. */
    readonly loadMs: number,
    /** Hosts of requests that were aborted (not the loopback server). */
    readonly blocked: Set<string>,
    /** The page's last console lines, shown when it fails. */
    private readonly consoleTail: string[],
  ) {}

  /** Starts the server and Chromium and loads the model from `teacherFile`. */
  static async start(teacherFile: string): Promise<TeacherSession> {
    for (const [file, what] of [
      [PAGE_ENTRY, 'the teacher page'],
      [WASM_DIR, 'the tasks-vision wasm fileset (npm ci)'],
    ] as const) {
      if (!fs.existsSync(file))
        throw new CpemError(
          'INVALID_ARGUMENT',
          `${file} (${what}) is missing; run the teacher from the repository root after npm ci.`,
        );
    }
    // A .task model is a zip archive, read from its end (the shared copy has other bytes before the archive): a file
    // without a zip directory at its end fails deep in the page, which read as a browser problem.
    const size = fs.statSync(teacherFile).size;
    const tail = Buffer.alloc(Math.min(size, 65_557));
    const fd = fs.openSync(teacherFile, 'r');
    try {
      fs.readSync(fd, tail, 0, tail.length, size - tail.length);
    } finally {
      fs.closeSync(fd);
    }
    if (tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06])) < 0) {
      throw new CpemError(
        'WEIGHTS_CORRUPT',
        `The teacher model ${teacherFile} is not a MediaPipe .task file (no zip directory at its end). Put MediaPipe Face Landmarker v2 (face_landmarker_v2_with_blendshapes.task) there again.`,
      );
    }
    const bundle = await esbuild.build({
      entryPoints: [PAGE_ENTRY],
      bundle: true,
      format: 'esm',
      target: 'es2022',
      write: false,
      logLevel: 'warning',
    });
    const pageJs = bundle.outputFiles[0].contents;
    const feeds = new Map<string, ClipFeed>();
    const server = http.createServer((req, res) => {
      handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String((e as Error)?.message ?? e));
      });
    });
    const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      if (url.pathname === '/') return send(res, 200, 'text/html; charset=utf-8', PAGE_HTML);
      if (url.pathname === '/teacher-page.js') return send(res, 200, 'text/javascript; charset=utf-8', pageJs);
      if (url.pathname === '/model/teacher.task')
        return send(res, 200, 'application/octet-stream', fs.readFileSync(teacherFile));
      if (parts[0] === 'wasm' && parts.length === 2 && /^[\w.-]+$/.test(parts[1])) {
        const file = path.join(WASM_DIR, parts[1]);
        if (!fs.existsSync(file)) return send(res, 404, 'text/plain', `no ${parts[1]}`);
        return send(res, 200, file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript', fs.readFileSync(file));
      }
      if ((parts[0] === 'frames' || parts[0] === 'results') && parts.length === 3) {
        const feed = feeds.get(parts[1]);
        const k = Number(parts[2]);
        if (!feed || !Number.isInteger(k) || k < 0)
          return send(res, 404, 'text/plain', `no clip ${parts[1]} frame ${parts[2]}`);
        if (parts[0] === 'frames') {
          const f = await feed.frame(k);
          if (!f) {
            res.writeHead(204);
            res.end();
            return;
          }
          res.writeHead(200, {
            'content-type': 'application/octet-stream',
            'content-length': f.rgba.length,
            'cache-control': 'no-store',
            'x-width': f.width,
            'x-height': f.height,
            'x-timestamp-ms': String(f.timestampMs),
          });
          res.end(f.rgba);
          return;
        }
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        feed.record(k, Buffer.concat(chunks));
        return send(res, 200, 'text/plain', 'ok');
      }
      return send(res, 404, 'text/plain', `not found: ${url.pathname}`);
    };
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    let browser: Browser | null = null;
    try {
      // Playwright adds its own headless flag; the project's (--headless=new) is the one the other pages use too.
      // Every host name but the loopback address fails to resolve, so requests to anything else (the wasm's
      // telemetry) fail at once instead of stalling the page. Playwright's request routing would do the same but
      // intercepts every request, the frame transfers included, and costs tens of milliseconds a frame.
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        headless: false,
        args: [...CHROMIUM_FLAGS, '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
      });
      const context = await browser.newContext();
      const blocked = new Set<string>();
      context.on('requestfailed', (r) => {
        const u = new URL(r.url());
        if (!isLoopback(u, port)) blocked.add(u.host || u.protocol);
      });
      const page = await context.newPage();
      const consoleTail: string[] = [];
      page.on('console', (m) => {
        consoleTail.push(`${m.type()}: ${m.text()}`);
        if (consoleTail.length > 20) consoleTail.shift();
      });
      page.on('pageerror', (e) => {
        consoleTail.push(`pageerror: ${e.message}`);
      });
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForFunction(() => window.cpemTeacher !== undefined, null, { timeout: 60_000 });
      let init: Awaited<ReturnType<NonNullable<typeof window.cpemTeacher>['init']>>;
      try {
        init = await page.evaluate(() => window.cpemTeacher!.init());
      } catch (e) {
        throw new CpemError(
          'WEIGHTS_CORRUPT',
          `The teacher model ${teacherFile} could not be loaded (${(e as Error).message.split('\n')[0]}). Put MediaPipe Face Landmarker v2 (face_landmarker_v2_with_blendshapes.task) there again.`,
          { cause: e },
        );
      }
      return new TeacherSession(server, feeds, browser, page, init.loadMs, blocked, consoleTail);
    } catch (e) {
      await browser?.close();
      server.close();
      if (e instanceof CpemError) throw e;
      throw new CpemError(
        'BACKEND_UNAVAILABLE',
        `The teacher page did not start in Chromium (${CHROMIUM_PATH}): ${(e as Error).message}`,
        { cause: e },
      );
    }
  }

  /**
   * Runs the teacher over every frame of `video` (or its first maxFrames); `onProgress(done, faces)` after each
   * frame's record arrives. Frame k of the result is the k-th frame decodeVideo yields.
   */
  async runClip(
    video: string,
    options: { maxFrames?: number; maxSide?: number; onProgress?: (done: number, faces: number) => void } = {},
  ): Promise<TeacherClipResult> {
    const info = probeVideo(video);
    const id = `clip${this.clips++}`;
    let done = 0,
      faces = 0;
    const feed = new ClipFeed(
      video,
      info,
      options.maxFrames,
      (k) => {
        done++;
        if (feed.records[k]![2] === 1) faces++;
        options.onProgress?.(done, faces);
      },
      options.maxSide,
    );
    this.feeds.set(id, feed);
    const t0 = performance.now();
    let summary: TeacherClipSummary;
    try {
      summary = await this.page.evaluate((clip) => window.cpemTeacher!.runClip(clip), id);
    } catch (e) {
      throw new CpemError(
        'ESTIMATION_FAILED',
        `The teacher failed on ${video}: ${(e as Error).message}\n${this.consoleTail.join('\n')}`,
        { cause: e },
      );
    } finally {
      await feed.close();
      this.feeds.delete(id);
    }
    const wallMs = performance.now() - t0;
    const nb = MEDIAPIPE_BLENDSHAPES.length;
    const frames: TeacherFrame[] = [];
    for (let k = 0; k < summary.frames; k++) {
      const r = feed.records[k];
      if (!r)
        throw new CpemError(
          'ESTIMATION_FAILED',
          `The teacher page reported ${summary.frames} frames of ${video} but frame ${k}'s record never arrived.`,
        );
      const s = TEACHER_SCALARS;
      frames.push({
        index: k,
        timestampMs: r[1],
        face: r[2] === 1,
        blendshapes: r.subarray(s, s + nb),
        landmarks: r.subarray(s + nb, s + nb + NUM_FACE_LANDMARKS * 3),
        matrix: r.subarray(s + nb + NUM_FACE_LANDMARKS * 3, s + nb + NUM_FACE_LANDMARKS * 3 + TEACHER_MATRIX_FLOATS),
      });
    }
    return {
      frames,
      faces: summary.faces,
      detectMs: summary.detectMs,
      waitMs: summary.waitMs,
      createMs: summary.createMs,
      wallMs,
      info,
    };
  }

  async close(): Promise<void> {
    await this.page.evaluate(() => window.cpemTeacher!.close()).catch(() => undefined);
    await this.browser.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function isLoopback(u: URL, port: number): boolean {
  return u.hostname === '127.0.0.1' && u.port === String(port);
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  const data = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { 'content-type': type, 'content-length': data.length, 'cache-control': 'no-store' });
  res.end(data);
}
