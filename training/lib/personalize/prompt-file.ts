// Prompt files: which expression a person shows when in a recorded clip, as time spans, for `npm run personalize`
// and for a video dropped on the sandbox page. Plain JSON:
//
//   { "format": "babylon-cpem/prompts", "video": "me.mp4", "spans": [
//       { "prompt": "neutral", "from": 0, "to": 1.8 },
//       { "prompt": "smile", "from": 2.5, "to": 4.0 },
//       { "prompt": ["browsUp", "jawOpen"], "from": 5.2, "to": 5.9, "intensity": { "jawOpen": 0.5 } } ] }
//
// Times are seconds from the clip's start (a span holds the frames with from ≤ t ≤ to). `intensity` (optional, a
// number or one per prompt, in (0, 1]) is the value the prompted units are trained towards, judged by eye as the
// labels of real frames are (1 the strongest the movement gets, 0.5 a clear medium one); without it, the prompt's own.
import { CpemError } from '../../../plugin/errors/cpem-error.js';
import { isPromptName, promptSpec, PROMPT_NAMES, type PromptName, type PromptSpec } from './prompts.js';

export const PROMPT_FILE_FORMAT = 'babylon-cpem/prompts';

export interface PromptSpan {
  spec: PromptSpec;
  /** Seconds from the clip's start, inclusive. */
  from: number;
  to: number;
  note?: string;
}

export interface PromptFile {
  /** The clip the spans belong to (its file name), when the file says. */
  video?: string;
  /** Who is in the clip, when the file says (the evaluation groups clips by person). */
  person?: string;
  notes?: string;
  /** In time order; they do not overlap. */
  spans: PromptSpan[];
}

/**
 * Reads a prompt file's JSON (already parsed). Throws INVALID_ARGUMENT listing every problem at once, each naming
 * the span and what to write instead. `source` names the file in messages.
 */
export function parsePromptFile(json: unknown, source = 'prompt file'): PromptFile {
  const problems: string[] = [];
  const file = json as Record<string, unknown>;
  if (!file || typeof file !== 'object' || Array.isArray(file)) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      `${source}: expected a JSON object with "spans" (see docs/personalization.md).`,
    );
  }
  if (file.format !== undefined && file.format !== PROMPT_FILE_FORMAT)
    problems.push(`"format" is ${JSON.stringify(file.format)}; expected "${PROMPT_FILE_FORMAT}" (or leave it out)`);
  for (const key of ['video', 'person', 'notes'] as const) {
    if (file[key] !== undefined && typeof file[key] !== 'string') problems.push(`"${key}" must be a string`);
  }
  const known = new Set(['format', 'video', 'person', 'notes', 'spans', '$comment']);
  for (const key of Object.keys(file)) if (!known.has(key)) problems.push(`unknown field "${key}"`);
  const spans: PromptSpan[] = [];
  if (!Array.isArray(file.spans) || file.spans.length === 0) {
    problems.push('"spans" must list at least one { "prompt", "from", "to" }');
  } else {
    file.spans.forEach((raw: unknown, i: number) => {
      const s = raw as Record<string, unknown>;
      const where = `span ${i + 1}`;
      if (!s || typeof s !== 'object') {
        problems.push(`${where} is not an object`);
        return;
      }
      for (const key of Object.keys(s))
        if (!['prompt', 'from', 'to', 'intensity', 'note'].includes(key))
          problems.push(`${where}: unknown field "${key}"`);
      const names = (Array.isArray(s.prompt) ? s.prompt : [s.prompt]) as unknown[];
      const unknown = names.filter((n) => !isPromptName(n));
      if (unknown.length > 0 || names.length === 0) {
        problems.push(
          `${where}: unknown prompt ${unknown.map((n) => JSON.stringify(n)).join(', ') || '(none)'}; the prompts are ${PROMPT_NAMES.join(', ')}`,
        );
        return;
      }
      const from = s.from,
        to = s.to;
      if (
        typeof from !== 'number' ||
        typeof to !== 'number' ||
        !Number.isFinite(from) ||
        !Number.isFinite(to) ||
        from < 0 ||
        to <= from
      ) {
        problems.push(
          `${where} (${names.join(' + ')}): "from" and "to" must be seconds with 0 ≤ from < to (got ${JSON.stringify(from)}, ${JSON.stringify(to)})`,
        );
        return;
      }
      if (s.note !== undefined && typeof s.note !== 'string') problems.push(`${where}: "note" must be a string`);
      try {
        const spec = promptSpec(
          names as PromptName[],
          s.intensity as number | Partial<Record<PromptName, number>> | undefined,
        );
        spans.push({ spec, from, to, ...(typeof s.note === 'string' ? { note: s.note } : {}) });
      } catch (e) {
        problems.push(`${where}: ${(e as Error).message}`);
      }
    });
  }
  spans.sort((a, b) => a.from - b.from);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i].from <= spans[i - 1].to) {
      problems.push(
        `spans ${spans[i - 1].spec.prompts.join(' + ')} (${spans[i - 1].from}-${spans[i - 1].to} s) and ${spans[i].spec.prompts.join(' + ')} (${spans[i].from}-${spans[i].to} s) overlap: a frame shows one prompt`,
      );
    }
  }
  if (problems.length > 0)
    throw new CpemError('INVALID_ARGUMENT', `${source} is not a usable prompt file:\n- ${problems.join('\n- ')}`);
  return {
    ...(typeof file.video === 'string' ? { video: file.video } : {}),
    ...(typeof file.person === 'string' ? { person: file.person } : {}),
    ...(typeof file.notes === 'string' ? { notes: file.notes } : {}),
    spans,
  };
}

/** Parses a prompt file's text; a JSON syntax error becomes INVALID_ARGUMENT naming the file. */
export function readPromptFileText(text: string, source = 'prompt file'): PromptFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CpemError('INVALID_ARGUMENT', `${source} is not JSON (${(e as Error).message}).`);
  }
  return parsePromptFile(json, source);
}
