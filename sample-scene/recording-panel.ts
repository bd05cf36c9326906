// The sample scene's Record panel: record a take from the running behavior, stop it into an animation clip, play the
// clip on the character (the behavior stops writing to it meanwhile), and download it as GLB or as a Live Link Face CSV.
import type { FaceRetargetBehavior } from '../plugin/index.js';
import { isCpemError } from '../plugin/index.js';
import {
  FaceTakeRecorder,
  exportTakeGlb,
  takeToLiveLinkCsv,
  takeToUnitsJson,
  type RecordedTake,
} from '../plugin/recording/index.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function download(name: string, data: Uint8Array | string, type: string): void {
  const url = URL.createObjectURL(new Blob([data as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Wires the panel's buttons to a recorder on `behavior`; returns what specs and the console read. */
export function createRecordingPanel(behavior: FaceRetargetBehavior) {
  const recorder = new FaceTakeRecorder(behavior, { name: 'take' });
  const [record, stop, play, glb, csv] = [
    'recordButton',
    'stopButton',
    'playButton',
    'downloadGlbButton',
    'downloadCsvButton',
  ].map((id) => $<HTMLButtonElement>(id));
  const info = $('takeInfo');
  let take: RecordedTake | null = null;
  let count = 0;
  let playing = false;
  let ticker: ReturnType<typeof setInterval> | undefined;

  const enable = () => {
    record.disabled = recorder.isRecording;
    stop.disabled = !recorder.isRecording;
    for (const b of [play, glb, csv]) b.disabled = !take || recorder.isRecording;
    play.textContent = playing ? 'live' : 'play';
  };
  const describe = (t: RecordedTake) => {
    const r = t.clip.report;
    return (
      `take ${count}: ${(t.clip.durationMs / 1000).toFixed(1)} s, ${t.take.frameCount} frames, keys ${r.keysBefore} → ${r.keysAfter} ` +
      `(largest error ${r.maxInfluenceError.toFixed(3)})${t.clip.gaps.length ? `, ${t.clip.gaps.length} gap${t.clip.gaps.length > 1 ? 's' : ''}` : ''}`
    );
  };
  const stopPlaying = () => {
    if (!playing) return;
    playing = false;
    take?.clip.group.stop();
    behavior.drivesCharacter = true;
    void behavior.start().catch(() => {});
  };

  record.addEventListener('click', () => {
    stopPlaying();
    take?.clip.group.dispose();
    take = null;
    try {
      recorder.start();
    } catch (e) {
      info.textContent = isCpemError(e) ? `${e.code}: ${e.message}` : String(e);
      return;
    }
    ticker = setInterval(() => {
      info.textContent = `recording… ${(recorder.durationMs / 1000).toFixed(1)} s, ${recorder.frameCount} frames`;
    }, 200);
    enable();
  });
  recorder.onLimitReachedObservable.add(() => stop.click());
  stop.addEventListener('click', () => {
    clearInterval(ticker);
    try {
      take = recorder.stop();
      count++;
      info.textContent = describe(take);
    } catch (e) {
      info.textContent = isCpemError(e) ? `${e.code}: ${e.message}` : String(e);
    }
    enable();
  });
  play.addEventListener('click', () => {
    if (!take) return;
    if (playing) {
      stopPlaying();
    } else {
      playing = true;
      behavior.pause();
      behavior.drivesCharacter = false;
      take.clip.group.play(true);
    }
    enable();
  });
  glb.addEventListener('click', async () => {
    if (!take) return;
    try {
      download(`take-${count}.glb`, await exportTakeGlb(take), 'model/gltf-binary');
    } catch (e) {
      info.textContent = isCpemError(e) ? `${e.code}: ${e.message}` : String(e);
    }
  });
  csv.addEventListener('click', () => {
    if (take) download(`take-${count}.csv`, takeToLiveLinkCsv(take.take), 'text/csv');
  });
  enable();
  return {
    recorder,
    get take(): RecordedTake | null {
      return take;
    },
    get playing(): boolean {
      return playing;
    },
    unitsJson: () => (take ? takeToUnitsJson(take.take) : null),
  };
}

export type RecordingPanel = ReturnType<typeof createRecordingPanel>;
