// Output folders of the command lines (bin/babylon-cpem.mjs, training/cli/*.ts), checked before any work: made
// where missing, one level at a time (Node's recursive mkdir never returns under /proc), and written to once, so
// that a folder under a file, a dangling link or a read-only place is reported at once with what to do, not as a
// raw error after minutes of training. Plain JavaScript because the shipped bin/ uses it too.
import fs from 'node:fs';
import path from 'node:path';

/** The error these helpers throw: `code` is always INVALID_ARGUMENT, the message names the path and what to do. */
export class OutputPathError extends Error {
  /**
   * @param {string} message
   * @param {unknown} [cause]
   */
  constructor(message, cause) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'OutputPathError';
    this.code = 'INVALID_ARGUMENT';
  }
}

/** @param {unknown} e */
const codeOf = (e) => (e && typeof e === 'object' && 'code' in e ? String(e.code) : String(e));

/**
 * Makes `dir` (and its missing parents) and checks that a file can be written into it; returns its absolute path.
 * @param {string} dir
 * @param {string} [what] what the folder is for, in the messages ("--out")
 * @returns {string}
 */
export function prepareOutputDir(dir, what = 'the output folder') {
  if (typeof dir !== 'string' || dir.length === 0) throw new OutputPathError(`${what} is empty: name a folder.`);
  const abs = path.resolve(dir);
  const missing = [];
  // Up from `abs` to the first folder that exists: bounded by the path's depth.
  for (let cur = abs; ; cur = path.dirname(cur)) {
    let stat = null;
    try {
      stat = fs.statSync(cur);
    } catch (e) {
      const code = codeOf(e);
      if (code === 'ENOTDIR') {
        missing.unshift(cur);
        continue;
      }
      if (code !== 'ENOENT')
        throw new OutputPathError(
          `${what} ${dir}: ${cur} cannot be examined (${code}). Pick a folder you can write to.`,
          e,
        );
      let link = null;
      try {
        link = fs.lstatSync(cur).isSymbolicLink() ? fs.readlinkSync(cur) : null;
      } catch {
        // absent: made below
      }
      if (link !== null)
        throw new OutputPathError(
          `${what} ${dir}: ${cur} is a link to ${link}, which does not exist. Remove the link or pick another folder.`,
        );
    }
    if (stat) {
      if (!stat.isDirectory()) {
        throw new OutputPathError(
          `${what} ${dir}: ${cur} is a file, not a folder${cur === abs ? '' : ', so nothing can be made inside it'}. Pick another folder.`,
        );
      }
      break;
    }
    if (path.dirname(cur) === cur)
      throw new OutputPathError(`${what} ${dir}: no part of ${abs} exists. Pick a folder you can write to.`);
    missing.unshift(cur);
  }
  for (const d of missing) {
    try {
      fs.mkdirSync(d);
    } catch (e) {
      const code = codeOf(e);
      if (code === 'EEXIST' && fs.statSync(d, { throwIfNoEntry: false })?.isDirectory()) continue;
      const why =
        code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? 'it is not writable'
          : code === 'ENOTDIR'
            ? 'a part of it is a file'
            : `the system answered ${code}`;
      throw new OutputPathError(`${what} ${dir}: ${d} cannot be created (${why}). Pick a folder you can write to.`, e);
    }
  }
  const probe = path.join(abs, `.write-probe-${process.pid}-${Date.now()}`);
  try {
    fs.writeFileSync(probe, '');
  } catch (e) {
    throw new OutputPathError(
      `${what} ${dir}: nothing can be written into ${abs} (${codeOf(e)}). Pick a folder you can write to.`,
      e,
    );
  }
  fs.rmSync(probe, { force: true });
  return abs;
}

/**
 * Checks that `file` can be written: its folder is made and probed as by prepareOutputDir, and `file` is not a
 * folder. Returns its absolute path.
 * @param {string} file
 * @param {string} [what]
 * @returns {string}
 */
export function prepareOutputFile(file, what = 'the output file') {
  if (typeof file !== 'string' || file.length === 0) throw new OutputPathError(`${what} is empty: name a file.`);
  const abs = path.resolve(file);
  prepareOutputDir(path.dirname(abs), `${what} ${file}: its folder`);
  if (fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory())
    throw new OutputPathError(`${what} ${file} is a folder: name a file.`);
  return abs;
}

/**
 * `parent/name` for a folder named by a user (a run's name), refused unless it lies strictly inside `parent`: no
 * '.', '..', separators or absolute names, so that deleting it never deletes anything else.
 * @param {string} parent
 * @param {string} name
 * @param {string} [what]
 * @returns {string}
 */
export function childFolder(parent, name, what = 'the name') {
  const plain = typeof name === 'string' && /^[^./\\\0:][^/\\\0:]*$/.test(name) && !path.isAbsolute(name);
  const rel = plain ? path.relative(path.resolve(parent), path.resolve(parent, name)) : '';
  if (!plain || rel !== name) {
    throw new OutputPathError(
      `${what} ${JSON.stringify(name)} would not name a folder inside ${parent}: use letters, digits, '_', '-' and '.', not starting with '.'.`,
    );
  }
  return path.join(parent, name);
}
