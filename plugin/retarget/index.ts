// Retarget tables: from the 46 expression units to a character's morph targets and head.
export { RETARGET_TABLE_SCHEMA, ROW_DEFAULTS, HEAD_DEFAULTS, EULER_ORDERS } from './retarget-table.js';
export type {
  RetargetTable,
  RetargetTargetRow,
  HeadRotationMapping,
  HeadAngle,
  HeadAxis,
  EulerOrder,
} from './retarget-table.js';
export { validateRetargetTable, assertValidRetargetTable, formatRetargetIssues } from './validate.js';
export type { RetargetTableIssue, RetargetValidationContext } from './validate.js';
export { compileRetargetTable, evaluateRetargetTable } from './shaping.js';
export type { CompiledRetargetTable } from './shaping.js';
export { arkitRetargetTable, arkitSuffixName, ARKIT_BLENDSHAPES, ARKIT_UNSOURCED } from './presets/arkit.js';
export type { ArkitNaming } from './presets/arkit.js';
export { vrmRetargetTable, VRM_EXPRESSIONS, VRM_UNSOURCED } from './presets/vrm.js';
export { oculusVisemeRetargetTable, OCULUS_VISEMES, OCULUS_VISEMES_UNMAPPED } from './presets/oculus-visemes.js';
export { cpemUnitsRetargetTable } from './presets/cpem-units.js';
export { autoMap, normalizeTargetName, defaultAutoMapPresets } from './auto-map.js';
export type { AutoMapResult } from './auto-map.js';
export { findMorphTargetManagers, collectMorphTargetNames, collectNodeNames, findHeadNodeName } from './character.js';
export type { Character, MorphTargetBinding } from './character.js';
export { HeadRotationDriver, findHeadNode } from './head-rotation.js';
export { frameHead, headBox } from './frame-head.js';
export type { FrameHeadOptions } from './frame-head.js';
export { RetargetApplier } from './morph-target-applier.js';
export type { RetargetApplierOptions, RetargetWarning } from './morph-target-applier.js';
