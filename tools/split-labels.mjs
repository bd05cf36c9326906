#!/usr/bin/env node
// Splits the labelled real frames into two halves by PERSON (never by clip or frame), so that nobody is in both:
// anything fitted to labels uses the 'tune' half, results are reported on the 'report' half. The rule looks only
// at the labels, never at any model's output:
//   persons are taken in order of their labelled-frame count (most first, then by id), and each joins the half
//   that leaves the two halves' counts of shown categories (frames with a label >= 0.3, per category, and neutral
//   frames) most even: the sum over categories of |report - tune| / total; round by round (see below).
// Writes clips[…].split in test/data/real-frame-labels.json and prints the counts per half.
//   node tools/split-labels.mjs [--check]   (--check: exit 1 if the file's split differs from the rule's)
import fs from 'node:fs';
import { readCliArgs } from '../training/node/cli-args.mjs';

const FILE = 'test/data/real-frame-labels.json';
const SHOWN = 0.3;
const args = readCliArgs({ check: 'boolean' }, { usage: 'usage: node tools/split-labels.mjs [--check]' });
const set = JSON.parse(fs.readFileSync(FILE, 'utf8'));
const keys = [...Object.keys(set.categories), 'neutral'];

// Labels arrive in rounds (clips[…].round, default 1): the rule runs round by round on the frames of the clips
// labelled so far, so that people already split keep their half when a later round adds people (and a later clip of
// a person already split joins that person's half).
const roundOf = (clip) => set.clips[clip].round ?? 1;
for (const [clip, info] of Object.entries(set.clips)) {
  if (!info.person) throw new Error(`${FILE}: clip ${clip} has no person id`);
  if (!Number.isInteger(roundOf(clip)) || roundOf(clip) < 1)
    throw new Error(`${FILE}: clip ${clip} has round ${info.round}; rounds are integers from 1`);
}
const rounds = [...new Set(Object.keys(set.clips).map(roundOf))].sort((a, b) => a - b);
const assignment = new Map();
let halves;
let persons;
for (const round of rounds) {
  persons = new Map();
  for (const [clip, info] of Object.entries(set.clips)) {
    if (roundOf(clip) > round) continue;
    if (!persons.has(info.person))
      persons.set(info.person, { frames: 0, first: Infinity, counts: Object.fromEntries(keys.map((k) => [k, 0])) });
    const p = persons.get(info.person);
    p.first = Math.min(p.first, roundOf(clip));
  }
  for (const f of set.frames) {
    if (roundOf(f.clip) > round) continue;
    const p = persons.get(set.clips[f.clip].person);
    p.frames++;
    if (f.neutral) p.counts.neutral++;
    for (const k of Object.keys(set.categories)) if ((f.labels[k] ?? 0) >= SHOWN) p.counts[k]++;
  }
  const totals = Object.fromEntries(keys.map((k) => [k, [...persons.values()].reduce((s, p) => s + p.counts[k], 0)]));
  halves = { report: Object.fromEntries(keys.map((k) => [k, 0])), tune: Object.fromEntries(keys.map((k) => [k, 0])) };
  for (const [id, p] of persons)
    if (assignment.has(id)) for (const k of keys) halves[assignment.get(id)][k] += p.counts[k];
  const imbalance = (report, tune) =>
    keys.reduce((s, k) => s + Math.abs(report[k] - tune[k]) / Math.max(1, totals[k]), 0);
  const order = [...persons.entries()]
    .filter(([id]) => !assignment.has(id))
    .sort((a, b) => b[1].frames - a[1].frames || a[0].localeCompare(b[0]));
  for (const [id, p] of order) {
    const add = (half) => Object.fromEntries(keys.map((k) => [k, half[k] + p.counts[k]]));
    const toReport = imbalance(add(halves.report), halves.tune);
    const toTune = imbalance(halves.report, add(halves.tune));
    const half = toReport < toTune ? 'report' : 'tune';
    halves[half] = add(halves[half]);
    assignment.set(id, half);
  }
}

let differs = 0;
for (const [_clip, info] of Object.entries(set.clips)) {
  const split = assignment.get(info.person);
  if (info.split !== split) differs++;
  info.split = split;
}
const line = (name, c) => `${name.padEnd(8)} ${keys.map((k) => `${k} ${c[k]}`).join(', ')}`;
console.log(line('report', halves.report));
console.log(line('tune', halves.tune));
const people = (half) => [...assignment.values()].filter((h) => h === half).length;
console.log(`persons: report ${people('report')}, tune ${people('tune')}`);
if (args.check) {
  if (differs) {
    console.error(`${differs} clip(s) in ${FILE} are not in the half this rule gives.`);
    process.exit(1);
  }
  console.log(`${FILE} follows the rule.`);
} else {
  fs.writeFileSync(FILE, `${JSON.stringify(set, null, 1)}\n`);
  console.log(`wrote the split into ${FILE} (${differs} clip(s) changed half)`);
}
