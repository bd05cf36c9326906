/**
 * The iBUG 68-point landmarks as indices into MediaPipe's 468-point face mesh.
 *
 * iBUG order: 0-16 jaw contour from the subject's right (image left in a selfie-less, camera view) to left,
 * 17-21 right brow, 22-26 left brow, 27-30 nose bridge to tip, 31-35 nostrils, 36-41 right eye, 42-47 left eye,
 * 48-59 outer lip, 60-67 inner lip. The face mesh has no point that is exactly an iBUG point; each is the mesh
 * vertex closest in meaning, chosen so that the map is mirror-symmetric (mesh x ↦ −x pairs map iBUG pairs).
 * The contour points follow the face-mesh silhouette, which sits near the iBUG jaw line on frontal faces.
 *
 * This is the semantic map (used to register the face model and as the regressor's anchor). For 68 points to
 * compare with iBUG annotations, use `ibug68Landmarks` (ibug68-regressor.ts), which is fitted to them.
 */
export const IBUG68_FROM_FACE_MESH: readonly number[] = [
  // jaw 0-16
  127, 234, 132, 58, 172, 150, 149, 148, 152, 377, 378, 379, 397, 288, 361, 454, 356,
  // right brow 17-21, left brow 22-26
  70, 63, 105, 66, 107, 336, 296, 334, 293, 300,
  // nose bridge 27-30, nostrils 31-35
  168, 197, 5, 1, 98, 97, 2, 326, 327,
  // right eye 36-41 (outer corner, upper outer, upper inner, inner corner, lower inner, lower outer)
  33, 160, 158, 133, 153, 144,
  // left eye 42-47 (inner corner, upper inner, upper outer, outer corner, lower outer, lower inner)
  362, 385, 387, 263, 373, 380,
  // outer lip 48-59 (right corner, upper lip to left corner, lower lip back)
  61, 40, 37, 0, 267, 270, 291, 321, 314, 17, 84, 91,
  // inner lip 60-67
  78, 81, 13, 311, 308, 402, 14, 178,
];

/** Each iBUG point's mirror partner (the subject's right ↔ left): jaw 0 ↔ 16, brows 17 ↔ 26, eye 36 ↔ 45, … */
export const IBUG68_MIRROR: readonly number[] = [
  16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 27, 28, 29, 30, 35,
  34, 33, 32, 31, 45, 44, 43, 42, 47, 46, 39, 38, 37, 36, 41, 40, 54, 53, 52, 51, 50, 49, 48, 59, 58, 57, 56, 55, 64,
  63, 62, 61, 60, 67, 66, 65,
];
